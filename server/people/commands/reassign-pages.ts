import { ValidationError, type FieldError } from '../../core/errors.js';
import type { CommandContext } from '../../core/context.js';
import { moveOwnership } from '../../pages/commands.js';
import type { PageVersion } from '../../pages/model.js';
import { checkSuccessor } from '../directory.js';

/** One page to move, and the form field its new owner was chosen in (for the message beside it). */
export interface Reassignment {
  slug: string;
  to: string;
  field?: string;
}

export interface ReassignPagesInput {
  /** The owner the pages move from. */
  from: string;
  moves: Reassignment[];
  reason: string;
}

/**
 * Moves the chosen pages from one owner to others. Every new owner must still be here (an active person,
 * or a team with an active member); the check lives here so the form, the API and a script agree.
 */
export function reassignPages(ctx: CommandContext, input: ReassignPagesInput): PageVersion[] {
  const { from, moves, reason } = input;
  const errors: FieldError[] = [];
  for (const m of moves) checkSuccessor(ctx.store, m.to, from, m.field ?? 'to', errors);
  if (errors.length === 0 && moves.length === 0) errors.push({ field: 'summary', message: 'Choose a new owner for at least one page.' });
  if (errors.length > 0) throw new ValidationError(errors);
  return moveOwnership(ctx, { from, moves: moves.map(({ slug, to }) => ({ slug, to })), reason });
}
