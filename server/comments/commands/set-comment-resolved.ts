import type { CommandContext } from '../../core/context.js';
import type { CommentRow } from '../../store/comments.js';
import { ForbiddenError, ValidationError } from '../../core/errors.js';
import { recordAudit } from '../../audit/log.js';
import { visibleComment, mayResolve, MAY_NOT_RESOLVE } from '../comments.js';

export interface SetCommentResolvedInput {
  id: number;
  /** True resolves the thread, false reopens it. */
  resolved: boolean;
}

/**
 * Resolves a thread (`resolved` true) or reopens it: the resolved mark and one audit event in one
 * transaction. Only a thread's root is resolved; resolving twice, or reopening an open thread, is a 409.
 */
export function setCommentResolved(ctx: CommandContext, input: SetCommentResolvedInput): { comment: CommentRow; slug: string } {
  const { id, resolved } = input;
  const { comment, page } = visibleComment(ctx, id);
  if (!mayResolve(ctx.store, ctx.actor, comment)) throw new ForbiddenError(MAY_NOT_RESOLVE);
  if (comment.thread_id !== null) {
    throw new ValidationError([{ field: 'comment', message: `Comment ${id} is a reply: resolve or reopen its thread, comment ${comment.thread_id}.` }]);
  }
  const at = (ctx.at ?? new Date()).toISOString();
  const row = ctx.store.transaction(() => {
    const now = ctx.store.comments.get(id)!;
    if ((now.resolved_at !== null) === resolved) {
      throw new ValidationError([{ field: 'comment', message: resolved ? `Comment ${id} is already resolved.` : `Comment ${id} is open already.` }], 'conflict');
    }
    ctx.store.comments.setResolved(id, resolved ? at : null, resolved ? ctx.actor.username : null);
    recordAudit(ctx.store, { actor: ctx.actor.username, action: resolved ? 'comment.resolved' : 'comment.reopened', target: page.slug, client: ctx.client, at, details: { comment_id: id } });
    return ctx.store.comments.get(id)!;
  });
  ctx.events?.emit('comment-changed', { slug: page.slug });
  return { comment: row, slug: page.slug };
}
