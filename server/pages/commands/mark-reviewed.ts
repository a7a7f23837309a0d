import { recordAudit } from '../../audit/log.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.js';
import type { CommandContext } from '../../core/context.js';
import { refuseIfPhi } from '../../phi/guard.js';
import { MAY_NOT_REVIEW, REVIEW_NOTE_MAX, mayReview } from '../review.js';

export interface MarkReviewedInput {
  slug: string;
  /** What the reviewer checked; optional. */
  note?: string;
}

export interface MarkReviewedResult {
  reviewedAt: string;
  version: number;
}

/**
 * Records that someone confirmed the page still holds: an append-only review row, the head's
 * last-reviewed mark and an audit event, in one transaction. Writes no new version: the content did not change.
 */
export function markReviewed(ctx: CommandContext, input: MarkReviewedInput): MarkReviewedResult {
  const { slug, note } = input;
  // Who may is decided here, before the note is read, so every caller (form, API, script) gets the same answer.
  const found = ctx.store.pages.head(slug);
  if (!found) throw new NotFoundError(`There is no page "${slug}".`);
  if (!mayReview(ctx.store, ctx.actor, ctx.store.pages.ownersOf(found.id))) throw new ForbiddenError(MAY_NOT_REVIEW);
  const text = (note ?? '').trim();
  if (text.length > REVIEW_NOTE_MAX) throw new ValidationError([{ field: 'note', message: `A review note is at most ${REVIEW_NOTE_MAX} characters.` }]);
  refuseIfPhi(ctx.phi, { note: text });
  const at = (ctx.at ?? new Date()).toISOString();
  const version = ctx.store.transaction(() => {
    const head = ctx.store.pages.head(slug);
    if (!head) throw new NotFoundError(`There is no page "${slug}".`);
    if (head.archived) throw new ValidationError([{ field: 'note', message: `The page "${slug}" is archived; archived pages are not reviewed.` }], 409);
    ctx.store.pages.recordReview({ page_id: head.id, version: head.current_version, reviewer: ctx.actor.username, reviewed_at: at, note: text || null });
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'page.reviewed', target: slug, client: ctx.client, at, details: { version: head.current_version, ...(text ? { note: text } : {}) } });
    return head.current_version;
  });
  ctx.events?.emit('page-reviewed', { slug });
  return { reviewedAt: at, version };
}
