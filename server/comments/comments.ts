import type { CommandContext } from '../core/context.js';
import type { Store } from '../store/index.js';
import type { CommentKind, CommentRow } from '../store/comments.js';
import type { PageHeadRow } from '../store/pages.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../core/errors.js';
import { extractMentions } from '../core/mentions.js';
import { recordAudit } from '../audit/log.js';
import { refuseIfPhi } from '../phi/guard.js';
import { canSee } from '../auth/visibility.js';
import { markdownProblem } from '../render/limits.js';
import { mayReview } from '../pages/review.js';

export type { CommentKind, CommentRow } from '../store/comments.js';

/** Long enough for a careful explanation with a table; a longer text belongs on a page. */
export const COMMENT_MAX_CHARS = 20_000;
export const COMMENT_KINDS: readonly CommentKind[] = ['comment', 'wrong'];

export interface CommentInput {
  slug: string;
  body: string;
  /** A comment on the same page; a reply to a reply joins the same thread (threads are one level deep). */
  replyTo?: number | null;
  kind?: CommentKind;
}

/** The `comment.created` audit event's details: other rooms (notifications, webhooks) read exactly this. */
export interface CommentCreatedDetails {
  comment_id: number;
  kind: CommentKind;
  version: number;
  reply_to: number | null;
  /** Username of the author of the comment replied to (null for a new thread). */
  reply_to_author: string | null;
  /** Handles of existing people and teams mentioned, in order of first mention. */
  mentions: string[];
}

/** A page the actor may see, or the same 404 a missing page gets. */
function visiblePage(ctx: Pick<CommandContext, 'store' | 'actor'>, slug: string): PageHeadRow {
  const head = ctx.store.pages.head(slug);
  const restricted = head?.restricted_to ? (JSON.parse(head.restricted_to) as string[]) : null;
  if (!head || (ctx.actor.viewer && !canSee(restricted, ctx.actor.viewer))) throw new NotFoundError(`There is no page "${slug}".`);
  return head;
}

/** A comment on a page the actor may see, or the same 404 a missing comment gets. */
function visibleComment(ctx: Pick<CommandContext, 'store' | 'actor'>, id: number): { comment: CommentRow; page: PageHeadRow } {
  const comment = ctx.store.comments.get(id);
  const missing = new NotFoundError(`There is no comment ${id}.`);
  if (!comment) throw missing;
  try {
    return { comment, page: visiblePage(ctx, comment.slug) };
  } catch {
    throw missing;
  }
}

/**
 * The text of a comment as it will be stored, or a 400 naming what is wrong (empty, too long, text the
 * renderer would refuse). Linear in the text: safe on the request thread.
 */
export function checkCommentBody(body: unknown): string {
  const text = typeof body === 'string' ? body.replace(/\r\n/g, '\n') : '';
  if (text.trim() === '') throw new ValidationError([{ field: 'body', message: 'Write something: a comment cannot be empty.' }]);
  if (text.length > COMMENT_MAX_CHARS) {
    throw new ValidationError([{ field: 'body', message: `A comment is at most ${COMMENT_MAX_CHARS.toLocaleString('en-US')} characters; this one has ${text.length.toLocaleString('en-US')}. Shorten it, or write a page and link it.` }]);
  }
  const problem = markdownProblem(text);
  if (problem) throw new ValidationError([{ field: 'body', message: problem }], 'refused');
  return text;
}

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
    const details: CommentCreatedDetails = { comment_id: id, kind, version: head.current_version, reply_to: thread, reply_to_author: replyToAuthor, mentions };
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'comment.created', target: head.slug, client: ctx.client, at, details: { ...details } });
    return ctx.store.comments.get(id)!;
  });
  ctx.events?.emit('comment-changed', { slug });
  return row;
}

/** The comment's author, the page's owners (through their linked person or team), editors and admins. */
export function mayResolve(store: Store, who: CommandContext['actor'], comment: Pick<CommentRow, 'author' | 'page_id'>): boolean {
  if (who.username === comment.author) return true;
  return mayReview(store, who, store.pages.ownersOf(comment.page_id));
}

export const MAY_NOT_RESOLVE = "Only the comment's author, the page's owners, editors and admins can resolve or reopen it.";

/**
 * Resolves a thread (`resolved` true) or reopens it: the resolved mark and one audit event in one
 * transaction. Only a thread's root is resolved; resolving twice, or reopening an open thread, is a 409.
 */
export interface SetCommentResolvedInput {
  id: number;
  /** True resolves the thread, false reopens it. */
  resolved: boolean;
}

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
