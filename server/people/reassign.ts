import { ValidationError, type FieldError } from '../core/errors.js';
import type { CommandContext } from '../core/context.js';
import { moveOwnership } from '../pages/commands.js';
import type { PageVersion } from '../pages/model.js';
import { checkSuccessor } from './directory.js';

/** One page to move, and the form field its new owner was chosen in (for the message beside it). */
export interface Reassignment {
  slug: string;
  to: string;
  field?: string;
}

/**
 * Moves the chosen pages from one owner to others. Every new owner must still be here (an active person,
 * or a team with an active member); the check lives here so the form, the API and a script agree.
 */
export function reassignPages(ctx: CommandContext, from: string, moves: Reassignment[], reason: string): PageVersion[] {
  const errors: FieldError[] = [];
  for (const m of moves) checkSuccessor(ctx.store, m.to, from, m.field ?? 'to', errors);
  if (errors.length === 0 && moves.length === 0) errors.push({ field: 'summary', message: 'Choose a new owner for at least one page.' });
  if (errors.length > 0) throw new ValidationError(errors);
  return moveOwnership(ctx, { from, moves: moves.map(({ slug, to }) => ({ slug, to })), reason });
}

/** Moves every page `from` owns directly to `to` (the API's reassignment): both checked as a person would be told. */
export function reassignAllOwned(ctx: CommandContext, from: string, to: string, reason: string): PageVersion[] {
  const errors: FieldError[] = [];
  if (!ctx.store.parties.get(from)) errors.push({ field: 'from', message: `There is no person or team "${from}".` });
  checkSuccessor(ctx.store, to, from, 'to', errors);
  if (errors.length > 0) throw new ValidationError(errors);
  const slugs = ctx.store.pages.ownedBy(from).map((p) => p.slug);
  return moveOwnership(ctx, { from, moves: slugs.map((slug) => ({ slug, to })), reason });
}
