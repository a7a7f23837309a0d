import type { CommandContext } from '../../core/context.js';
import { NotFoundError } from '../../core/errors.js';

export interface DiscardDraftInput {
  slug: string;
}

/** Throws not_found when there was no draft, so a client can tell a stale discard from a real one. */
export function discardDraft(ctx: CommandContext, input: DiscardDraftInput): void {
  if (!ctx.store.drafts.remove(ctx.actor.username, input.slug)) throw new NotFoundError(`You have no draft of "${input.slug}".`);
}
