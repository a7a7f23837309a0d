import type { FastifyInstance } from 'fastify';
import { authRoutes } from './auth.js';
import { pageRoutes } from './pages.js';
import { peopleRoutes } from './people.js';
import { reportRoutes } from './reports.js';
import { historyRoutes } from './history.js';
import { asOfRoutes } from './as-of.js';
import { userRoutes } from './users.js';
import { phiRoutes } from './phi.js';
import { phiScanRoutes } from '../phi-scan.js';
import { knowledgeTransferRoutes } from './knowledge-transfer.js';
import { importRoutes } from './import.js';
import { writingRoutes } from './writing.js';
import { commentRoutes } from './comments.js';
import { integrationRoutes } from './integrations.js';
import { signoffRoutes } from './signoff.js';
import { purgeRoutes } from './purges.js';
import { notificationRoutes } from './notifications.js';
import { auditRoutes } from '../audit.js';
import { searchRoutes } from '../search.js';
import { wantsJson } from '../errors.js';
import { viewLocals } from '../../view-helpers.js';

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
    reply.locals = { ...reply.locals, ...viewLocals(request, reply) };
  });
  await app.register(authRoutes);
  await app.register(pageRoutes);
  await app.register(peopleRoutes);
  await app.register(reportRoutes);
  await app.register(historyRoutes);
  await app.register(asOfRoutes);
  await app.register(userRoutes);
  await app.register(phiRoutes);
  await app.register(phiScanRoutes);
  await app.register(knowledgeTransferRoutes);
  await app.register(importRoutes);
  await app.register(writingRoutes);
  await app.register(commentRoutes);
  await app.register(integrationRoutes);
  await app.register(signoffRoutes);
  await app.register(purgeRoutes);
  await app.register(notificationRoutes);
  // Screens and their JSON exports together; the view hook above skips /api/ requests.
  await app.register(auditRoutes);
  await app.register(searchRoutes);
}
