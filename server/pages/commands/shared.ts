import type { PageHeadRow, VersionRow } from '../../store/pages.js';
import { recordAudit, type AuditAction } from '../../audit/log.js';
import { extractWikiLinks } from '../../render/markdown.js';
import { ConflictError, NotFoundError, PayloadTooLargeError, ValidationError, type FieldError } from '../../core/errors.js';
import { canonicalJson, chainHash, digestRecord, fieldDigests, versionRecord } from '../../core/hash.js';
import type { CommandContext } from '../../core/context.js';
import { SUMMARY_MAX } from '../../core/rules.js';
import { markdownProblem } from '../../render/limits.js';
import { checkFrontMatter, normalizeFrontMatter, orderFrontMatter, SLUG_PATTERN, type FrontMatter } from '../schema.js';
import { toPageVersion, type PageVersion } from '../model.js';
import { REVIEWED_STATUSES } from '../review.js';
import { PAGE_TEXT_FIELDS, refuseIfPhi } from '../../phi/guard.js';
import { canSee, hiddenSlugs, redactText } from '../../auth/visibility.js';
import { referencedFiles } from '../../files/refs.js';
import { applyPatch, structuredPatch } from 'diff';
import { refuseUnlessApproved } from '../../signoff/approvals.js';
import { markdownText } from '../../render/plain-text.js';

/** What the page commands share: the draft check, the version write and the supersession links they keep. */

/** What an audit event records of a PHI override: who decided is the event's actor. */
export function phiOverrideDetails(ctx: CommandContext): Record<string, unknown> {
  return ctx.phiOverride && ctx.lastPhiHits?.length ? { phi_override: { reason: ctx.phiOverride.reason, kinds: [...new Set(ctx.lastPhiHits.map((h) => h.kind))] } } : {};
}

export interface PageDraft {
  /** Front matter fields, loosely typed: form text or API JSON. */
  frontMatter: Record<string, unknown>;
  body: string;
  summary?: string;
}

export interface SavePageInput extends PageDraft {
  slug: string;
  baseVersion: number;
}

export interface SaveResult {
  page: PageVersion;
  /** True when the draft matched the current version, so nothing was written. */
  unchanged: boolean;
}

export const slugRe = new RegExp(SLUG_PATTERN);

/**
 * Validates everything a person typed and reports every problem at once, so a form can show each
 * message beside its field.
 */
export function validateDraft(ctx: CommandContext, slug: string, draft: PageDraft, extraErrors: FieldError[], summaryRequired: boolean, before?: { fm: FrontMatter; body: string }): { fm: FrontMatter; body: string; summary: string } {
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
    // Checked on the lists as given, before the schema, so an unknown page here shows with every other error.
    if (!ctx.verbatim) errors.push(...supersessionErrors(ctx, slug, { supersedes: stringsOf(normalized.supersedes), superseded_by: stringsOf(normalized.superseded_by) }, before?.fm));
    fm = orderFrontMatter(checkFrontMatter(normalized, ctx.systems));
    if (!ctx.verbatim) {
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
  const text = Object.fromEntries(PAGE_TEXT_FIELDS.map((f) => [f, fm[f]]));
  ctx.lastPhiHits = refuseIfPhi(ctx.phi, { ...text, body, summary }, ctx.phiOverride);
  return { fm, body, summary };
}

export function writeVersion(ctx: CommandContext, head: PageHeadRow, version: number, prevHash: string | null, fm: FrontMatter, body: string, summary: string, at: string, archived = 0): VersionRow {
  // The version seals the digests of the stored files it shows, so history shows them as they were.
  // A renamed page's body may still name its files by an earlier slug's URL (which redirects): those count too.
  const text = `${fm.why}\n${body}`;
  const files = [...new Set([head.slug, ...ctx.store.renames.earlierSlugs(head.id)].flatMap((s) => referencedFiles(s, text)))].sort().filter((sha) => ctx.store.files.meta(sha));
  const unsealed = { page_id: head.id, version, slug: head.slug, front_matter: canonicalJson(fm), body, summary, author: ctx.actor.username, created_at: at, prev_hash: prevHash, archived, files: files.length ? JSON.stringify(files) : null };
  // The hash seals the digests of the fields, so patient text found later can be purged and the chain still hold.
  const digests = fieldDigests(unsealed);
  const hash = chainHash(prevHash, digestRecord(unsealed, digests));
  const legacy = ctx.recordedHash && ctx.recordedHash !== hash ? chainHash(prevHash, versionRecord(unsealed)) : null;
  // An imported version recorded in the old form stays in it (its digests are sealed on the next start).
  const row: VersionRow = legacy && legacy === ctx.recordedHash
    ? { ...unsealed, record_form: 1, digests: null, sealed_by: null, hash: legacy }
    : { ...unsealed, record_form: 2, digests: JSON.stringify(digests), sealed_by: null, hash };
  ctx.store.pages.insertVersion(row);
  // Extracted here, by whichever process writes (an import, the CLI), so the search index picks the
  // version up without parsing its markdown again.
  ctx.store.pages.insertSearchText({ page_id: head.id, version, why: markdownText(fm.why), body: markdownText(body) });
  ctx.store.pages.replaceOwners(head.id, fm.owners);
  ctx.store.pages.setRestriction(head.id, fm.restricted_to);
  // A link to a renamed page's old slug counts as a link to the page, so its backlinks follow the rename.
  ctx.store.pages.replaceLinks(head.id, [...new Set((ctx.wikiLinks ?? extractWikiLinks(`${fm.why}\n\n${body}`)).map((s) => ctx.store.renames.current(s) ?? s))]);
  return row;
}

/**
 * The second half of every version write, in the caller's transaction: the page's head moves to the
 * new version and the audit event that seals it is recorded, so no version exists without its event.
 */
export function advanceHead(ctx: CommandContext, head: PageHeadRow, row: VersionRow, fm: FrontMatter, at: string, audit: { action: AuditAction; details: Record<string, unknown> }, archived = head.archived): void {
  ctx.store.pages.updateHead({ id: head.id, current_version: row.version, title: fm.title, system: fm.system, module: fm.module ?? null, status: fm.status, archived, updated_at: at, updated_by: ctx.actor.username });
  recordAudit(ctx.store, { actor: ctx.actor.username, action: audit.action, target: head.slug, client: ctx.client, at, details: { version: row.version, hash: row.hash, ...audit.details } });
}

export function saveVersion(ctx: CommandContext, input: SavePageInput, action: 'page.saved' | 'page.restored' | 'page.status_changed', details: Record<string, unknown>): SaveResult {
  const { slug } = input;
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
    // Approval is of the version as it stood: a move to approved or live needs its signatures first.
    if (head.status !== fm.status) refuseUnlessApproved(ctx, head, fm.status);
    const version = head.current_version + 1;
    const v = writeVersion(ctx, head, version, current.hash, fm, body, summary, at);
    // One event per write: a save that moves the status is recorded as the status change it is.
    const statusChanged = head.status !== fm.status;
    advanceHead(ctx, head, v, fm, at, {
      action: statusChanged && action === 'page.saved' ? 'page.status_changed' : action,
      details: { summary, ...details, ...(statusChanged ? { status: { from: head.status, to: fm.status } } : {}), ...phiOverrideDetails(ctx) },
    });
    syncSupersession(ctx, slug, JSON.parse(current.front_matter) as FrontMatter, fm, at, touched);
    // The saved page replaces its author's draft of it.
    if (action === 'page.saved') ctx.store.drafts.remove(ctx.actor.username, slug);
    return { row: v, unchanged: false };
  });
  if (!result.unchanged) ctx.events?.emit('page-changed', { slug, version: result.row.version, created: false });
  for (const t of touched) ctx.events?.emit('page-changed', { ...t, created: false });
  return { page: toPageVersion(result.row), unchanged: result.unchanged };
}

export interface Touched {
  slug: string;
  version: number;
}

/** The restricted pages the person saving may not see; none for the CLI and the server itself. */
export function hiddenFromActor(ctx: CommandContext): Set<string> {
  return ctx.actor.viewer ? hiddenSlugs(ctx.store, ctx.actor.viewer) : new Set();
}

/**
 * An editor never saw the restricted pages this page names (the form and the API show them as "a
 * restricted page"), so leaving them out of a draft does not unname them: they are kept as they were.
 */
export function keepHiddenLinks(ctx: CommandContext, normalized: Record<string, unknown>, before: FrontMatter): void {
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
export function keepHiddenText(ctx: CommandContext, stored: string, typed: string): string {
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
export function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function supersessionErrors(ctx: CommandContext, slug: string, fm: Pick<FrontMatter, 'supersedes' | 'superseded_by'>, before?: FrontMatter): FieldError[] {
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
    const missing = ctx.laterPagesMayFollow ? [] : list.filter((s) => (!ctx.store.pages.head(s) && !ctx.store.renames.current(s)) || unseen(s));
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
export function syncSupersession(ctx: CommandContext, slug: string, before: FrontMatter | null, after: FrontMatter, at: string, touched: Touched[]): void {
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

export function mirror(ctx: CommandContext, otherSlug: string, field: 'supersedes' | 'superseded_by', slug: string, add: boolean, at: string, touched: Touched[]): void {
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
  const statusChanged = head.status !== ordered.status;
  advanceHead(ctx, head, v, ordered, at, {
    action: statusChanged ? 'page.status_changed' : 'page.saved',
    details: { summary: `${summary} (kept in step with that page)`, linked_from: slug, ...(statusChanged ? { status: { from: head.status, to: ordered.status } } : {}) },
  });
  touched.push({ slug: otherSlug, version });
}
