import { randomBytes } from 'node:crypto';
import type { CommandContext } from '../core/context.js';
import type { PurgeListRow, PurgeRow } from '../store/purges.js';
import type { VersionRow } from '../store/pages.js';
import { recordAudit } from '../audit/log.js';
import { canonicalJson, DIGESTED_FIELDS, fieldDigests, sha256, type DigestedField, type FieldDigests } from '../core/hash.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../core/errors.js';
import { refuseIfPhi } from '../phi/guard.js';
import { sealVersionDigests } from './seal.js';

/** What stands where purged text was. */
export const REMOVED_MARKER = '[removed]';
export const PURGE_REASON_MAX = 500;
export const PURGE_TEXT_MAX = 10_000;
/** Shorter texts occur by chance ("an", "12") and would remove far more than was meant. */
export const PURGE_TEXT_MIN = 3;

export interface PurgeRequestInput {
  slug: string;
  /** The version the text or file is in. */
  version: number;
  reason: string;
  /** The exact text to remove; or else `file`. */
  text?: string;
  /** The sha256 of an attachment the version shows, whose bytes to remove; or else `text`. */
  file?: string;
}

/** Where the text occurs: occurrences per field. */
export type Occurrences = Partial<Record<DigestedField, number>>;

/** What a copy made before the purge is, so the purge record can name it for destruction. */
export interface CopyToDestroy {
  event: number;
  at: string;
  actor: string;
  what: string;
}

export interface PurgeCopies {
  exports: CopyToDestroy[];
  /** Backups are made outside the audit log: every one made since this time holds the text too. */
  backups_since: string;
}

export interface PurgeView {
  id: number;
  slug: string;
  version: number;
  status: string;
  reason: string;
  fields: Occurrences;
  requested_by: string;
  requested_at: string;
  approved_by: string | null;
  approved_at: string | null;
  copies_to_destroy: PurgeCopies | null;
  /** For a purge of an attachment: its sha256, and every page that shows it (it goes from all of them). */
  file: string | null;
  file_pages?: string[];
}

function count(haystack: string, needle: string): number {
  let n = 0;
  for (let i = haystack.indexOf(needle); i !== -1 && n < 100_000; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** Every string inside a JSON value (front matter), depth-first. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

function replaceStrings(value: unknown, text: string): unknown {
  if (typeof value === 'string') return value.replaceAll(text, REMOVED_MARKER);
  if (Array.isArray(value)) return value.map((v) => replaceStrings(v, text));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceStrings(v, text)]));
  return value;
}

/** Where `text` occurs in a version: in the body, the change summary, or any front matter value. */
export function occurrences(row: Pick<VersionRow, 'front_matter' | 'body' | 'summary'>, text: string): Occurrences {
  const out: Occurrences = {};
  const fm = strings(JSON.parse(row.front_matter)).reduce((n, s) => n + count(s, text), 0);
  if (fm) out.front_matter = fm;
  const body = count(row.body, text);
  if (body) out.body = body;
  const summary = count(row.summary, text);
  if (summary) out.summary = summary;
  return out;
}

/** The version's content fields with every occurrence of `text` replaced by the marker. */
export function withoutText(row: Pick<VersionRow, 'front_matter' | 'body' | 'summary'>, text: string): { front_matter: string; body: string; summary: string } {
  return {
    front_matter: canonicalJson(replaceStrings(JSON.parse(row.front_matter), text)),
    body: row.body.replaceAll(text, REMOVED_MARKER),
    summary: row.summary.replaceAll(text, REMOVED_MARKER),
  };
}

export function purgeView(row: PurgeListRow): PurgeView {
  return {
    id: row.id,
    slug: row.slug,
    version: row.version,
    status: row.status,
    reason: row.reason,
    fields: JSON.parse(row.fields) as Occurrences,
    requested_by: row.requested_by,
    requested_at: row.requested_at,
    approved_by: row.approved_by,
    approved_at: row.approved_at,
    copies_to_destroy: row.copies ? (JSON.parse(row.copies) as PurgeCopies) : null,
    file: row.file,
  };
}

/** A file purge's view, naming every page that shows the file: the bytes are removed from all of them. */
function fileAware(ctx: Pick<CommandContext, 'store'>, view: PurgeView): PurgeView {
  return view.file ? { ...view, file_pages: ctx.store.files.pagesWith(view.file) } : view;
}

function versionOf(ctx: CommandContext, slug: string, n: number) {
  const head = ctx.store.pages.head(slug);
  if (!head) throw new NotFoundError(`There is no page "${slug}".`);
  const row = ctx.store.pages.version(head.id, n);
  if (!row) throw new NotFoundError(`Page "${slug}" has no version ${n}.`);
  return { head, row };
}

/**
 * First half of the two-person rule: an admin names text in one version and says why it must go. Nothing
 * changes yet. The text is kept with the request only until it is applied (the version holds it in clear
 * until then anyway); what lasts is a salted digest of it and where it occurs. The audit event holds
 * neither the text nor its digest.
 */
export function requestPurge(ctx: CommandContext, input: PurgeRequestInput): PurgeView {
  const { slug, version: n } = input;
  const hasText = typeof input.text === 'string' && input.text !== '';
  const hasFile = typeof input.file === 'string' && input.file !== '';
  if (hasText === hasFile) {
    throw new ValidationError([{ field: hasText ? 'file' : 'text', message: 'Name exactly one thing to remove: either "text" (the exact text) or "file" (the sha256 of one of the version\'s files), not both.' }]);
  }
  if (hasFile) return requestFilePurge(ctx, slug, n, input.reason, input.file!);
  const reason = (input.reason ?? '').trim();
  const text = typeof input.text === 'string' ? input.text.replace(/\r\n/g, '\n') : '';
  const errors = [];
  if (!reason) errors.push({ field: 'reason', message: 'Say why this text must be removed (for the record and the approving admin).' });
  else if (reason.length > PURGE_REASON_MAX) errors.push({ field: 'reason', message: `The reason must be at most ${PURGE_REASON_MAX} characters.` });
  if (text.trim().length < PURGE_TEXT_MIN) errors.push({ field: 'text', message: `Give the exact text to remove, at least ${PURGE_TEXT_MIN} characters, as it appears in the version.` });
  else if (text.length > PURGE_TEXT_MAX) errors.push({ field: 'text', message: `The text to remove must be at most ${PURGE_TEXT_MAX} characters; purge a long passage in parts.` });
  else if (text.includes(REMOVED_MARKER)) errors.push({ field: 'text', message: `The text to remove cannot contain the removal marker ${REMOVED_MARKER}.` });
  if (errors.length) throw new ValidationError(errors);
  // The reason is kept and shown on the page: it must not itself carry patient information.
  refuseIfPhi(ctx.phi, { reason });
  const { head, row } = versionOf(ctx, slug, n);
  const where = occurrences(row, text);
  if (Object.keys(where).length === 0) {
    throw new ValidationError([{ field: 'text', message: `That text does not occur in version ${n} of "${slug}" (the match is exact, including case and spaces). Nothing was requested.` }]);
  }
  const at = (ctx.at ?? new Date()).toISOString();
  const salt = randomBytes(16).toString('hex');
  const id = ctx.store.transaction(() => {
    const purgeId = ctx.store.purges.insert({
      page_id: head.id,
      version: n,
      reason,
      text_salt: salt,
      text_digest: sha256(salt + text),
      fields: JSON.stringify(where),
      pending_text: text,
      status: 'awaiting approval',
      requested_by: ctx.actor.username,
      requested_at: at,
    });
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'purge.requested', target: slug, client: ctx.client, at, details: { purge: purgeId, version: n, fields: where, reason } });
    return purgeId;
  });
  return purgeView(ctx.store.purges.listed(id)!);
}

/** The files a version shows, by sha256 (sealed by its hash). */
export function versionFiles(row: Pick<VersionRow, 'files'>): string[] {
  return row.files ? (JSON.parse(row.files) as string[]) : [];
}

/**
 * First half of purging an attachment: the file must be one the version shows. Its digest is public (it
 * is in the version record), so the request keeps it; nothing changes until a second admin approves.
 */
function requestFilePurge(ctx: CommandContext, slug: string, n: number, rawReason: string | undefined, rawFile: string): PurgeView {
  const reason = (rawReason ?? '').trim();
  const file = rawFile.trim().toLowerCase();
  const errors = [];
  if (!reason) errors.push({ field: 'reason', message: 'Say why this file must be removed (for the record and the approving admin).' });
  else if (reason.length > PURGE_REASON_MAX) errors.push({ field: 'reason', message: `The reason must be at most ${PURGE_REASON_MAX} characters.` });
  if (!/^[0-9a-f]{64}$/.test(file)) errors.push({ field: 'file', message: 'Give the file as its sha256 digest (64 hexadecimal characters), as the version lists it.' });
  if (errors.length) throw new ValidationError(errors);
  refuseIfPhi(ctx.phi, { reason });
  const { head, row } = versionOf(ctx, slug, n);
  if (!versionFiles(row).includes(file)) {
    throw new ValidationError([{ field: 'file', message: `Version ${n} of "${slug}" does not show the file ${file.slice(0, 12)}…; pick one of the files that version shows. Nothing was requested.` }]);
  }
  const meta = ctx.store.files.meta(file);
  if (meta?.purged_by) throw new ValidationError([{ field: 'file', message: `The file ${file.slice(0, 12)}… was already removed (purge ${meta.purged_by}).` }], 'conflict');
  const at = (ctx.at ?? new Date()).toISOString();
  const id = ctx.store.transaction(() => {
    const purgeId = ctx.store.purges.insert({
      page_id: head.id,
      version: n,
      reason,
      text_salt: '',
      text_digest: file,
      fields: '{}',
      pending_text: null,
      status: 'awaiting approval',
      requested_by: ctx.actor.username,
      requested_at: at,
      file,
    });
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'purge.requested', target: slug, client: ctx.client, at, details: { purge: purgeId, version: n, file, reason } });
    return purgeId;
  });
  return fileAware(ctx, purgeView(ctx.store.purges.listed(id)!));
}

/** What a purge's audit event records, and what verify checks a purged version against. */
export interface PurgeAppliedDetails {
  purge: number;
  page_id: number;
  version: number;
  /** Per purged field: the digest sealed when the version was written, and the digest of the field now. */
  fields: Partial<Record<DigestedField, { before: string; after: string }>>;
  requested_by: string;
  reason: string;
  /** Earlier audit events whose details held the text: each one's hash, and the digest of its details now. */
  audit_events?: { event: number; hash: string; details: string }[];
  /** For a purge of an attachment: the sha256 of the file whose bytes were removed. */
  file?: string;
}

/**
 * Second half: a different admin, whose password the route has just checked, approves. The text is
 * replaced by the marker in the version (the digests its hash seals stay as they were), in everyone's
 * drafts of the page, and forgotten by the request; exports made since the version are named as copies
 * to destroy. One transaction, one audit event.
 */
export interface ApprovePurgeInput {
  id: number;
}

export function approvePurge(ctx: CommandContext, input: ApprovePurgeInput): { purge: PurgeView; slug: string; current: boolean } {
  const { id } = input;
  const pending = ctx.store.purges.get(id);
  if (!pending) throw new NotFoundError(`There is no purge request ${id}.`);
  if (pending.status !== 'awaiting approval') throw new ValidationError([{ field: 'id', message: `Purge request ${id} is already ${pending.status}.` }], 'conflict');
  if (pending.requested_by.toLowerCase() === ctx.actor.username.toLowerCase()) {
    throw new ForbiddenError(`You requested purge ${id}, so you cannot approve it: removing text from the record takes a second admin.`);
  }
  const at = (ctx.at ?? new Date()).toISOString();
  const result = ctx.store.purges.scrubbing(() =>
    ctx.store.transaction(() => {
      // A version imported in the old form since the last start has no digests yet: they are sealed first.
      sealVersionDigests(ctx.store, new Date(at));
      const row: PurgeRow = ctx.store.purges.get(id)!;
      if (row.file !== null) return applyFilePurge(ctx, row, at);
      if (row.status !== 'awaiting approval' || row.pending_text === null) throw new ValidationError([{ field: 'id', message: `Purge request ${id} is already ${row.status}.` }], 'conflict');
      const text = row.pending_text;
      const version = ctx.store.pages.version(row.page_id, row.version)!;
      const head = ctx.store.pages.head(ctx.store.purges.slugOf(row.page_id)!)!;
      if (!version.digests) throw new Error(`version ${row.version} of "${head.slug}" has no sealed digests`);
      const sealed = JSON.parse(version.digests) as FieldDigests;
      const purged = withoutText(version, text);
      const now = fieldDigests(purged);
      const fields: PurgeAppliedDetails['fields'] = {};
      for (const f of DIGESTED_FIELDS) {
        // A field purged before keeps its first sealed digest as "before": that is what the hash covers.
        if (now[f] !== fieldDigests(version)[f]) fields[f] = { before: sealed[f], after: now[f] };
      }
      const copies: PurgeCopies = {
        exports: ctx.store.purges.exportsSince(version.created_at).map((e) => ({ event: e.id, at: e.at, actor: e.actor, what: String((JSON.parse(e.details) as { format?: unknown }).format ?? e.target ?? 'export') })),
        backups_since: version.created_at,
      };
      ctx.store.purges.markApplied({ id, approved_by: ctx.actor.username, approved_at: at, copies: JSON.stringify(copies) });
      ctx.store.purges.replaceContent({ page_id: row.page_id, version: row.version, ...purged });
      const current = head.current_version === row.version;
      if (current) {
        // The lists show the current title and module from the head: they lose the text too.
        const fm = JSON.parse(purged.front_matter) as { title: string; module?: string };
        ctx.store.pages.updateHead({ id: head.id, current_version: head.current_version, title: fm.title, system: head.system, module: fm.module ?? null, status: head.status, archived: head.archived, updated_at: head.updated_at, updated_by: head.updated_by });
      }
      // Drafts of the page hold the text as typed: it goes from them as well.
      for (const d of ctx.store.purges.draftsOf(head.slug)) {
        if (d.fields.includes(JSON.stringify(text).slice(1, -1)) || d.fields.includes(text)) {
          ctx.store.purges.setDraftFields(d.username, d.slug, JSON.stringify(replaceStrings(JSON.parse(d.fields), text)));
        }
      }
      // The events of the page's writes repeat its summaries: the text goes from them too. Each keeps its
      // hash; this purge's event records it with the digest of the new details, for verify.
      const auditEvents: PurgeAppliedDetails['audit_events'] = [];
      const targets = [head.slug, ...ctx.store.renames.earlierSlugs(head.id)];
      for (const e of ctx.store.purges.eventsContaining(targets, JSON.stringify(text).slice(1, -1))) {
        const details = canonicalJson(replaceStrings(JSON.parse(e.details), text));
        if (details === e.details) continue;
        ctx.store.purges.replaceEventDetails(e.id, id, details);
        auditEvents.push({ event: e.id, hash: e.hash, details: sha256(details) });
      }
      // What the notifications and webhooks derived from those events repeat goes too: the inbox, mails
      // still queued and deliveries still pending would otherwise carry the text on.
      ctx.store.notifications.replaceText(targets, text, REMOVED_MARKER);
      ctx.store.integrations.replaceText(targets, JSON.stringify(text).slice(1, -1), JSON.stringify(REMOVED_MARKER).slice(1, -1));
      const details: PurgeAppliedDetails = { purge: id, page_id: row.page_id, version: row.version, fields, requested_by: row.requested_by, reason: row.reason, ...(auditEvents.length ? { audit_events: auditEvents } : {}) };
      recordAudit(ctx.store, { actor: ctx.actor.username, action: 'purge.applied', target: head.slug, client: ctx.client, at, details: { ...details, copies_to_destroy: copies.exports.length } });
      return { slug: head.slug, current };
    }),
  );
  const view = fileAware(ctx, purgeView(ctx.store.purges.listed(id)!));
  return { purge: view, ...result };
}

/**
 * Applies an approved purge of an attachment, inside approvePurge's scrubbing transaction: the file's
 * bytes, thumbnail and extracted text go from the store (for every page that shows it: files are stored
 * once), its digest stays, so every version that shows it still verifies.
 */
function applyFilePurge(ctx: CommandContext, row: PurgeRow, at: string): { slug: string; current: boolean } {
  if (row.status !== 'awaiting approval') throw new ValidationError([{ field: 'id', message: `Purge request ${row.id} is already ${row.status}.` }], 'conflict');
  const file = row.file!;
  const version = ctx.store.pages.version(row.page_id, row.version)!;
  const head = ctx.store.pages.head(ctx.store.purges.slugOf(row.page_id)!)!;
  const copies: PurgeCopies = {
    exports: ctx.store.purges.exportsSince(ctx.store.files.meta(file)?.created_at ?? version.created_at).map((e) => ({ event: e.id, at: e.at, actor: e.actor, what: String((JSON.parse(e.details) as { format?: unknown }).format ?? e.target ?? 'export') })),
    backups_since: ctx.store.files.meta(file)?.created_at ?? version.created_at,
  };
  ctx.store.purges.markApplied({ id: row.id, approved_by: ctx.actor.username, approved_at: at, copies: JSON.stringify(copies) });
  ctx.store.files.purge(file, row.id);
  const pages = ctx.store.files.pagesWith(file);
  const details: PurgeAppliedDetails = { purge: row.id, page_id: row.page_id, version: row.version, fields: {}, requested_by: row.requested_by, reason: row.reason, file };
  recordAudit(ctx.store, { actor: ctx.actor.username, action: 'purge.applied', target: head.slug, client: ctx.client, at, details: { ...details, pages, copies_to_destroy: copies.exports.length } });
  return { slug: head.slug, current: head.current_version === row.version };
}

/** The purges applied to a version, for the notice on the page. */
export function purgesOf(ctx: Pick<CommandContext, 'store'>, slug: string, version: number): PurgeView[] {
  // A version written before a rename carries its old slug.
  const head = ctx.store.pages.head(slug) ?? ctx.store.pages.head(ctx.store.renames.current(slug) ?? slug);
  if (!head) return [];
  return ctx.store.purges.appliedTo(head.id, version).map(purgeView);
}
