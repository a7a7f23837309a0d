import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Store } from '../store/index.js';
import { createPage, reconcileSupersession, savePage, setArchived, type CommandContext } from '../pages/commands.js';
import { canonicalJson } from '../core/hash.js';
import { DomainError, ValidationError } from '../core/errors.js';
import { phiMessages } from '../phi/guard.js';
import { checkFrontMatter, normalizeFrontMatter, orderFrontMatter, FRONT_MATTER_FIELDS } from '../pages/schema.js';
import { markReviewed, REVIEWED_STATUSES } from '../pages/review.js';
import { addPerson, addTeam, departPerson } from '../people/directory.js';
import { recordAudit } from '../audit/log.js';
import { FrontMatterError, readFrontMatter } from './front-matter.js';
import { looksLikeAdr, parseAdr, slugFromFileName, type AdrFormat } from './adr.js';

/** One version as read from a file (or a git commit): the draft, and where it came from. */
export interface SourceVersion {
  file: string;
  frontMatter: Record<string, unknown>;
  body: string;
  /** From an export's `revision` block or a commit; absent for a plain file. */
  revision?: { version?: number; author?: string; date?: string; summary?: string; hash?: string; archived?: boolean };
  format: 'whywiki' | AdrFormat;
}

/** Every version of one page, oldest first. */
export interface SourcePage {
  slug: string;
  versions: SourceVersion[];
  /** How an existing page is compared: by recorded hashes (an export), by dates (git) or by content. */
  mode: 'hashes' | 'dated' | 'content';
}

export interface ImportProblem {
  file: string;
  field: string;
  reason: string;
}

export interface ImportSummary {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  versions: number;
  problems: ImportProblem[];
  formats: Record<string, number>;
  people: number;
  reviews: number;
}

export interface ImportOptions {
  /** Values for fields the files do not carry, e.g. { system: 'Interfaces', owners: 'jdoe' }. */
  defaults?: Record<string, string>;
  actor?: string;
  /** Pages per transaction; each page still succeeds or fails on its own (a savepoint each). */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
}

export type ImportRules = Pick<CommandContext, 'systems' | 'maxBodyBytes' | 'events' | 'phi'>;

export class ImportError extends Error {}

/** A problem with one file: reported with its field, and the other files go on. */
export class FileProblem extends Error {
  constructor(readonly file: string, readonly field: string, reason: string) {
    super(reason);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a markdown file, refusing what is too large, not UTF-8, or not YAML in its front matter. */
export function readSourceText(file: string, text: Buffer | string, maxBytes: number, rel: string): SourceVersion {
  const size = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  if (size > maxBytes + 64 * 1024) throw new FileProblem(rel, 'file', `the file is ${Math.ceil(size / 1024)} KiB, over the limit of ${Math.floor((maxBytes + 64 * 1024) / 1024)} KiB`);
  let source: string;
  try {
    source = typeof text === 'string' ? text : utf8.decode(text);
  } catch {
    throw new FileProblem(rel, 'file', 'the file is not UTF-8 text; convert it (for example with iconv) and import it again');
  }
  let data: Record<string, unknown>;
  let body: string;
  try {
    ({ data, body } = readFrontMatter(source));
  } catch (e) {
    if (e instanceof FrontMatterError) throw new FileProblem(rel, 'front_matter', e.message);
    throw e;
  }
  body = body.replace(/^\n+/, '');
  if (looksLikeAdr(data, body)) {
    const adr = parseAdr(data, body);
    const fm: Record<string, unknown> = {
      title: adr.title,
      ...(adr.why ? { why: adr.why } : {}),
      ...(adr.status ? { status: adr.status } : {}),
      ...(adr.date ? { go_live: adr.date } : {}),
      ...(adr.deciders.length ? { owners: adr.deciders } : {}),
      ...(adr.tags.length ? { tags: adr.tags } : {}),
      ...(adr.tickets.length ? { tickets: adr.tickets } : {}),
      ...(adr.supersedes.length ? { supersedes: adr.supersedes } : {}),
      ...(adr.supersededBy.length ? { superseded_by: adr.supersededBy } : {}),
    };
    return { file: rel, frontMatter: fm, body: adr.body, format: adr.format };
  }
  const { revision, ...frontMatter } = data as Record<string, unknown> & { revision?: Record<string, unknown> };
  const rev = revision && typeof revision === 'object' ? revision : undefined;
  const date = rev?.date instanceof Date ? rev.date.toISOString() : typeof rev?.date === 'string' ? new Date(rev.date).toISOString() : undefined;
  return {
    file: rel,
    frontMatter,
    body,
    format: 'whywiki',
    revision: rev ? { version: Number(rev.version) || undefined, author: typeof rev.author === 'string' ? rev.author : undefined, date, summary: typeof rev.summary === 'string' ? rev.summary : undefined, hash: typeof rev.hash === 'string' ? rev.hash : undefined, archived: rev.archived === true } : undefined,
  };
}

/** Where a path really leads, judged against the real path of the folder being imported. */
function linkTarget(root: string, file: string): 'file' | 'directory' | 'outside' | 'unresolved' {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return 'unresolved';
  }
  const realRoot = fs.realpathSync(root);
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return 'outside';
  return fs.statSync(real).isDirectory() ? 'directory' : 'file';
}

/** Finds every markdown file under `dir`, and gathers export histories (history/<slug>/<n>.md) with their page. */
export function readFolder(dir: string, maxBytes: number): { pages: SourcePage[]; problems: ImportProblem[] } {
  const root = path.resolve(dir);
  if (!fs.existsSync(root)) throw new ImportError(`The folder ${root} does not exist.`);
  if (!fs.statSync(root).isDirectory()) throw new ImportError(`${root} is a file, not a folder; import takes a folder of markdown files.`);
  const problems: ImportProblem[] = [];
  const files: string[] = [];
  const wanted = (name: string) => /\.(md|markdown)$/i.test(name) && !/^(readme|index|template)\.md$/i.test(name);
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(d, entry.name);
      if (entry.isSymbolicLink()) {
        // A link may point anywhere the service account can read; only what is inside the folder is imported.
        const target = linkTarget(root, full);
        if (target === 'outside' || target === 'unresolved') {
          if (wanted(entry.name) || (target === 'outside' && fs.statSync(full).isDirectory())) problems.push({ file: path.relative(root, full), field: 'file', reason: target === 'outside' ? 'skipped: symbolic link to outside the folder' : 'skipped: symbolic link that does not resolve (a link loop or a missing target)' });
        } else if (target === 'file' && wanted(entry.name)) files.push(full);
        // A linked folder inside is walked where it really is; following the link too could loop.
      } else if (entry.isDirectory()) walk(full);
      else if (wanted(entry.name)) files.push(full);
    }
  };
  walk(root);
  const histRoot = path.join(root, 'history');
  const pages = new Map<string, SourcePage>();
  const read = (file: string): SourceVersion | null => {
    const rel = path.relative(root, file);
    try {
      // History folders are found by name, not walked: a link among them is checked here.
      const target = linkTarget(root, file);
      if (target === 'outside') throw new FileProblem(rel, 'file', 'skipped: symbolic link to outside the folder');
      if (target === 'unresolved') throw new FileProblem(rel, 'file', 'skipped: symbolic link that does not resolve (a link loop or a missing target)');
      return readSourceText(file, fs.readFileSync(file), maxBytes, rel);
    } catch (e) {
      if (e instanceof FileProblem) problems.push({ file: e.file, field: e.field, reason: e.message });
      else throw e;
      return null;
    }
  };
  for (const file of files.filter((f) => !f.startsWith(histRoot + path.sep))) {
    const slug = slugFromFileName(path.basename(file));
    if (pages.has(slug)) {
      problems.push({ file: path.relative(root, file), field: 'slug', reason: `another file already gives the slug "${slug}" (${pages.get(slug)!.versions.at(-1)!.file})` });
      continue;
    }
    const current = read(file);
    if (!current) continue;
    const hist = path.join(histRoot, slug);
    const earlier = fs.existsSync(hist)
      ? fs.readdirSync(hist).filter((f) => /^\d+\.md$/.test(f)).sort((a, b) => parseInt(a) - parseInt(b)).map((f) => read(path.join(hist, f)))
      : [];
    if (earlier.some((v) => v === null)) continue;
    const versions = [...(earlier as SourceVersion[]), current];
    pages.set(slug, { slug, versions, mode: versions.every((v) => v.revision?.hash) ? 'hashes' : versions.length > 1 ? 'dated' : 'content' });
  }
  return { pages: [...pages.values()], problems };
}

const LIST_DEFAULTS = new Set(['owners', 'tickets', 'records', 'tags', 'supersedes', 'superseded_by']);

function withDefaults(fm: Record<string, unknown>, defaults: Record<string, string>): Record<string, unknown> {
  const out = { ...fm };
  for (const [k, v] of Object.entries(defaults)) if (out[k] === undefined || out[k] === '' || (Array.isArray(out[k]) && (out[k] as unknown[]).length === 0)) out[k] = LIST_DEFAULTS.has(k) ? v.split(',').map((s) => s.trim()) : v;
  return out;
}

/** Deciders are written as names or handles; owners are handles. */
function resolveOwners(store: Store, fm: Record<string, unknown>, format: SourceVersion['format']): Record<string, unknown> {
  if (format === 'whywiki' || !Array.isArray(fm.owners)) return fm;
  const byName = new Map(store.parties.all().map((p) => [p.name.toLowerCase(), p.handle]));
  return { ...fm, owners: (fm.owners as string[]).map((o) => byName.get(o.toLowerCase()) ?? o.toLowerCase().replace(/^@/, '')) };
}

/** Checks every field before anything is written, so a failing file is reported whole and writes nothing. */
function check(ctx: CommandContext, v: SourceVersion, fm: Record<string, unknown>): void {
  const unknownKeys = Object.keys(fm).filter((k) => !(FRONT_MATTER_FIELDS as string[]).includes(k));
  if (unknownKeys.length) throw new FileProblem(v.file, unknownKeys[0]!, `"${unknownKeys[0]}" is not a page field (fields: ${FRONT_MATTER_FIELDS.join(', ')})`);
  try {
    const normalized = checkFrontMatter(normalizeFrontMatter(fm), ctx.systems);
    const missing = normalized.owners.filter((o) => !ctx.store.parties.get(o));
    if (missing.length) throw new FileProblem(v.file, 'owners', `unknown owner${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: add them to the directory (person add / team add) or pass --default owners=<handle>`);
    if (ctx.phi) {
      const { title, why, module, requested_by, sponsor, records, tags } = normalized;
      const hits = ctx.phi.scan({ title, why, module, requested_by, sponsor, records, tags, body: v.body, summary: v.revision?.summary });
      if (hits.length) throw new FileProblem(v.file, hits[0]!.field, phiMessages(hits.filter((h) => h.field === hits[0]!.field))[0]!.message);
    }
  } catch (e) {
    if (e instanceof ValidationError) {
      const first = e.errors[0]!;
      const hint = ['system', 'owners', 'why'].includes(first.field) && fm[first.field] === undefined ? ` The file does not say; pass --default ${first.field}=<value>.` : '';
      throw new FileProblem(v.file, first.field, `${first.message}${hint}`);
    }
    throw e;
  }
}

function sameContent(store: Store, slug: string, fm: Record<string, unknown>, body: string, systems: string[]): boolean {
  const head = store.pages.head(slug)!;
  const cur = store.pages.version(head.id, head.current_version)!;
  try {
    let next = orderFrontMatter(checkFrontMatter(normalizeFrontMatter(fm), systems));
    // The same rule a save applies: a page with a successor is superseded.
    if (next.superseded_by?.length && REVIEWED_STATUSES.includes(next.status)) next = { ...next, status: 'superseded' };
    return cur.front_matter === canonicalJson(next) && cur.body === body.replace(/\r\n/g, '\n');
  } catch {
    return false;
  }
}

type Outcome = 'created' | 'updated' | 'unchanged';

function importPage(base: CommandContext, page: SourcePage, defaults: Record<string, string>): { outcome: Outcome; versions: number } {
  const { store } = base;
  const head = store.pages.head(page.slug);
  const existing = head ? store.pages.versions(head.id).reverse() : [];
  const ctxFor = (v: SourceVersion): CommandContext => ({
    ...base,
    actor: { username: v.revision?.author ?? base.actor.username },
    at: v.revision?.date ? new Date(v.revision.date) : base.at,
    verbatim: page.mode === 'hashes',
    laterPagesMayFollow: true,
    // The PHI guard ran in check() before anything was written; the write itself need not scan again.
    phi: undefined,
  });
  const draft = (v: SourceVersion) => resolveOwners(store, withDefaults(v.frontMatter, defaults), v.format);

  let from = 0;
  if (page.mode === 'hashes') {
    while (from < existing.length && from < page.versions.length && existing[from]!.hash === page.versions[from]!.revision!.hash) from++;
    if (from < existing.length) {
      throw new FileProblem(page.versions.at(-1)!.file, 'version', `the page "${page.slug}" here has version ${from + 1} that the import does not have (it changed here since the export); nothing was written for it`);
    }
  } else if (page.mode === 'dated' && head) {
    // Versions dated after the page's newest are new; importing the same history again writes nothing.
    const newest = existing.at(-1)!.created_at;
    const next = page.versions.findIndex((v) => (v.revision?.date ?? '') > newest);
    from = next < 0 ? page.versions.length : next;
  } else if (head) {
    from = page.versions.length - 1;
  }
  const todo = page.versions.slice(from);
  for (const v of todo) check({ ...ctxFor(v), phi: base.phi }, v, draft(v));
  if (todo.length === 0) return { outcome: 'unchanged', versions: 0 };

  let written = 0;
  store.transaction(() => {
    for (const v of todo) {
      const ctx = ctxFor(v);
      const current = store.pages.head(page.slug);
      let fm = draft(v);
      if (!current) {
        createPage(ctx, { slug: page.slug, frontMatter: fm, body: v.body, summary: v.revision?.summary ?? `Imported from ${v.file}` });
      } else {
        const toggles = v.revision?.archived !== undefined && Boolean(current.archived) !== v.revision.archived;
        if (toggles) {
          setArchived(ctx, page.slug, v.revision!.archived!, v.revision!.summary ?? 'Imported');
        } else {
          if (page.mode !== 'hashes') {
            // Links another page mirrored onto this one stay: the file only knew its own side.
            const cur = JSON.parse(store.pages.version(current.id, current.current_version)!.front_matter) as Record<string, string[] | undefined>;
            for (const k of ['supersedes', 'superseded_by'] as const) {
              const merged = [...new Set([...((fm[k] as string[] | undefined) ?? []), ...(cur[k] ?? [])])];
              if (merged.length) fm = { ...fm, [k]: merged };
            }
            if (sameContent(store, page.slug, fm, v.body, ctx.systems)) continue; // archived or not, nothing new
          }
          if (current.archived) setArchived({ ...ctx, verbatim: true }, page.slug, false, 'Unarchived to import a newer version');
          const saved = savePage(ctx, page.slug, { frontMatter: fm, body: v.body, summary: v.revision?.summary ?? `Imported from ${v.file}`, baseVersion: store.pages.head(page.slug)!.current_version });
          if (saved.unchanged && !current.archived) continue;
        }
      }
      written++;
      if (v.revision?.hash) {
        const h = store.pages.head(page.slug)!;
        const row = store.pages.version(h.id, h.current_version)!;
        if (row.hash !== v.revision.hash) {
          throw new FileProblem(v.file, 'hash', `version ${h.current_version} does not reproduce its recorded hash (${v.revision.hash.slice(0, 12)}…); the file was changed after the export`);
        }
      }
    }
  });
  return { outcome: written === 0 ? 'unchanged' : head ? 'updated' : 'created', versions: written };
}

/** Imports the people.yaml an export writes: adds who is missing; nobody existing is changed. */
function importPeople(ctx: CommandContext, file: string, problems: ImportProblem[]): number {
  let doc: { people?: Record<string, unknown>[]; teams?: Record<string, unknown>[] };
  try {
    doc = (YAML.parse(fs.readFileSync(file, 'utf8')) ?? {}) as typeof doc;
  } catch (e) {
    problems.push({ file: 'people.yaml', field: 'file', reason: `not valid YAML: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` });
    return 0;
  }
  let added = 0;
  const attempt = (what: string, fn: () => void) => {
    try {
      fn();
      added++;
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      problems.push({ file: 'people.yaml', field: what, reason: e.message });
    }
  };
  const departures: Record<string, unknown>[] = [];
  for (const p of doc.people ?? []) {
    if (ctx.store.parties.get(String(p.handle))) continue;
    attempt(`people.${String(p.handle)}`, () => addPerson(ctx, { handle: String(p.handle), name: String(p.name ?? ''), title: p.title as string | undefined, email: p.email as string | undefined }));
    if (p.status === 'departed') departures.push(p);
  }
  for (const t of doc.teams ?? []) {
    if (ctx.store.parties.get(String(t.handle))) continue;
    const members = ((t.members as string[] | undefined) ?? []).filter((m) => ctx.store.parties.get(m)?.status !== 'departed');
    attempt(`teams.${String(t.handle)}`, () => {
      addTeam(ctx, { handle: String(t.handle), name: String(t.name ?? ''), members });
      const gone = ((t.members as string[] | undefined) ?? []).filter((m) => !members.includes(m));
      if (gone.length) ctx.store.parties.setMembers(String(t.handle), [...members, ...gone]);
    });
  }
  for (const p of departures) {
    const date = p.departed_on instanceof Date ? p.departed_on.toISOString().slice(0, 10) : String(p.departed_on ?? '');
    try {
      departPerson(ctx, String(p.handle), { date: date || undefined, successor: (p.successor as string | undefined) ?? null, reason: String(p.departure_reason ?? 'Departed (imported)') }, new Date().toISOString().slice(0, 10));
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      problems.push({ file: 'people.yaml', field: `people.${String(p.handle)}`, reason: e.message });
    }
  }
  // Departed people kept on a team: set again now that they are marked departed.
  return added;
}

function importReviews(ctx: CommandContext, file: string): number {
  const doc = (YAML.parse(fs.readFileSync(file, 'utf8')) ?? {}) as { reviews?: { page: string; by: string; at: string; note?: string }[] };
  let added = 0;
  for (const r of doc.reviews ?? []) {
    const head = ctx.store.pages.head(r.page);
    const at = new Date(r.at).toISOString();
    if (!head || ctx.store.pages.hasReview(head.id, r.by, at)) continue;
    markReviewed({ ...ctx, actor: { username: r.by }, at: new Date(at) }, r.page, r.note);
    added++;
  }
  return added;
}

/** Imports pages (and, from an export, people and reviews) into the store. */
export function importPages(store: Store, rules: ImportRules, source: { pages: SourcePage[]; problems: ImportProblem[]; root?: string }, options: ImportOptions = {}): ImportSummary {
  const actor = options.actor ?? 'cli';
  const base: CommandContext = { store, ...rules, actor: { username: actor }, client: 'import' };
  const summary: ImportSummary = { created: 0, updated: 0, unchanged: 0, failed: 0, versions: 0, problems: [...source.problems], formats: {}, people: 0, reviews: 0 };
  // people.yaml and reviews.yaml are read only when they are really inside the folder.
  const rootFile = (name: string): string | null => {
    if (!source.root || !fs.existsSync(path.join(source.root, name))) return null;
    const target = linkTarget(source.root, path.join(source.root, name));
    if (target === 'file') return path.join(source.root, name);
    if (target === 'outside') summary.problems.push({ file: name, field: 'file', reason: 'skipped: symbolic link to outside the folder' });
    return null;
  };
  const peopleFile = rootFile('people.yaml');
  if (peopleFile) summary.people = importPeople(base, peopleFile, summary.problems);
  const failedFiles = new Set(source.problems.map((p) => p.file));
  summary.failed = failedFiles.size;
  const batch = options.batch ?? 250;
  const linked: string[] = [];
  for (let i = 0; i < source.pages.length; i += batch) {
    store.transaction(() => {
      for (const page of source.pages.slice(i, i + batch)) {
        try {
          const r = importPage(base, page, options.defaults ?? {});
          summary[r.outcome]++;
          summary.versions += r.versions;
          for (const v of page.versions) summary.formats[v.format] = (summary.formats[v.format] ?? 0) + 1;
          if (page.mode !== 'hashes' && page.versions.some((v) => v.frontMatter.supersedes || v.frontMatter.superseded_by)) linked.push(page.slug);
        } catch (e) {
          const problem = e instanceof FileProblem ? { file: e.file, field: e.field, reason: e.message } : e instanceof DomainError ? { file: page.versions.at(-1)!.file, field: e instanceof ValidationError ? e.errors[0]!.field : 'page', reason: e.message } : null;
          if (!problem) throw e;
          summary.problems.push(problem);
          summary.failed++;
        }
      }
    });
    options.onProgress?.(Math.min(i + batch, source.pages.length), source.pages.length);
  }
  // Records that named a predecessor or successor imported later get the link on both sides now.
  for (const slug of linked) reconcileSupersession({ ...base, laterPagesMayFollow: true }, slug);
  const reviewsFile = rootFile('reviews.yaml');
  if (reviewsFile) summary.reviews = importReviews(base, reviewsFile);
  store.transaction(() =>
    recordAudit(store, { actor, action: 'import.made', target: null, client: 'import', details: { created: summary.created, updated: summary.updated, unchanged: summary.unchanged, failed: summary.failed, versions: summary.versions } }),
  );
  return summary;
}
