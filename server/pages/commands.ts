import type { Store } from '../store/index.js';
import type { PageHeadRow, VersionRow } from '../store/pages.js';
import { recordAudit } from '../audit/log.js';
import { extractWikiLinks } from '../render/markdown.js';
import { ConflictError, NotFoundError, PayloadTooLargeError, ValidationError, type FieldError } from '../core/errors.js';
import { canonicalJson, chainHash, versionRecord } from '../core/hash.js';
import type { CommandContext } from '../core/context.js';
import { REASON_MAX, slugOf, SUMMARY_MAX } from '../core/rules.js';
import { refuseOverrideUnlessAdmin } from '../core/permissions.js';
import { markdownProblem } from '../render/limits.js';
import { checkFrontMatter, normalizeFrontMatter, orderFrontMatter, SLUG_PATTERN, STATUSES, type FrontMatter, type PageStatus } from './schema.js';
import { toPageVersion, type PageVersion } from './model.js';
import { REVIEWED_STATUSES } from './review.js';
import { STATUS_TRANSITIONS } from './lifecycle.js';
import { PhiRefused, refuseIfPhi, type PhiHit } from '../phi/guard.js';
import { canSee, hiddenSlugs, redactText } from '../auth/visibility.js';
import { referencedFiles } from '../files/refs.js';
import { applyPatch, structuredPatch } from 'diff';

export type { Actor, CommandContext } from '../core/context.js';

export { PhiRefused };

/** What an audit event records of a PHI override: who decided is the event's actor. */
function phiOverrideDetails(ctx: CommandContext): Record<string, unknown> {
  return ctx.phiOverride && ctx.lastPhiHits?.length ? { phi_override: { reason: ctx.phiOverride.reason, kinds: [...new Set(ctx.lastPhiHits.map((h) => h.kind))] } } : {};
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

const slugRe = new RegExp(SLUG_PATTERN);

/**
 * Validates everything a person typed and reports every problem at once, so a form can show each
 * message beside its field.
 */
function validateDraft(ctx: CommandContext, slug: string, draft: PageDraft, extraErrors: FieldError[], summaryRequired: boolean, before?: { fm: FrontMatter; body: string }): { fm: FrontMatter; body: string; summary: string } {
  const typed = typeof draft.body === 'string' ? draft.body.replace(/\r\n/g, '\n') : '';
  const body = before ? keepHiddenText(ctx, before.body, typed) : typed;
  if (Buffer.byteLength(body, 'utf8') > ctx.maxBodyBytes) {
    throw new PayloadTooLargeError(`The page body is larger than the limit of ${Math.floor(ctx.maxBodyBytes / 1024)} KiB; split it into several pages.`);
  }
  // Text the renderer could not show within bounds is refused before anything else is looked at.
  const draftWhy = draft.frontMatter.why;
  for (const [field, text] of [['body', body], ['why', typeof draftWhy === 'string' ? draftWhy : '']] as const) {
    const problem = markdownProblem(text);
    if (problem) throw new ValidationError([{ field, message: problem }], 422);
  }
  const errors = [...extraErrors];
  let fm: FrontMatter | undefined;
  try {
    const normalized = normalizeFrontMatter(draft.frontMatter);
    if (before) {
      keepHiddenLinks(ctx, normalized, before.fm);
      if (typeof normalized.why === 'string') normalized.why = keepHiddenText(ctx, before.fm.why, normalized.why);
    }
    // Owners are checked against the directory even when other fields fail, so the form shows every problem.
    const owners = Array.isArray(normalized.owners) ? normalized.owners.filter((o): o is string => typeof o === 'string') : [];
    const known = ctx.store.parties.existing(owners);
    const unknown = owners.filter((o) => !known.has(o));
    if (unknown.length > 0) {
      errors.push({ field: 'owners', message: `Unknown owner${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Owners must be existing people or teams.` });
    }
    const restricted = Array.isArray(normalized.restricted_to) ? normalized.restricted_to.filter((t): t is string => typeof t === 'string') : [];
    if (restricted.length > 0) {
      const notTeams = restricted.filter((t) => ctx.store.parties.get(t)?.kind !== 'team');
      if (notTeams.length > 0) errors.push({ field: 'restricted_to', message: `Not a team: ${notTeams.join(', ')}. A page can be restricted to existing teams only.` });
      else if (ctx.actor.viewer && !canSee(restricted, ctx.actor.viewer)) {
        errors.push({ field: 'restricted_to', message: 'You are not a member of any of these teams, so you would lose access to the page. Include one of your teams, or ask an admin.' });
      }
    }
    fm = orderFrontMatter(checkFrontMatter(normalized, ctx.systems));
    if (!ctx.verbatim) {
      errors.push(...supersessionErrors(ctx, slug, fm, before?.fm));
      // A page with a successor is superseded: the banner and the reports rely on the status saying so.
      if (fm.superseded_by?.length && REVIEWED_STATUSES.includes(fm.status)) fm = { ...fm, status: 'superseded' };
    }
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    errors.push(...e.errors.filter((x) => !errors.some((y) => y.field === x.field)));
  }
  const summary = (draft.summary ?? '').trim();
  if (summaryRequired && summary === '') errors.push({ field: 'summary', message: 'A change summary is required: say what changed and why.' });
  if (summary.length > SUMMARY_MAX) errors.push({ field: 'summary', message: `The change summary must be at most ${SUMMARY_MAX} characters.` });
  if (errors.length > 0 || !fm) throw new ValidationError(errors);
  const { title, why, module, requested_by, sponsor, records, tags } = fm;
  ctx.lastPhiHits = refuseIfPhi(ctx.phi, { title, why, module, requested_by, sponsor, records, tags, body, summary }, ctx.phiOverride);
  return { fm, body, summary };
}

function writeVersion(ctx: CommandContext, head: PageHeadRow, version: number, prevHash: string | null, fm: FrontMatter, body: string, summary: string, at: string, archived = 0): VersionRow {
  // The version seals the digests of the stored files it shows, so history shows them as they were.
  const files = referencedFiles(head.slug, `${fm.why}\n${body}`).filter((sha) => ctx.store.files.meta(sha));
  const unsealed = { page_id: head.id, version, slug: head.slug, front_matter: canonicalJson(fm), body, summary, author: ctx.actor.username, created_at: at, prev_hash: prevHash, archived, files: files.length ? JSON.stringify(files) : null };
  const row: VersionRow = { ...unsealed, hash: chainHash(prevHash, versionRecord(unsealed)) };
  ctx.store.pages.insertVersion(row);
  ctx.store.pages.replaceOwners(head.id, fm.owners);
  ctx.store.pages.setRestriction(head.id, fm.restricted_to);
  ctx.store.pages.replaceLinks(head.id, ctx.wikiLinks ?? extractWikiLinks(`${fm.why}\n\n${body}`));
  return row;
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
  const { fm, body, summary } = validateDraft(ctx, requested || titleSlug(input.frontMatter.title), input, extra, false);
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
    syncSupersession(ctx, slug, null, fm, at, touched);
    return v;
  });
  ctx.events?.emit('page-changed', { slug, version: 1, created: true });
  for (const t of touched) ctx.events?.emit('page-changed', { ...t, created: false });
  return toPageVersion(row);
}

/**
 * Saves a new version of a page. Refuses with a conflict when the page moved on since `baseVersion`,
 * so that one person never silently overwrites another.
 */
export function savePage(ctx: CommandContext, slug: string, input: SavePageInput): SaveResult {
  refuseOverrideUnlessAdmin(ctx);
  return saveVersion(ctx, slug, input, 'page.saved', {});
}

function saveVersion(ctx: CommandContext, slug: string, input: SavePageInput, action: 'page.saved' | 'page.restored' | 'page.status_changed', details: Record<string, unknown>): SaveResult {
  const existing = ctx.store.pages.head(slug);
  if (!existing) throw new NotFoundError(`There is no page "${slug}".`);
  const baseErrors: FieldError[] = [];
  if (!Number.isInteger(input.baseVersion) || input.baseVersion < 1) {
    baseErrors.push({ field: 'base_version', message: 'base_version must be the version number the edit started from.' });
  }
  const before = JSON.parse(ctx.store.pages.version(existing.id, existing.current_version)!.front_matter) as FrontMatter;
  const { fm, body, summary } = validateDraft(ctx, slug, input, baseErrors, true, { fm: before, body: ctx.store.pages.version(existing.id, existing.current_version)!.body });
  const at = (ctx.at ?? new Date()).toISOString();
  const touched: Touched[] = [];
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
      details: { version, hash: v.hash, summary, ...details, ...(statusChanged ? { status: { from: head.status, to: fm.status } } : {}), ...phiOverrideDetails(ctx) },
    });
    syncSupersession(ctx, slug, JSON.parse(current.front_matter) as FrontMatter, fm, at, touched);
    return { row: v, unchanged: false };
  });
  if (!result.unchanged) ctx.events?.emit('page-changed', { slug, version: result.row.version, created: false });
  for (const t of touched) ctx.events?.emit('page-changed', { ...t, created: false });
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
  refuseIfPhi(ctx.phi, { summary: why });
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
    ctx.store.pages.updateHead({ ...head, current_version: version, archived: archived ? 1 : 0, updated_at: at, updated_by: ctx.actor.username });
    recordAudit(ctx.store, { actor: ctx.actor.username, action: archived ? 'page.archived' : 'page.unarchived', target: slug, client: ctx.client, at, details: { version, hash: v.hash, summary: why } });
    return v;
  });
  ctx.events?.emit('page-changed', { slug, version: row.version, created: true });
  return toPageVersion(row);
}

interface Touched {
  slug: string;
  version: number;
}

/** The restricted pages the person saving may not see; none for the CLI and the server itself. */
function hiddenFromActor(ctx: CommandContext): Set<string> {
  return ctx.actor.viewer ? hiddenSlugs(ctx.store, ctx.actor.viewer) : new Set();
}

/**
 * An editor never saw the restricted pages this page names (the form and the API show them as "a
 * restricted page"), so leaving them out of a draft does not unname them: they are kept as they were.
 */
function keepHiddenLinks(ctx: CommandContext, normalized: Record<string, unknown>, before: FrontMatter): void {
  const hidden = hiddenFromActor(ctx);
  if (hidden.size === 0) return;
  for (const field of ['supersedes', 'superseded_by'] as const) {
    const kept = (before[field] ?? []).filter((s) => hidden.has(s));
    if (kept.length === 0) continue;
    const now = Array.isArray(normalized[field]) ? (normalized[field] as unknown[]) : [];
    normalized[field] = [...now, ...kept.filter((s) => !now.includes(s))];
  }
}

/**
 * An editor is shown "a restricted page" where the text names a page they may not see, and sends that
 * back. Their edit is replayed onto the stored text, so the names they never saw stay where they were;
 * only a line they changed themselves takes their words.
 */
function keepHiddenText(ctx: CommandContext, stored: string, typed: string): string {
  const hidden = hiddenFromActor(ctx);
  const shown = redactText(stored, hidden);
  if (shown === stored || typed === stored) return typed;
  // Every text gains a final newline, so a last line is not "changed" just by text being added after it.
  const merged = applyPatch(`${stored}\n`, structuredPatch('', '', `${shown}\n`, `${typed}\n`, '', '', { context: 0 }), {
    compareLine: (_n, line, _op, patchContent) => redactText(line, hidden) === patchContent,
  });
  return merged === false ? typed : merged.slice(0, -1);
}

/**
 * A page cannot supersede itself, supersede and be superseded by the same page, or name pages that do
 * not exist. A page its author may not see counts as not existing, with the same message, so that
 * neither the answer nor the mirrored version written into that page gives it away.
 */
function supersessionErrors(ctx: CommandContext, slug: string, fm: FrontMatter, before?: FrontMatter): FieldError[] {
  const errors: FieldError[] = [];
  const hidden = hiddenFromActor(ctx);
  for (const field of ['supersedes', 'superseded_by'] as const) {
    const list = fm[field] ?? [];
    if (list.includes(slug)) {
      errors.push({ field, message: 'A page cannot supersede itself.' });
      continue;
    }
    // A link already on the page was made by someone who could see both pages; it may stay.
    const unseen = (s: string) => hidden.has(s) && !(before?.[field] ?? []).includes(s);
    const missing = ctx.laterPagesMayFollow ? [] : list.filter((s) => !ctx.store.pages.head(s) || unseen(s));
    if (missing.length > 0) errors.push({ field, message: `No page has the slug ${missing.join(', ')}; ${field === 'supersedes' ? 'a page can only supersede' : 'only'} an existing page${field === 'supersedes' ? '' : ' can supersede this one'}.` });
  }
  const both = (fm.supersedes ?? []).filter((s) => (fm.superseded_by ?? []).includes(s));
  if (both.length > 0 && !errors.some((e) => e.field === 'superseded_by')) {
    errors.push({ field: 'superseded_by', message: `${both.join(', ')} cannot both be superseded by this page and supersede it.` });
  }
  return errors;
}

/**
 * Keeps `supersedes` and `superseded_by` symmetric: when a page starts or stops naming another, the other
 * page gets a version saying so, in the same transaction, with its own audit event. A page that gains a
 * successor becomes superseded.
 */
function syncSupersession(ctx: CommandContext, slug: string, before: FrontMatter | null, after: FrontMatter, at: string, touched: Touched[]): void {
  if (ctx.verbatim) return;
  const diff = (field: 'supersedes' | 'superseded_by') => {
    const old = before?.[field] ?? [];
    const now = after[field] ?? [];
    return { added: now.filter((s) => !old.includes(s)), removed: old.filter((s) => !now.includes(s)) };
  };
  const supersedes = diff('supersedes');
  const supersededBy = diff('superseded_by');
  for (const other of supersedes.added) mirror(ctx, other, 'superseded_by', slug, true, at, touched);
  for (const other of supersedes.removed) mirror(ctx, other, 'superseded_by', slug, false, at, touched);
  for (const other of supersededBy.added) mirror(ctx, other, 'supersedes', slug, true, at, touched);
  for (const other of supersededBy.removed) mirror(ctx, other, 'supersedes', slug, false, at, touched);
}

function mirror(ctx: CommandContext, otherSlug: string, field: 'supersedes' | 'superseded_by', slug: string, add: boolean, at: string, touched: Touched[]): void {
  const head = ctx.store.pages.head(otherSlug);
  if (!head) return;
  const current = ctx.store.pages.version(head.id, head.current_version)!;
  const fm = JSON.parse(current.front_matter) as FrontMatter;
  const list = fm[field] ?? [];
  if (add === list.includes(slug)) return;
  const next: FrontMatter = { ...fm, [field]: add ? [...list, slug] : list.filter((s) => s !== slug) };
  if (next[field]!.length === 0) delete next[field];
  if (field === 'superseded_by' && add && REVIEWED_STATUSES.includes(next.status)) next.status = 'superseded';
  const summary =
    field === 'superseded_by'
      ? add ? `Superseded by ${slug}` : `No longer superseded by ${slug}`
      : add ? `Supersedes ${slug}` : `No longer supersedes ${slug}`;
  const ordered = orderFrontMatter(next);
  const version = head.current_version + 1;
  const v = writeVersion(ctx, head, version, current.hash, ordered, current.body, `${summary} (kept in step with that page)`, at, head.archived);
  ctx.store.pages.updateHead({ id: head.id, current_version: version, title: ordered.title, system: ordered.system, module: ordered.module ?? null, status: ordered.status, archived: head.archived, updated_at: at, updated_by: ctx.actor.username });
  const statusChanged = head.status !== ordered.status;
  recordAudit(ctx.store, {
    actor: ctx.actor.username,
    action: statusChanged ? 'page.status_changed' : 'page.saved',
    target: otherSlug,
    client: ctx.client,
    at,
    details: { version, hash: v.hash, summary: `${summary} (kept in step with that page)`, linked_from: slug, ...(statusChanged ? { status: { from: head.status, to: ordered.status } } : {}) },
  });
  touched.push({ slug: otherSlug, version });
}

export interface StatusChangeInput {
  status: string;
  reason: string;
  /** For a change to superseded: the page that takes over, when the page names none yet. */
  supersededBy?: string;
}

/**
 * Moves a page along its lifecycle (proposed → approved → in-build → live → superseded or retired, and
 * rejected), as a new version whose summary carries the reason.
 */
export function changeStatus(ctx: CommandContext, slug: string, input: StatusChangeInput): SaveResult {
  const head = ctx.store.pages.head(slug);
  if (!head) throw new NotFoundError(`There is no page "${slug}".`);
  const reason = (input.reason ?? '').trim();
  const status = (input.status ?? '').trim() as PageStatus;
  const errors: FieldError[] = [];
  if (!STATUSES.includes(status)) errors.push({ field: 'status', message: `Status must be one of: ${STATUSES.join(', ')}.` });
  else if (status === head.status) errors.push({ field: 'status', message: `The page is already ${status}.` });
  else if (!STATUS_TRANSITIONS[head.status as PageStatus].includes(status)) {
    errors.push({ field: 'status', message: `A ${head.status} page can become ${STATUS_TRANSITIONS[head.status as PageStatus].join(' or ')}, not ${status}.` });
  }
  if (!reason) errors.push({ field: 'reason', message: 'Say why the status changes: a status change needs a reason.' });
  else if (reason.length > REASON_MAX) errors.push({ field: 'reason', message: `The reason must be at most ${REASON_MAX} characters.` });
  const current = ctx.store.pages.version(head.id, head.current_version)!;
  const fm = JSON.parse(current.front_matter) as FrontMatter;
  const successor = (input.supersededBy ?? '').trim().toLowerCase();
  if (status === 'superseded' && !successor && !fm.superseded_by?.length) {
    errors.push({ field: 'superseded_by', message: 'Name the page that supersedes this one.' });
  }
  // Back in service would unname the successor, and the person may not see it (the page says "superseded by a restricted page").
  if (STATUSES.includes(status) && REVIEWED_STATUSES.includes(status) && (fm.superseded_by ?? []).some((s) => hiddenFromActor(ctx).has(s))) {
    errors.push({ field: 'status', message: 'A restricted page you cannot see supersedes this one; only a member of its team can put this page back in service.' });
  }
  if (errors.length > 0) throw new ValidationError(errors);
  refuseIfPhi(ctx.phi, { reason });
  let superseded_by = successor && !(fm.superseded_by ?? []).includes(successor) ? [...(fm.superseded_by ?? []), successor] : fm.superseded_by;
  // Back in service: it no longer has a successor (and the successor no longer supersedes it).
  if (REVIEWED_STATUSES.includes(status)) superseded_by = undefined;
  return saveVersion(
    ctx,
    slug,
    { frontMatter: { ...fm, status, superseded_by }, body: current.body, summary: `Status ${head.status} → ${status}: ${reason}`, baseVersion: head.current_version },
    'page.status_changed',
    { reason },
  );
}

export interface OwnershipMove {
  slug: string;
  /** The owner that takes `from`'s place on this page. */
  to: string;
}

/**
 * Moves pages from one owner to others: one new version per page ("Ownership moved from X to Y: reason")
 * with its audit event, all in one transaction, so a reassignment is applied whole or not at all.
 * Callers check the new owners (see checkSuccessor); this checks that each page is owned by `from`.
 */
export function moveOwnership(ctx: CommandContext, from: string, moves: OwnershipMove[], reason: string): PageVersion[] {
  const why = (reason ?? '').trim();
  if (!why) throw new ValidationError([{ field: 'summary', message: 'Say why the pages move: the reason goes into each page\'s history.' }]);
  if (why.length > REASON_MAX) throw new ValidationError([{ field: 'summary', message: `The reason must be at most ${REASON_MAX} characters.` }]);
  refuseIfPhi(ctx.phi, { summary: why });
  const name = (handle: string) => ctx.store.parties.get(handle)?.name ?? handle;
  const at = (ctx.at ?? new Date()).toISOString();
  const rows = ctx.store.transaction(() =>
    moves.map(({ slug, to }) => {
      const head = ctx.store.pages.head(slug);
      if (!head) throw new NotFoundError(`There is no page "${slug}".`);
      const current = ctx.store.pages.version(head.id, head.current_version)!;
      const fm = JSON.parse(current.front_matter) as FrontMatter;
      if (!fm.owners.includes(from)) throw new ValidationError([{ field: 'from', message: `The page "${slug}" is not owned by ${from}.` }], 409);
      if (head.archived) throw new ValidationError([{ field: 'from', message: `The page "${slug}" is archived; unarchive it before moving it.` }], 409);
      const owners = [...new Set(fm.owners.map((o) => (o === from ? to : o)))];
      const summary = `Ownership moved from ${name(from)} to ${name(to)}: ${why}`;
      const version = head.current_version + 1;
      const next = orderFrontMatter({ ...fm, owners });
      const v = writeVersion(ctx, head, version, current.hash, next, current.body, summary, at, 0);
      ctx.store.pages.updateHead({ id: head.id, current_version: version, title: next.title, system: next.system, module: next.module ?? null, status: next.status, archived: 0, updated_at: at, updated_by: ctx.actor.username });
      recordAudit(ctx.store, { actor: ctx.actor.username, action: 'page.ownership_moved', target: slug, client: ctx.client, at, details: { version, hash: v.hash, summary, from, to } });
      return v;
    }),
  );
  for (const v of rows) ctx.events?.emit('page-changed', { slug: v.slug, version: v.version, created: false });
  return rows.map(toPageVersion);
}

/**
 * Gives every page this page names in `supersedes` or `superseded_by` the link back, for importers that
 * write pages in an order where the other page arrived later. Does nothing when the links already agree.
 */
export function reconcileSupersession(ctx: CommandContext, slug: string): void {
  const head = ctx.store.pages.head(slug);
  if (!head) return;
  const fm = JSON.parse(ctx.store.pages.version(head.id, head.current_version)!.front_matter) as FrontMatter;
  const touched: Touched[] = [];
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => syncSupersession({ ...ctx, verbatim: false }, slug, null, fm, at, touched));
  for (const t of touched) ctx.events?.emit('page-changed', { ...t, created: false });
}
