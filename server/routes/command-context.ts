import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CommandContext } from '../core/context.js';
import { ForbiddenError } from '../core/errors.js';
import { phiGuardFor } from '../phi/guard.js';

/** The context a command runs in when a person asks over HTTP: this app's store, rules and clock, and who is asking. */
export function commandContext(app: FastifyInstance, request: FastifyRequest, extra: Partial<CommandContext> = {}): CommandContext {
  return {
    store: app.store,
    systems: app.config.systems,
    maxBodyBytes: app.config.maxBodyBytes,
    events: app.events,
    actor: { username: request.user!.username, viewer: request.viewer },
    client: request.ip,
    at: app.clock(),
    phi: phiGuardFor(app.store, app.config.mrnPatterns),
    ...extra,
  };
}

/**
 * An admin's override of the PHI guard, from a form or an API body: only admins may, and only with a
 * reason. Anyone else sending one is refused outright rather than silently ignored.
 */
export function phiOverrideOf(request: FastifyRequest, reason: unknown): { reason: string } | undefined {
  if (typeof reason !== 'string' || reason.trim() === '') return undefined;
  if (request.user?.role !== 'admin') throw new ForbiddenError('Only an admin can save over the PHI guard.');
  return { reason: reason.trim().slice(0, 500) };
}
