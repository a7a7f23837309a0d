import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface Session {
    /** A one-line confirmation shown once on the next page after a save (post, redirect, get). */
    flash?: string;
  }
}

/** Keeps a confirmation for the page the redirect leads to; without a session (API tokens) there is nobody to show it to. */
export function setFlash(request: FastifyRequest, message: string): void {
  if (request.session?.userId !== undefined) request.session.set('flash', message);
}

/** The pending confirmation, once: reading it clears it, so a reload does not repeat it. */
export function takeFlash(request: FastifyRequest): string | undefined {
  const message = request.session?.get('flash');
  if (message !== undefined) request.session.set('flash', undefined);
  return message;
}
