import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { CommandContext } from '../../core/context.js';
import { type FrontMatter } from '../schema.js';
import { toPageVersion, type PageVersion } from '../model.js';
import { refuseIfPhi } from '../../phi/guard.js';
import { advanceHead, writeVersion } from './shared.js';

export interface SetArchivedInput {
  slug: string;
  archived: boolean;
  summary: string;
}

/**
 * Archives or unarchives a page by writing a version that carries the same content and the new state:
 * nothing is ever deleted, and the wiki as of any date still shows the page where it belonged.
 */
export function setArchived(ctx: CommandContext, input: SetArchivedInput): PageVersion {
  const { slug, archived, summary } = input;
  // The page first, as every command does: a page someone may not see must answer exactly as a missing one.
  if (!ctx.store.pages.head(slug)) throw new NotFoundError(`There is no page "${slug}".`);
  const why = (summary ?? '').trim();
  if (!why) throw new ValidationError([{ field: 'summary', message: `Say why the page is being ${archived ? 'archived' : 'unarchived'}.` }]);
  // The summary becomes the version summary every reader sees.
  refuseIfPhi(ctx.phi, { summary: why });
  const at = (ctx.at ?? new Date()).toISOString();
  const row = ctx.store.transaction(() => {
    const head = ctx.store.pages.head(slug);
    if (!head) throw new NotFoundError(`There is no page "${slug}".`);
    if (Boolean(head.archived) === archived) {
      throw new ValidationError([{ field: 'archived', message: `The page "${slug}" is already ${archived ? 'archived' : 'not archived'}.` }], 409);
    }
    const current = ctx.store.pages.version(head.id, head.current_version)!;
    const fm = JSON.parse(current.front_matter) as FrontMatter;
    const version = head.current_version + 1;
    const v = writeVersion(ctx, head, version, current.hash, fm, current.body, why, at, archived ? 1 : 0);
    advanceHead(ctx, head, v, fm, at, { action: archived ? 'page.archived' : 'page.unarchived', details: { summary: why } }, archived ? 1 : 0);
    return v;
  });
  ctx.events?.emit('page-changed', { slug, version: row.version, created: true });
  return toPageVersion(row);
}
