import type { CommandContext } from '../../core/context.js';
import type { CommentRow } from '../../store/comments.js';
import { ValidationError } from '../../core/errors.js';
import { extractMentions } from '../../core/mentions.js';
import { recordAudit } from '../../audit/log.js';
import { sha256 } from '../../core/hash.js';
import { refuseIfPhi } from '../../phi/guard.js';
import { checkCommentBody, COMMENT_KINDS, type CommentCreatedDetails, type CommentInput, visiblePage } from '../comments.js';

/**
 * Adds a comment to a page: one row and one `comment.created` audit event in one transaction. Writes no
 * page version. A reader may comment. The body passes the PHI guard first.
 */
export function addComment(ctx: CommandContext, input: CommentInput): CommentRow {
  const { slug } = input;
  visiblePage(ctx, slug);
  const body = checkCommentBody(input.body);
  const kind = input.kind ?? 'comment';
  if (!COMMENT_KINDS.includes(kind)) throw new ValidationError([{ field: 'kind', message: 'kind is "comment" or "wrong" (this page is wrong or out of date).' }]);
  refuseIfPhi(ctx.phi, { body });
  const at = (ctx.at ?? new Date()).toISOString();
  const row = ctx.store.transaction(() => {
    const head = visiblePage(ctx, slug);
    let thread: number | null = null;
    let replyToAuthor: string | null = null;
    if (input.replyTo != null) {
      const target = ctx.store.comments.get(input.replyTo);
      // A comment on another page (or a hidden one) reads exactly like one that does not exist.
      if (!target || target.page_id !== head.id) throw new ValidationError([{ field: 'reply_to', message: `There is no comment ${input.replyTo} on this page to reply to.` }]);
      if (kind === 'wrong') throw new ValidationError([{ field: 'kind', message: 'A reply cannot flag the page as wrong: start a new thread for that.' }]);
      thread = target.thread_id ?? target.id;
      replyToAuthor = target.author;
    }
    const known = ctx.store.parties.existing(extractMentions(body));
    const mentions = extractMentions(body).filter((h) => known.has(h));
    const fields = { page_id: head.id, thread_id: thread, kind, author: ctx.actor.username, body, version: head.current_version, created_at: at };
    const id = ctx.store.comments.insert(fields);
    const details: CommentCreatedDetails = { comment_id: id, kind, version: head.current_version, reply_to: thread, reply_to_author: replyToAuthor, mentions, body_sha256: sha256(body) };
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'comment.created', target: head.slug, client: ctx.client, at, details: { ...details } });
    return ctx.store.comments.get(id)!;
  });
  ctx.events?.emit('comment-changed', { slug });
  return row;
}
