import type { FastifyInstance } from 'fastify';
import { authRoutes } from './auth.js';
import { pageRoutes } from './pages.js';
import { peopleRoutes } from './people.js';
import { reportRoutes } from './reports.js';
import { historyRoutes } from './history.js';
import { asOfRoutes } from './as-of.js';
import { userRoutes } from './users.js';
import { phiRoutes } from './phi.js';
import { auditRoutes } from '../audit.js';
import { searchRoutes } from '../search.js';
import { wantsJson } from '../errors.js';
import { roleAllows } from '../../core/permissions.js';

declare module 'fastify' {
  interface FastifyReply {
    /** Merged by @fastify/view into every template's context. */
    locals?: Record<string, unknown>;
  }
}

/** The Handlebars screens. Every view gets the signed-in user and a CSRF token for its forms. */
export async function htmlRoutes(app: FastifyInstance): Promise<void> {
  app.addHook('preHandler', async (request, reply) => {
    if (wantsJson(request)) return;
    const role = request.user?.role;
    reply.locals = {
      ...reply.locals,
      user: request.user,
      canWrite: role !== undefined && roleAllows(role, 'write'),
      canAudit: role !== undefined && roleAllows(role, 'audit'),
      canAdmin: role !== undefined && roleAllows(role, 'admin'),
      // API-token requests never post forms, and generating a token would give them a session to store.
      // Someone not signed in gets a token from a cookie, so a visit stores no session either.
      csrfToken: request.authMethod === 'token' ? '' : request.user ? reply.generateCsrf() : app.signinCsrf.token(request, reply),
    };
  });
  await app.register(authRoutes);
  await app.register(pageRoutes);
  await app.register(peopleRoutes);
  await app.register(reportRoutes);
  await app.register(historyRoutes);
  await app.register(asOfRoutes);
  await app.register(userRoutes);
  await app.register(phiRoutes);
  // Screens and their JSON exports together; the view hook above skips /api/ requests.
  await app.register(auditRoutes);
  await app.register(searchRoutes);
}
