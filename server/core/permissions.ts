import type { ActorRole, CommandContext } from './context.js';
import { ForbiddenError } from './errors.js';

/**
 * Who may do what, by role: one table read by the authorization plugin (which routes a role may call),
 * the commands (which changes an actor may make) and the screens (which buttons to offer).
 */
export type Access = 'public' | 'read' | 'write' | 'audit' | 'admin';

const ALLOWED: Record<Exclude<Access, 'public'>, readonly ActorRole[]> = {
  read: ['reader', 'editor', 'auditor', 'admin'],
  write: ['editor', 'admin'],
  audit: ['auditor', 'admin'],
  admin: ['admin'],
};

export function roleAllows(role: ActorRole, access: Access): boolean {
  return access === 'public' || ALLOWED[access].includes(role);
}

/**
 * Only an admin may save over the PHI guard. Anyone else sending an override is refused outright, before
 * anything is read, rather than silently ignored. An actor without a role is the operator (CLI, import).
 */
export function refuseOverrideUnlessAdmin(ctx: Pick<CommandContext, 'actor' | 'phiOverride'>): void {
  if (ctx.phiOverride && ctx.actor.role !== undefined && !roleAllows(ctx.actor.role, 'admin')) {
    throw new ForbiddenError('Only an admin can save over the PHI guard.');
  }
}
