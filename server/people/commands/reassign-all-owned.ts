import { ValidationError, type FieldError } from '../../core/errors.js';
import type { CommandContext } from '../../core/context.js';
import { moveOwnership } from '../../pages/commands.js';
import type { PageVersion } from '../../pages/model.js';
import { checkSuccessor } from '../directory.js';

export interface ReassignAllOwnedInput {
  from: string;
  to: string;
  reason: string;
}

/** Moves every page `from` owns directly to `to` (the API's reassignment): both checked as a person would be told. */
export function reassignAllOwned(ctx: CommandContext, input: ReassignAllOwnedInput): PageVersion[] {
  const { from, to, reason } = input;
  const errors: FieldError[] = [];
  if (!ctx.store.parties.get(from)) errors.push({ field: 'from', message: `There is no person or team "${from}".` });
  checkSuccessor(ctx.store, to, from, 'to', errors);
  if (errors.length > 0) throw new ValidationError(errors);
  const slugs = ctx.store.pages.ownedBy(from).map((p) => p.slug);
  return moveOwnership(ctx, { from, moves: slugs.map((slug) => ({ slug, to })), reason });
}
