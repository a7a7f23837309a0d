import type { CommandContext } from '../core/context.js';
import type { Store } from '../store/index.js';
import type { CommentKind, CommentRow } from '../store/comments.js';
import type { PageHeadRow } from '../store/pages.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
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
  /** sha256 of the body, so a standby can check the comment row it is sent against this hash-chained event. */
  body_sha256: string;
}

/** A page the actor may see, or the same 404 a missing page gets. */
export function visiblePage(ctx: Pick<CommandContext, 'store' | 'actor'>, slug: string): PageHeadRow {
  const head = ctx.store.pages.head(slug);
  const restricted = head?.restricted_to ? (JSON.parse(head.restricted_to) as string[]) : null;
  if (!head || (ctx.actor.viewer && !canSee(restricted, ctx.actor.viewer))) throw new NotFoundError(`There is no page "${slug}".`);
  return head;
}

/** A comment on a page the actor may see, or the same 404 a missing comment gets. */
export function visibleComment(ctx: Pick<CommandContext, 'store' | 'actor'>, id: number): { comment: CommentRow; page: PageHeadRow } {
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

/** The comment's author, the page's owners (through their linked person or team), editors and admins. */
export function mayResolve(store: Store, who: CommandContext['actor'], comment: Pick<CommentRow, 'author' | 'page_id'>): boolean {
  if (who.username === comment.author) return true;
  return mayReview(store, who, store.pages.ownersOf(comment.page_id));
}

export const MAY_NOT_RESOLVE = "Only the comment's author, the page's owners, editors and admins can resolve or reopen it.";
