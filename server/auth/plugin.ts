import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../store/users.js';
import { userById, userForToken, type SessionUser } from './accounts.js';
import { sendError, wantsJson } from '../routes/errors.js';
import { handBackUnsaved } from '../routes/html/unsaved.js';

/**
 * Who may call a route. Every route must declare one; the app refuses to start otherwise, so no
 * route can be added without thinking about who may use it.
 */
export type Access = 'public' | 'read' | 'write' | 'audit' | 'admin';

const ALLOWED: Record<Exclude<Access, 'public'>, Role[]> = {
  read: ['reader', 'editor', 'auditor', 'admin'],
  write: ['editor', 'admin'],
  audit: ['auditor', 'admin'],
  admin: ['admin'],
};

export function roleAllows(role: Role, access: Access): boolean {
  return access === 'public' || ALLOWED[access].includes(role);
}

declare module 'fastify' {
  interface FastifyRequest {
    user: SessionUser | null;
    /** Set when a posted form cannot be accepted but its text must be handed back. */
    unsaved?: 'signed-out' | 'expired';
    authMethod: 'session' | 'token' | null;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyInstance {
    /** Every route with its access level, as registered: for tests and the API reference. */
    routeTable: { method: string; url: string; access: Access }[];
  }
  interface Session {
    userId?: number;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Prefixes served by @fastify/static, which registers its own routes without our config. */
const PUBLIC_PREFIXES = ['/assets/'];

async function authorization(app: FastifyInstance): Promise<void> {
  app.decorateRequest('user', null);
  app.decorateRequest('authMethod', null);
  app.decorate('routeTable', []);

  app.addHook('onRoute', (route) => {
    if (PUBLIC_PREFIXES.some((p) => route.url.startsWith(p))) {
      route.config = { ...(route.config as object), access: 'public' };
      return;
    }
    const access = (route.config as { access?: Access } | undefined)?.access;
    if (!access) throw new Error(`Route ${String(route.method)} ${route.url} declares no access level`);
    for (const method of [route.method].flat()) app.routeTable.push({ method, url: route.url, access });
  });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      request.user = userForToken(app.store, header.slice(7).trim());
      request.authMethod = request.user ? 'token' : null;
      if (!request.user) return sendError(request, reply, { statusCode: 401, error: 'Unauthorized', message: 'The API token is unknown, revoked, or belongs to a deactivated user.' });
    } else if (request.session?.userId !== undefined) {
      request.user = userById(app.store, request.session.userId);
      request.authMethod = request.user ? 'session' : null;
    }

    const access = request.routeOptions.config.access ?? 'read';
    if (access === 'public') return;
    if (!request.user) {
      if (wantsJson(request)) {
        return sendError(request, reply, { statusCode: 401, error: 'Unauthorized', message: 'Sign in, or send an API token as "Authorization: Bearer <token>".' });
      }
      // A form posted after the session ended still carries the person's text: answer once the body
      // is parsed (preHandler), so it can be handed back instead of lost.
      if (request.method === 'POST' && request.routeOptions.url !== '/logout') {
        request.unsaved = 'signed-out';
        return;
      }
      return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    }
    if (!roleAllows(request.user.role, access)) {
      const need = access === 'write' ? 'an editor or admin' : access === 'audit' ? 'an auditor or admin' : access === 'admin' ? 'an admin' : 'signed in';
      return sendError(request, reply, { statusCode: 403, error: 'Forbidden', message: `Your role (${request.user.role}) cannot do this: you must be ${need}.` });
    }
  });

  // Browsers send cookies by themselves, so every cookie-authenticated write must prove it came from our
  // own form or script. Token clients are not browsers and need no CSRF token.
  app.addHook('preHandler', (request, reply, done) => {
    if (request.unsaved) return void handBackUnsaved(request, reply, request.unsaved).then(() => done(), done);
    if (SAFE_METHODS.has(request.method) || request.authMethod === 'token') return done();
    // A refused token is answered by the error handler, which hands a form's text back.
    app.csrfProtection(request, reply, done);
  });

  app.addHook('onSend', async (request, reply) => {
    if (request.user) reply.header('Cache-Control', 'no-store');
  });
}

export const authorizationPlugin = fp(authorization, { name: 'authorization', dependencies: ['@fastify/session', '@fastify/csrf-protection'] });
