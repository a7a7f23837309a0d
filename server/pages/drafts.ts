import type { CommandContext } from '../core/context.js';
import { NotFoundError } from '../core/errors.js';
import type { DraftRow } from '../store/writing.js';
import { FRONT_MATTER_FIELDS } from './schema.js';

/**
 * Drafts: what a person typed in the editor, kept on the server so a closed tab, a crash or a lost
 * session loses nothing. A draft belongs to its author alone (looked up by author and slug, so nobody
 * else can reach it), is never searched or exported, and passes the PHI guard like a save does.
 *
 * A draft of an existing page is keyed by the page's slug. A page not yet created has no slug (the form
 * may leave it to the title), so the editor keys its draft with a made-up key, `new-` and random letters
 * and digits: one person may keep several new pages in progress, and `GET /api/drafts` lists them.
 */

/** The form fields a draft keeps: every front matter field, the body and the change summary. */
export const DRAFT_FIELDS: readonly string[] = [...FRONT_MATTER_FIELDS, 'body', 'summary'];
/** A new page's draft key: made by the editor, never a page's slug in practice. */
export const NEW_DRAFT_KEY = /^new-[a-z0-9]{8,40}$/;

export interface Draft {
  slug: string;
  /** True for a page not yet created. */
  isNew: boolean;
  baseVersion: number | null;
  fields: Record<string, string>;
  updatedAt: string;
}

export const toDraft = (row: DraftRow, isNew: boolean): Draft => ({
  slug: row.slug,
  isNew,
  baseVersion: row.base_version,
  fields: JSON.parse(row.fields) as Record<string, string>,
  updatedAt: row.updated_at,
});

/** Whether `slug` may hold a draft: an existing page, or a new page's key. */
export function draftTarget(ctx: CommandContext, slug: string): { isNew: boolean; currentVersion: number | null } {
  const head = ctx.store.pages.head(slug);
  if (head) return { isNew: false, currentVersion: head.current_version };
  if (NEW_DRAFT_KEY.test(slug)) return { isNew: true, currentVersion: null };
  throw new NotFoundError(`There is no page "${slug}". A draft of a new page is kept under a key "new-" and 8 to 40 letters or digits.`);
}

export function getDraft(ctx: CommandContext, slug: string): Draft {
  const row = ctx.store.drafts.get(ctx.actor.username, slug);
  if (!row) throw new NotFoundError(`You have no draft of "${slug}".`);
  return toDraft(row, !ctx.store.pages.head(slug));
}

export function listDrafts(ctx: CommandContext): Draft[] {
  return ctx.store.drafts.list(ctx.actor.username).map((row) => toDraft(row, !ctx.store.pages.head(row.slug)));
}
