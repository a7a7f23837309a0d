import slugify from '@sindresorhus/slugify';
import type { Store } from '../store/index.js';
import type { PageHeadRow, VersionRow } from '../store/pages.js';
import { recordAudit } from '../audit/log.js';
import { extractWikiLinks } from '../render/markdown.js';
import { ConflictError, NotFoundError, PayloadTooLargeError, ValidationError, type FieldError } from './errors.js';
import { canonicalJson, chainHash, versionRecord } from './hash.js';
import { checkFrontMatter, normalizeFrontMatter, orderFrontMatter, SLUG_PATTERN, type FrontMatter } from './schema.js';
import { toPageVersion, type PageVersion } from './model.js';
import type { PageEvents } from './events.js';

export interface Actor {
  username: string;
}

/** What every command needs: the store, the rules that come from configuration, and who is asking. */
export interface CommandContext {
  store: Store;
  systems: string[];
  maxBodyBytes: number;
  events?: PageEvents;
  actor: Actor;
  client?: string | null;
  /** The time to record; the importer passes the original time of a version. */
  at?: Date;
}

export interface PageDraft {
  /** Front matter fields, loosely typed: form text or API JSON. */
  frontMatter: Record<string, unknown>;
  body: string;
  summary?: string;
}

export interface CreatePageInput extends PageDraft {
  slug?: string;
}

export interface SavePageInput extends PageDraft {
  baseVersion: number;
}

export interface SaveResult {
  page: PageVersion;
  /** True when the draft matched the current version, so nothing was written. */
  unchanged: boolean;
}

const SUMMARY_MAX = 500;
const slugRe = new RegExp(SLUG_PATTERN);

/**
 * Validates everything a person typed and reports every problem at once, so a form can show each
 * message beside its field.
 */
function validateDraft(ctx: CommandContext, draft: PageDraft, extraErrors: FieldError[], summaryRequired: boolean): { fm: FrontMatter; body: string; summary: string } {
  const body = typeof draft.body === 'string' ? draft.body.replace(/\r\n/g, '\n') : '';
  if (Buffer.byteLength(body, 'utf8') > ctx.maxBodyBytes) {
    throw new PayloadTooLargeError(`The page body is larger than the limit of ${Math.floor(ctx.maxBodyBytes / 1024)} KiB; split it into several pages.`);
  }
  const errors = [...extraErrors];
  let fm: FrontMatter | undefined;
  try {
    const normalized = normalizeFrontMatter(draft.frontMatter);
    // Owners are checked against the directory even when other fields fail, so the form shows every problem.
    const owners = Array.isArray(normalized.owners) ? normalized.owners.filter((o): o is string => typeof o === 'string') : [];
    const known = ctx.store.parties.existing(owners);
    const unknown = owners.filter((o) => !known.has(o));
    if (unknown.length > 0) {
      errors.push({ field: 'owners', message: `Unknown owner${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Owners must be existing people or teams.` });
    }
    fm = orderFrontMatter(checkFrontMatter(normalized, ctx.systems));
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    errors.push(...e.errors.filter((x) => !errors.some((y) => y.field === x.field)));
  }
  const summary = (draft.summary ?? '').trim();
  if (summaryRequired && summary === '') errors.push({ field: 'summary', message: 'A change summary is required: say what changed and why.' });
  if (summary.length > SUMMARY_MAX) errors.push({ field: 'summary', message: `The change summary must be at most ${SUMMARY_MAX} characters.` });
  if (errors.length > 0 || !fm) throw new ValidationError(errors);
  return { fm, body, summary };
}

function writeVersion(ctx: CommandContext, head: PageHeadRow, version: number, prevHash: string | null, fm: FrontMatter, body: string, summary: string, at: string, archived = 0): VersionRow {
  const unsealed = { page_id: head.id, version, slug: head.slug, front_matter: canonicalJson(fm), body, summary, author: ctx.actor.username, created_at: at, prev_hash: prevHash, archived };
  const row: VersionRow = { ...unsealed, hash: chainHash(prevHash, versionRecord(unsealed)) };
  ctx.store.pages.insertVersion(row);
  ctx.store.pages.replaceOwners(head.id, fm.owners);
  ctx.store.pages.replaceLinks(head.id, extractWikiLinks(`${fm.why}\n\n${body}`));
  return row;
}

/** Creates a page at version 1, with its audit event, in one transaction. */
export function createPage(ctx: CommandContext, input: CreatePageInput): PageVersion {
  const extra: FieldError[] = [];
  const requested = (input.slug ?? '').trim();
  if (requested && !slugRe.test(requested)) {
    extra.push({ field: 'slug', message: 'A slug is lowercase letters and digits joined by single dashes, for example sepsis-screening-bpa.' });
  }
  const { fm, body, summary } = validateDraft(ctx, input, extra, false);
  const slug = requested || slugify(fm.title, { decamelize: false }).slice(0, 80).replace(/-+$/, '');
  if (!slugRe.test(slug)) {
    throw new ValidationError([{ field: 'slug', message: 'Cannot make a slug from this title; enter one, for example sepsis-screening-bpa.' }]);
  }
  const at = (ctx.at ?? new Date()).toISOString();
  const row = ctx.store.transaction(() => {
    if (ctx.store.pages.head(slug)) {
      throw new ValidationError([{ field: 'slug', message: `A page with the slug "${slug}" already exists. Choose another slug, or edit that page.` }], 409);
    }
    const headFields = { slug, current_version: 1, title: fm.title, system: fm.system, module: fm.module ?? null, status: fm.status, created_at: at, updated_at: at, updated_by: ctx.actor.username };
    const id = ctx.store.pages.insertHead(headFields);
    const v = writeVersion(ctx, { id, archived: 0, ...headFields }, 1, null, fm, body, summary || 'Created page', at);
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'page.created', target: slug, client: ctx.client, at, details: { version: 1, hash: v.hash, status: fm.status } });
    return v;
  });
  ctx.events?.emit('page-changed', { slug, version: 1, created: true });
  return toPageVersion(row);
}

/**
 * Saves a new version of a page. Refuses with a conflict when the page moved on since `baseVersion`,
 * so that one person never silently overwrites another.
 */
export function savePage(ctx: CommandContext, slug: string, input: SavePageInput): SaveResult {
  return saveVersion(ctx, slug, input, 'page.saved', {});
}

function saveVersion(ctx: CommandContext, slug: string, input: SavePageInput, action: 'page.saved' | 'page.restored', details: Record<string, unknown>): SaveResult {
  if (!ctx.store.pages.head(slug)) throw new NotFoundError(`There is no page "${slug}".`);
  const baseErrors: FieldError[] = [];
  if (!Number.isInteger(input.baseVersion) || input.baseVersion < 1) {
    baseErrors.push({ field: 'base_version', message: 'base_version must be the version number the edit started from.' });
  }
  const { fm, body, summary } = validateDraft(ctx, input, baseErrors, true);
  const at = (ctx.at ?? new Date()).toISOString();
  const result = ctx.store.transaction(() => {
    const head = ctx.store.pages.head(slug);
    if (!head) throw new NotFoundError(`There is no page "${slug}".`);
    if (head.archived) {
      throw new ValidationError([{ field: 'base_version', message: `The page "${slug}" is archived; unarchive it before editing.` }], 409);
    }
    if (input.baseVersion > head.current_version) {
      throw new ValidationError([{ field: 'base_version', message: `Version ${input.baseVersion} does not exist; the page is at version ${head.current_version}.` }]);
    }
    if (input.baseVersion < head.current_version) {
      throw new ConflictError(
        `The page changed since version ${input.baseVersion}: it is now at version ${head.current_version}. Your text was kept; merge it with the changes and save again.`,
        input.baseVersion,
        head.current_version,
      );
    }
    const current = ctx.store.pages.version(head.id, head.current_version)!;
    if (current.front_matter === canonicalJson(fm) && current.body === body) return { row: current, unchanged: true };
    const version = head.current_version + 1;
    const v = writeVersion(ctx, head, version, current.hash, fm, body, summary, at);
    ctx.store.pages.updateHead({ id: head.id, current_version: version, title: fm.title, system: fm.system, module: fm.module ?? null, status: fm.status, archived: head.archived, updated_at: at, updated_by: ctx.actor.username });
    // One event per write: a save that moves the status is recorded as the status change it is.
    const statusChanged = head.status !== fm.status;
    recordAudit(ctx.store, {
      actor: ctx.actor.username,
      action: statusChanged && action === 'page.saved' ? 'page.status_changed' : action,
      target: slug,
      client: ctx.client,
      at,
      details: { version, hash: v.hash, summary, ...details, ...(statusChanged ? { status: { from: head.status, to: fm.status } } : {}) },
    });
    return { row: v, unchanged: false };
  });
  if (!result.unchanged) ctx.events?.emit('page-changed', { slug, version: result.row.version, created: false });
  return { page: toPageVersion(result.row), unchanged: result.unchanged };
}

export interface RestoreInput {
  version: number;
  summary: string;
}

/**
 * Makes the content of an earlier version current again, as a new version: history only grows, so the
 * restore itself stays visible.
 */
export function restorePage(ctx: CommandContext, slug: string, input: RestoreInput): SaveResult {
  const head = ctx.store.pages.head(slug);
  if (!head) throw new NotFoundError(`There is no page "${slug}".`);
  const source = Number.isInteger(input.version) ? ctx.store.pages.version(head.id, input.version) : undefined;
  if (!source) throw new NotFoundError(`Page "${slug}" has no version ${input.version}; its versions are 1 to ${head.current_version}.`);
  const why = (input.summary ?? '').trim();
  if (!why) throw new ValidationError([{ field: 'summary', message: 'Say why this version is being restored.' }]);
  const result = saveVersion(
    ctx,
    slug,
    { frontMatter: JSON.parse(source.front_matter) as Record<string, unknown>, body: source.body, summary: `Restored from version ${source.version}: ${why}`, baseVersion: head.current_version },
    'page.restored',
    { restored_from: source.version },
  );
  if (result.unchanged) {
    throw new ValidationError([{ field: 'version', message: `The current version already has the content of version ${source.version}; nothing to restore.` }]);
  }
  return result;
}

/**
 * Archives or unarchives a page by writing a version that carries the same content and the new state:
 * nothing is ever deleted, and the wiki as of any date still shows the page where it belonged.
 */
export function setArchived(ctx: CommandContext, slug: string, archived: boolean, summary: string): PageVersion {
  const why = (summary ?? '').trim();
  if (!why) throw new ValidationError([{ field: 'summary', message: `Say why the page is being ${archived ? 'archived' : 'unarchived'}.` }]);
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
    ctx.store.pages.updateHead({ ...head, current_version: version, archived: archived ? 1 : 0, updated_at: at, updated_by: ctx.actor.username });
    recordAudit(ctx.store, { actor: ctx.actor.username, action: archived ? 'page.archived' : 'page.unarchived', target: slug, client: ctx.client, at, details: { version, hash: v.hash, summary: why } });
    return v;
  });
  ctx.events?.emit('page-changed', { slug, version: row.version, created: true });
  return toPageVersion(row);
}
