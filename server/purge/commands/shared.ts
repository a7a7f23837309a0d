import type { CommandContext } from '../../core/context.js';
import type { PurgeListRow } from '../../store/purges.js';
import type { VersionRow } from '../../store/pages.js';
import { canonicalJson, type DigestedField } from '../../core/hash.js';
import { NotFoundError } from '../../core/errors.js';

/** What stands where purged text was. */
export const REMOVED_MARKER = '[removed]';
export const PURGE_REASON_MAX = 500;
export const PURGE_TEXT_MAX = 10_000;
/** Shorter texts occur by chance ("an", "12") and would remove far more than was meant. */
export const PURGE_TEXT_MIN = 3;

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

export function replaceStrings(value: unknown, text: string): unknown {
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
export function fileAware(ctx: Pick<CommandContext, 'store'>, view: PurgeView): PurgeView {
  return view.file ? { ...view, file_pages: ctx.store.files.pagesWith(view.file) } : view;
}

export function versionOf(ctx: CommandContext, slug: string, n: number) {
  const head = ctx.store.pages.head(slug);
  if (!head) throw new NotFoundError(`There is no page "${slug}".`);
  const row = ctx.store.pages.version(head.id, n);
  if (!row) throw new NotFoundError(`Page "${slug}" has no version ${n}.`);
  return { head, row };
}

/** The files a version shows, by sha256 (sealed by its hash). */
export function versionFiles(row: Pick<VersionRow, 'files'>): string[] {
  return row.files ? (JSON.parse(row.files) as string[]) : [];
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

/** The purges applied to a version, for the notice on the page. */
export function purgesOf(ctx: Pick<CommandContext, 'store'>, slug: string, version: number): PurgeView[] {
  // A version written before a rename carries its old slug.
  const head = ctx.store.pages.head(slug) ?? ctx.store.pages.head(ctx.store.renames.current(slug) ?? slug);
  if (!head) return [];
  return ctx.store.purges.appliedTo(head.id, version).map(purgeView);
}
