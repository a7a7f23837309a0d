import { recordAudit } from '../../audit/log.js';
import { ValidationError, type FieldError } from '../../core/errors.js';
import type { CommandContext } from '../../core/context.js';
import { slugOf } from '../../core/rules.js';
import { refuseOverrideUnlessAdmin } from '../../core/permissions.js';
import { toPageVersion, type PageVersion } from '../model.js';
import { refuseGatedStart } from '../../signoff/approvals.js';
import { phiOverrideDetails, type PageDraft, slugRe, validateDraft, writeVersion, type Touched, hiddenFromActor, syncSupersession } from './shared.js';

export interface CreatePageInput extends PageDraft {
  slug?: string;
}

/** Creates a page at version 1, with its audit event, in one transaction. */
export function createPage(ctx: CommandContext, input: CreatePageInput): PageVersion {
  refuseOverrideUnlessAdmin(ctx);
  const extra: FieldError[] = [];
  const requested = (input.slug ?? '').trim();
  if (requested && !slugRe.test(requested)) {
    extra.push({ field: 'slug', message: 'A slug is lowercase letters and digits joined by single dashes, for example sepsis-screening-bpa.' });
  }
  const titleSlug = (title: unknown) => (typeof title === 'string' ? slugOf(title) : '');
  // A taken slug is reported with every other problem, not after they are fixed (the transaction checks again).
  const wanted = requested || titleSlug(input.frontMatter.title);
  const taken = Boolean(wanted && slugRe.test(wanted) && (ctx.store.pages.head(wanted) || ctx.store.renames.pageOf(wanted) !== undefined));
  if (taken) {
    // A page the author may not see is not named, not even as existing.
    const hidden = hiddenFromActor(ctx).has(wanted) || (!ctx.store.pages.head(wanted) && ctx.store.renames.pageOf(wanted) !== undefined);
    extra.push({ field: 'slug', message: hidden ? 'This address is not available; choose another slug.' : `A page with the slug "${wanted}" already exists. Choose another slug, or edit that page.` });
  }
  let draft: ReturnType<typeof validateDraft>;
  try {
    draft = validateDraft(ctx, wanted, input, extra, false);
  } catch (e) {
    // A taken slug alone is a clash with what is stored (409), as the transaction would say.
    if (e instanceof ValidationError && taken && e.errors.length === 1) throw new ValidationError(e.errors, 'conflict');
    throw e;
  }
  const { fm, body, summary } = draft;
  refuseGatedStart(ctx, fm.system, fm.status);
  const slug = requested || titleSlug(fm.title);
  if (!slugRe.test(slug)) {
    throw new ValidationError([{ field: 'slug', message: 'Cannot make a slug from this title; enter one, for example sepsis-screening-bpa.' }]);
  }
  const at = (ctx.at ?? new Date()).toISOString();
  const touched: Touched[] = [];
  const row = ctx.store.transaction(() => {
    if (ctx.store.pages.head(slug)) {
      // A restricted page the author may not see still holds its address; the refusal names neither it nor its title.
      if (hiddenFromActor(ctx).has(slug)) throw new ValidationError([{ field: 'slug', message: 'This address is not available; choose another slug.' }], 409);
      throw new ValidationError([{ field: 'slug', message: `A page with the slug "${slug}" already exists. Choose another slug, or edit that page.` }], 409);
    }
    const headFields = { slug, current_version: 1, title: fm.title, system: fm.system, module: fm.module ?? null, status: fm.status, created_at: at, updated_at: at, updated_by: ctx.actor.username };
    const id = ctx.store.pages.insertHead(headFields);
    const v = writeVersion(ctx, { id, archived: 0, last_reviewed_at: null, last_reviewed_by: null, ...headFields }, 1, null, fm, body, summary || 'Created page', at);
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'page.created', target: slug, client: ctx.client, at, details: { version: 1, hash: v.hash, status: fm.status, ...phiOverrideDetails(ctx) } });
    // The saved page replaces its author's draft of it.
    ctx.store.drafts.remove(ctx.actor.username, slug);
    syncSupersession(ctx, slug, null, fm, at, touched);
    return v;
  });
  ctx.events?.emit('page-changed', { slug, version: 1, created: true });
  for (const t of touched) ctx.events?.emit('page-changed', { ...t, created: false });
  return toPageVersion(row);
}
