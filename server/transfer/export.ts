import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Store } from '../store/index.js';
import type { VersionRow } from '../store/pages.js';
import { orderFrontMatter, type FrontMatter } from '../pages/schema.js';
import { recordAudit } from '../audit/log.js';
import { exportFiles } from './files.js';
import { canonicalJson } from '../core/hash.js';
import { redactText, redactValue } from '../auth/visibility.js';

/**
 * The export layout, which `import` reads back:
 *
 *   people.yaml                    people and teams (departures and successors included)
 *   reviews.yaml                   every "mark reviewed"
 *   pages/<slug>.md                the current version: front matter, a `revision` block, the body
 *   history/<slug>/<n>.md          each earlier version, in the same form
 *   history/<slug>/versions.yaml   the page's history: every version's author, date, summary and hash
 *   files/<sha256>                 each file of the exported pages, once, named by its digest
 *   files.yaml                     which pages each file belongs to, under which name
 *
 * The `revision` block (version, author, date, summary, hash, archived) is what lets an import write
 * every version back with the same hash.
 */
export interface ExportResult {
  pages: number;
  versions: number;
  files: number;
  dir: string;
}

export interface ExportOptions {
  system?: string;
  /** Restricted pages are left out unless asked for: an export travels further than the wiki. */
  includeRestricted?: boolean;
  onProgress?: (done: number, total: number) => void;
  actor?: string;
}

export function versionFile(row: VersionRow, left: ReadonlySet<string> = new Set(), withHash = true): string {
  const shown = unnamed(row, left);
  const fm = orderFrontMatter(shown.frontMatter);
  const revision: Record<string, unknown> = { version: row.version, author: row.author, date: row.created_at, summary: shown.summary, ...(withHash ? { hash: row.hash } : {}) };
  if (row.archived) revision.archived = true;
  const yaml = YAML.stringify({ ...fm, revision }, { lineWidth: 0 });
  return `---\n${yaml}---\n${shown.body}`;
}

/**
 * A version with the restricted pages left out of the export unnamed: dropped from `supersedes` and
 * `superseded_by` (the pages are not in the export to link to) and "a restricted page" in summary and
 * body. Such a version no longer reproduces its hash, nor do the versions chained after it, so a page
 * with one is exported without hashes and an import records it afresh instead of refusing it as tampered.
 */
function unnamed(row: VersionRow, left: ReadonlySet<string>): { frontMatter: FrontMatter; summary: string; body: string; changed: boolean } {
  const fm = JSON.parse(row.front_matter) as FrontMatter;
  if (left.size === 0) return { frontMatter: fm, summary: row.summary, body: row.body, changed: false };
  const next: FrontMatter = redactValue({ ...fm, supersedes: fm.supersedes?.filter((s) => !left.has(s)), superseded_by: fm.superseded_by?.filter((s) => !left.has(s)) }, left);
  for (const field of ['supersedes', 'superseded_by'] as const) if (!next[field]?.length) delete next[field];
  const summary = redactText(row.summary, left);
  const body = redactText(row.body, left);
  return { frontMatter: next, summary, body, changed: canonicalJson(next) !== canonicalJson(fm) || summary !== row.summary || body !== row.body };
}

export class ExportError extends Error {}

export function exportStore(store: Store, dir: string, options: ExportOptions = {}): ExportResult {
  const out = path.resolve(dir);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new ExportError(`${out} is not empty; export into a new or empty folder.`);
  fs.mkdirSync(path.join(out, 'pages'), { recursive: true });
  fs.mkdirSync(path.join(out, 'history'), { recursive: true });

  const parties = store.parties.all();
  const people = parties.filter((p) => p.kind === 'person').map((p) => clean({ handle: p.handle, name: p.name, title: p.title, email: p.email, status: p.status === 'departed' ? 'departed' : undefined, departed_on: p.departed_on, successor: p.successor, departure_reason: p.departure_reason }));
  const teams = parties.filter((p) => p.kind === 'team').map((t) => ({ handle: t.handle, name: t.name, members: store.parties.members(t.handle).map((m) => m.handle) }));
  fs.writeFileSync(path.join(out, 'people.yaml'), YAML.stringify({ people, teams }, { lineWidth: 0 }));

  const heads = store.pages.allHeads().filter((h) => (!options.system || h.system === options.system) && (options.includeRestricted || !h.restricted_to));
  const left: ReadonlySet<string> = options.includeRestricted ? new Set() : new Set(store.pages.restrictions().map((r) => r.slug));
  const reviews: Record<string, unknown>[] = [];
  let versions = 0;
  heads.forEach((head, i) => {
    const rows = store.pages.chain(head.id);
    const current = rows[rows.length - 1]!;
    const hashes = !rows.some((r) => unnamed(r, left).changed);
    fs.writeFileSync(path.join(out, 'pages', `${head.slug}.md`), versionFile(current, left, hashes));
    const hist = path.join(out, 'history', head.slug);
    fs.mkdirSync(hist, { recursive: true });
    for (const row of rows.slice(0, -1)) fs.writeFileSync(path.join(hist, `${row.version}.md`), versionFile(row, left, hashes));
    fs.writeFileSync(
      path.join(hist, 'versions.yaml'),
      YAML.stringify({ slug: head.slug, versions: rows.map((r) => clean({ version: r.version, author: r.author, date: r.created_at, summary: unnamed(r, left).summary, hash: hashes ? r.hash : undefined, prev_hash: hashes ? r.prev_hash : undefined, archived: r.archived ? true : undefined })) }, { lineWidth: 0 }),
    );
    for (const r of store.pages.reviews(head.id, 1_000_000).reverse()) reviews.push(clean({ page: head.slug, by: r.reviewer, at: r.reviewed_at, note: r.note === null ? null : redactText(r.note, left), version: r.version }));
    versions += rows.length;
    options.onProgress?.(i + 1, heads.length);
  });
  fs.writeFileSync(path.join(out, 'reviews.yaml'), YAML.stringify({ reviews }, { lineWidth: 0 }));
  const files = exportFiles(store, out, new Set(heads.map((h) => h.slug)));
  store.transaction(() =>
    recordAudit(store, { actor: options.actor ?? 'cli', action: 'export.made', target: null, client: 'cli', details: { format: 'markdown', pages: heads.length, versions, ...(options.system ? { system: options.system } : {}), ...(options.includeRestricted ? { include_restricted: true } : {}) } }),
  );
  return { pages: heads.length, versions, files, dir: out };
}

function clean<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}
