import type { FastifyInstance, FastifyRequest } from 'fastify';
import { redactHtml, redactText } from '../auth/visibility.js';
import { mayResolve, type CommentRow } from '../comments/comments.js';
import type { PageHeadRow } from '../store/pages.js';
import type { SessionUser } from '../auth/accounts.js';

/** A comment as the API answers it and the page shows it: text and rendering with hidden pages unnamed. */
export interface CommentView {
  id: number;
  slug: string;
  kind: CommentRow['kind'];
  body: string;
  html: string;
  author: string;
  author_name: string;
  version: number;
  created_at: string;
  reply_to: number | null;
  resolved_at: string | null;
  resolved_by: string | null;
}

/** The name to show for an account: its linked person's name, or the username. */
export function accountName(app: FastifyInstance, username: string): string {
  const person = app.store.users.byName(username)?.person;
  return (person && app.store.parties.get(person)?.name) || username;
}

/**
 * One comment for a viewer. Its markdown renders in the render workers like a page body (the same
 * sanitizer, wiki links, mentions); a comment is never rewritten, so its id keys the rendering.
 */
export async function commentView(app: FastifyInstance, c: CommentRow, hidden: ReadonlySet<string>): Promise<CommentView> {
  const rendered = await app.renderer.render(`comment-${c.id}`, 'comment', c.body, c.slug);
  return {
    id: c.id,
    slug: c.slug,
    kind: c.kind,
    body: redactText(c.body, hidden),
    html: redactHtml(rendered.html, hidden),
    author: c.author,
    author_name: accountName(app, c.author),
    version: c.version,
    created_at: c.created_at,
    reply_to: c.thread_id,
    resolved_at: c.resolved_at,
    resolved_by: c.resolved_by,
  };
}

/** The first words of a comment, as plain text, for notices and lists. */
export function excerpt(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/**
 * What the page screen shows of its comments: threads (root, then replies) with who may resolve each,
 * and the open "wrong" flags for the notice at the top.
 */
export async function pageComments(app: FastifyInstance, request: FastifyRequest, head: PageHeadRow) {
  const user = request.user as SessionUser;
  const rows = app.store.comments.ofPage(head.id);
  const views = await Promise.all(rows.map((c) => commentView(app, c, request.hidden)));
  const actor = { username: user.username, role: user.role, person: user.person };
  const threads = views
    .filter((c) => c.reply_to === null)
    .map((root) => ({
      ...root,
      wrong: root.kind === 'wrong',
      resolvedByName: root.resolved_by ? accountName(app, root.resolved_by) : null,
      canResolve: mayResolve(app.store, actor, { author: root.author, page_id: head.id }),
      replies: views.filter((r) => r.reply_to === root.id),
    }));
  const flags = threads.filter((t) => t.wrong && !t.resolved_at).map((t) => ({ id: t.id, author_name: t.author_name, version: t.version, created_at: t.created_at, excerpt: excerpt(t.body) }));
  return { threads, flags, count: views.length, open: threads.filter((t) => !t.resolved_at).length };
}
