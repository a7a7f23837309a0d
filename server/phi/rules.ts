import type { CommandContext } from '../core/context.js';
import { ForbiddenError } from '../core/errors.js';
import { roleAllows } from '../core/permissions.js';

/**
 * Only an admin changes what the PHI guard refuses or lets through: a rule applies to every save by
 * everyone. An actor without a role is the operator (CLI, seeder).
 */
export function refuseUnlessAdmin(ctx: Pick<CommandContext, 'actor'>): void {
  if (ctx.actor.role !== undefined && !roleAllows(ctx.actor.role, 'admin')) throw new ForbiddenError('Only an admin can change the PHI guard\'s rules.');
}
