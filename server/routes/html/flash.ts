import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface Session {
    /** A one-line confirmation shown once on the page a save redirects to (post, redirect, get). */
    flash?: { slug: string; message: string };
  }
}

/** Keeps a confirmation for the page the redirect leads to; without a session (API tokens) there is nobody to show it to. */
export function setFlash(request: FastifyRequest, slug: string, message: string): void {
  if (request.session?.userId !== undefined) request.session.set('flash', { slug, message });
}

/**
 * The pending confirmation for this page, once: the next page view clears it, so neither a reload nor
 * a visit to another page shows an old "Saved".
 */
export function takeFlash(request: FastifyRequest, slug: string): string | undefined {
  const flash = request.session?.get('flash');
  if (flash === undefined) return undefined;
  request.session.set('flash', undefined);
  return flash.slug === slug ? flash.message : undefined;
}
