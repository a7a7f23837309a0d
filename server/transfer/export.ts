import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Store } from '../store/index.js';
import type { VersionRow } from '../store/pages.js';
import { orderFrontMatter, type FrontMatter } from '../pages/schema.js';
import { recordAudit } from '../audit/log.js';
import { exportFiles } from './files.js';

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

export function versionFile(row: VersionRow): string {
  const fm = orderFrontMatter(JSON.parse(row.front_matter) as FrontMatter);
  const revision: Record<string, unknown> = { version: row.version, author: row.author, date: row.created_at, summary: row.summary, hash: row.hash };
  if (row.archived) revision.archived = true;
  const yaml = YAML.stringify({ ...fm, revision }, { lineWidth: 0 });
  return `---\n${yaml}---\n${row.body}`;
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
  const reviews: Record<string, unknown>[] = [];
  let versions = 0;
  heads.forEach((head, i) => {
    const rows = store.pages.chain(head.id);
    const current = rows[rows.length - 1]!;
    fs.writeFileSync(path.join(out, 'pages', `${head.slug}.md`), versionFile(current));
    const hist = path.join(out, 'history', head.slug);
    fs.mkdirSync(hist, { recursive: true });
    for (const row of rows.slice(0, -1)) fs.writeFileSync(path.join(hist, `${row.version}.md`), versionFile(row));
    fs.writeFileSync(
      path.join(hist, 'versions.yaml'),
      YAML.stringify({ slug: head.slug, versions: rows.map((r) => clean({ version: r.version, author: r.author, date: r.created_at, summary: r.summary, hash: r.hash, prev_hash: r.prev_hash, archived: r.archived ? true : undefined })) }, { lineWidth: 0 }),
    );
    for (const r of store.pages.reviews(head.id, 1_000_000).reverse()) reviews.push(clean({ page: head.slug, by: r.reviewer, at: r.reviewed_at, note: r.note, version: r.version }));
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
