import { recordAudit } from '../../audit/log.js';
import { NotFoundError, ValidationError, type FieldError } from '../../core/errors.js';
import type { CommandContext } from '../../core/context.js';
import { SUMMARY_MAX } from '../../core/rules.js';
import type { FrontMatter } from '../schema.js';
import { toPageVersion, type PageVersion } from '../model.js';
import { slugRe, writeVersion } from './shared.js';

export interface RenameInput {
  /** The page's slug now. */
  slug: string;
  /** The slug it moves to. */
  to: string;
  summary?: string;
}

/**
 * Moves a page to a new slug. The move is a version (same content, the new slug in its record, so the
 * hash chain seals which slug the page had when) and an audit event. The old slug is remembered: its URLs
 * answer 301 and [[old-slug]] links keep leading to the page. A slug that any page has, or had, is
 * refused with one message whether or not the asker may see that page.
 */
export function renamePage(ctx: CommandContext, input: RenameInput): PageVersion {
  const { slug } = input;
  const to = (input.to ?? '').trim();
  const why = (input.summary ?? '').trim();
  const errors: FieldError[] = [];
  if (!slugRe.test(to)) errors.push({ field: 'slug', message: 'A slug is lowercase letters and digits joined by single dashes, for example sepsis-screening-bpa.' });
  else if (to === slug) errors.push({ field: 'slug', message: `The page already has the slug "${slug}".` });
  if (why.length > SUMMARY_MAX) errors.push({ field: 'summary', message: `The change summary must be at most ${SUMMARY_MAX} characters.` });
  if (!ctx.store.pages.head(slug)) throw new NotFoundError(`There is no page "${slug}".`);
  if (errors.length) throw new ValidationError(errors);
  const at = (ctx.at ?? new Date()).toISOString();
  const row = ctx.store.transaction(() => {
    const head = ctx.store.pages.head(slug);
    if (!head) throw new NotFoundError(`There is no page "${slug}".`);
    if (head.archived) throw new ValidationError([{ field: 'slug', message: `The page "${slug}" is archived; unarchive it before renaming.` }], 'conflict');
    const owner = ctx.store.renames.pageOf(to);
    if (ctx.store.pages.head(to) || (owner !== undefined && owner !== head.id)) {
      throw new ValidationError([{ field: 'slug', message: `The slug "${to}" is taken. Choose another slug.` }], 'conflict');
    }
    const current = ctx.store.pages.version(head.id, head.current_version)!;
    const fm = JSON.parse(current.front_matter) as FrontMatter;
    const summary = `Renamed from ${slug} to ${to}${why ? `: ${why}` : ''}`.slice(0, SUMMARY_MAX);
    ctx.store.renames.rename(head.id, slug, to, at);
    ctx.store.drafts.moveAll(slug, to);
    const version = head.current_version + 1;
    const moved = { ...head, slug: to };
    // The page's own files now live under its new address; the version shows them from there.
    const refilled = (text: string) => text.split(`/p/${slug}/files/`).join(`/p/${to}/files/`);
    const v = writeVersion(ctx, moved, version, current.hash, { ...fm, why: refilled(fm.why) }, refilled(current.body), summary, at);
    ctx.store.pages.updateHead({ ...moved, current_version: version, updated_at: at, updated_by: ctx.actor.username });
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'page.renamed', target: to, client: ctx.client, at, details: { from: slug, to, version, hash: v.hash, summary } });
    return v;
  });
  // created: a slug appeared (and one moved), so pages linking either way render again.
  ctx.events?.emit('page-changed', { slug: to, version: row.version, created: true });
  return toPageVersion(row);
}
