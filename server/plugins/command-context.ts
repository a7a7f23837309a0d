import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CommandContext } from '../core/context.js';
import { phiGuardFor } from '../phi/guard.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The context a command runs in when a person asks over HTTP: this app's store, rules and clock, and who is asking. */
    commandContext(request: FastifyRequest, extra?: Partial<CommandContext>): CommandContext;
  }
}

/** Adds `app.commandContext(request)`, so every route hands its commands the same store, rules, clock and actor. */
export const commandContextPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('commandContext', (request: FastifyRequest, extra: Partial<CommandContext> = {}): CommandContext => ({
      store: app.store,
      systems: app.config.systems,
      maxBodyBytes: app.config.maxBodyBytes,
      events: app.events,
      actor: { username: request.user!.username, role: request.user!.role, person: request.user!.person, viewer: request.viewer },
      client: request.ip,
      at: app.clock(),
      approvals: app.config.approvals,
      phi: phiGuardFor(app.store, app.config.mrnPatterns),
      ...extra,
    }));
  },
  { name: 'command-context' },
);
