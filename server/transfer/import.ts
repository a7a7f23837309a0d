import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Store } from '../store/index.js';
import { createPage, reconcileSupersession, savePage, setArchived, type CommandContext } from '../pages/commands.js';
import { canonicalJson } from '../core/hash.js';
import { DomainError, ValidationError } from '../core/errors.js';
import { phiMessages } from '../phi/guard.js';
import { checkFrontMatter, normalizeFrontMatter, orderFrontMatter, FRONT_MATTER_FIELDS } from '../pages/schema.js';
import { REVIEWED_STATUSES } from '../pages/review.js';
import { markReviewed } from '../pages/commands/mark-reviewed.js';
import { addPerson } from '../people/commands/add-person.js';
import { addTeam } from '../people/commands/add-team.js';
import { departPerson } from '../people/commands/depart-person.js';
import { recordAudit } from '../audit/log.js';
import { FileProblem, linkTarget, type ImportRules, type ImportProblem, type SourcePage, type SourceVersion } from './read-source.js';
export * from './read-source.js';

/** What happened to one page, for the per-file report (and the dry run). */
export interface ImportReportLine {
  file: string;
  slug: string;
  outcome: 'created' | 'updated' | 'unchanged' | 'failed';
  versions: number;
  reason?: string;
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
  /** Warnings about files that were imported: what was mapped, guessed or moved into the body. */
  notes: ImportProblem[];
  /** Files that were not imported and are not failures (a README, a picture no page shows), with why. */
  skipped: ImportProblem[];
  report: ImportReportLine[];
  dryRun: boolean;
}

export interface ImportOptions {
  /** Values for fields the files do not carry, e.g. { system: 'Interfaces', owners: 'jdoe' }. */
  defaults?: Record<string, string>;
  actor?: string;
  /** Pages per transaction; each page still succeeds or fails on its own (a savepoint each). */
  batch?: number;
  onProgress?: (done: number, total: number) => void;
  /** Deciders and authors not in the directory are added as people (marked imported) instead of left in the text. */
  createPeople?: boolean;
  /** Work out everything and write nothing: the import runs in a transaction that is rolled back. */
  dryRun?: boolean;
}

const LIST_DEFAULTS = new Set(['owners', 'tickets', 'records', 'tags', 'supersedes', 'superseded_by']);

function withDefaults(fm: Record<string, unknown>, defaults: Record<string, string>): Record<string, unknown> {
  const out = { ...fm };
  for (const [k, v] of Object.entries(defaults)) if (out[k] === undefined || out[k] === '' || (Array.isArray(out[k]) && (out[k] as unknown[]).length === 0)) out[k] = LIST_DEFAULTS.has(k) ? v.split(',').map((s) => s.trim()) : v;
  return out;
}

/** The directory handle a decider's name or handle stands for, if any. */
function partyFor(store: Store, byName: Map<string, string>, who: string): string | undefined {
  const handle = who.toLowerCase().replace(/^@/, '').trim();
  return byName.get(who.toLowerCase().trim()) ?? (store.parties.get(handle) ? handle : undefined);
}

/** A handle made from a name: "Sarah Okonkwo" becomes sarah-okonkwo. */
export function handleFromName(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/^@/, '').replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[-._]+$/g, '').slice(0, 40).replace(/[-._]+$/, '');
}

/**
 * Deciders are written as names or handles; owners are handles. Deciders the directory does not know are
 * kept in the body, never dropped, and the owners given as defaults apply when none is left.
 */
function resolveOwners(store: Store, fm: Record<string, unknown>, format: SourceVersion['format'], body: string): { fm: Record<string, unknown>; body: string; notes: string[] } {
  if (format === 'whywiki' || !Array.isArray(fm.owners)) return { fm, body, notes: [] };
  const byName = new Map(store.parties.all().map((p) => [p.name.toLowerCase(), p.handle]));
  const owners: string[] = [];
  const unknown: string[] = [];
  for (const o of fm.owners as string[]) {
    const h = partyFor(store, byName, o);
    if (h) owners.push(h);
    else unknown.push(o);
  }
  if (unknown.length === 0) return { fm: { ...fm, owners }, body, notes: [] };
  const { owners: _dropped, ...rest } = fm;
  return {
    fm: owners.length ? { ...rest, owners } : rest,
    body: `Deciders: ${unknown.join(', ')}\n\n${body}`,
    notes: [`decider${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not in the directory; kept in the body as "Deciders:"${owners.length ? '' : ' and the default owners apply'} (--create-people adds them)`],
  };
}

/** Adds the deciders the directory does not know as people, marked imported, before the pages are read against it. */
function createPeople(ctx: CommandContext, pages: SourcePage[], notes: ImportProblem[]): number {
  let added = 0;
  for (const page of pages) {
    for (const v of page.versions) {
      if (v.format === 'whywiki' || !Array.isArray(v.frontMatter.owners)) continue;
      for (const who of v.frontMatter.owners as string[]) {
        const byName = new Map(ctx.store.parties.all().map((p) => [p.name.toLowerCase(), p.handle]));
        if (partyFor(ctx.store, byName, who)) continue;
        const handle = handleFromName(who);
        try {
          addPerson(ctx, { handle, name: who.trim(), title: 'Imported from decision records' });
          notes.push({ file: v.file, field: 'owners', reason: `added ${who.trim()} to the directory as @${handle} (imported)` });
          added++;
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          notes.push({ file: v.file, field: 'owners', reason: `could not add ${who.trim()} to the directory (${e.message}); kept in the body` });
        }
      }
    }
  }
  return added;
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

function importPage(base: CommandContext, page: SourcePage, defaults: Record<string, string>, notes: ImportProblem[]): { outcome: Outcome; versions: number } {
  const { store } = base;
  const head = store.pages.head(page.slug);
  const existing = head ? store.pages.versions(head.id).reverse() : [];
  const ctxFor = (v: SourceVersion): CommandContext => ({
    ...base,
    actor: { username: v.revision?.author ?? base.actor.username },
    at: v.revision?.date ? new Date(v.revision.date) : base.at,
    verbatim: page.mode === 'hashes',
    recordedHash: page.mode === 'hashes' ? v.revision?.hash : undefined,
    laterPagesMayFollow: true,
    // The PHI guard ran in check() before anything was written; the write itself need not scan again.
    phi: undefined,
  });
  const prepared = new Map<SourceVersion, { fm: Record<string, unknown>; body: string; notes: string[] }>();
  const prepareVersion = (v: SourceVersion) => {
    if (!prepared.has(v)) {
      const r = resolveOwners(store, v.frontMatter, v.format, v.body);
      prepared.set(v, { ...r, fm: withDefaults(r.fm, defaults) });
    }
    return prepared.get(v)!;
  };
  const draft = (v: SourceVersion) => prepareVersion(v).fm;

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
  // An old version that fails a check is left out of the history (and said so); the current one decides.
  const todo: SourceVersion[] = [];
  const left: ImportProblem[] = [];
  page.versions.slice(from).forEach((v, i, all) => {
    try {
      check({ ...ctxFor(v), phi: base.phi }, { ...v, body: prepareVersion(v).body }, draft(v));
      todo.push(v);
    } catch (e) {
      if (!(e instanceof FileProblem) || i === all.length - 1) throw e;
      left.push({ file: e.file, field: e.field, reason: `this version is left out of the history: ${e.message}` });
    }
  });
  notes.push(...left);
  const last = page.versions.at(-1)!;
  // What was decided for any version written is said once per page, by the newest file it was decided for.
  const said = new Map<string, string>();
  for (const n of page.notes ?? []) said.set(n, last.file);
  for (const v of todo.length ? todo : [last]) for (const n of [...(v.notes ?? []), ...prepareVersion(v).notes]) said.set(n, v.file);
  for (const [reason, file] of said) notes.push({ file, field: 'note', reason });
  if (todo.length === 0) return { outcome: 'unchanged', versions: 0 };

  let written = 0;
  store.transaction(() => {
    for (const v of todo) {
      const ctx = ctxFor(v);
      const current = store.pages.head(page.slug);
      let fm = draft(v);
      const body = prepareVersion(v).body;
      if (!current) {
        createPage(ctx, { slug: page.slug, frontMatter: fm, body, summary: v.revision?.summary ?? `Imported from ${v.file}` });
      } else {
        const toggles = v.revision?.archived !== undefined && Boolean(current.archived) !== v.revision.archived;
        if (toggles) {
          setArchived(ctx, { slug: page.slug, archived: v.revision!.archived!, summary: v.revision!.summary ?? 'Imported' });
        } else {
          if (page.mode !== 'hashes') {
            // Links another page mirrored onto this one stay: the file only knew its own side.
            const cur = JSON.parse(store.pages.version(current.id, current.current_version)!.front_matter) as Record<string, string[] | undefined>;
            for (const k of ['supersedes', 'superseded_by'] as const) {
              const merged = [...new Set([...((fm[k] as string[] | undefined) ?? []), ...(cur[k] ?? [])])];
              if (merged.length) fm = { ...fm, [k]: merged };
            }
            if (sameContent(store, page.slug, fm, body, ctx.systems)) continue; // archived or not, nothing new
          }
          if (current.archived) setArchived({ ...ctx, verbatim: true }, { slug: page.slug, archived: false, summary: 'Unarchived to import a newer version' });
          const saved = savePage(ctx, { slug: page.slug, frontMatter: fm, body, summary: v.revision?.summary ?? `Imported from ${v.file}`, baseVersion: store.pages.head(page.slug)!.current_version });
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
      if (p.departure_reason === undefined || p.departure_reason === null || p.departure_reason === '') {
        // Recorded without a reason at the source: it comes back without one rather than with an invented one.
        const handle = String(p.handle);
        const successor = (p.successor as string | undefined) ?? null;
        const on = /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : new Date().toISOString().slice(0, 10);
        ctx.store.transaction(() => {
          ctx.store.parties.depart({ handle, departed_on: on, successor, departure_reason: null });
          recordAudit(ctx.store, { actor: ctx.actor.username, action: 'person.departed', target: `person:${handle}`, client: ctx.client, details: { date: on, ...(successor ? { successor } : {}) } });
        });
        continue;
      }
      departPerson(ctx, { handle: String(p.handle), date: date || undefined, successor: (p.successor as string | undefined) ?? null, reason: String(p.departure_reason), today: new Date().toISOString().slice(0, 10) });
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
    markReviewed({ ...ctx, actor: { username: r.by }, at: new Date(at) }, { slug: r.page, note: r.note });
    added++;
  }
  return added;
}

/** Imports pages (and, from an export, people and reviews) into the store. */
export function importPages(store: Store, rules: ImportRules, source: ImportSource, options: ImportOptions = {}): ImportSummary {
  // A dry run does everything in a transaction that is rolled back: the report is real, nothing stays.
  return options.dryRun ? store.rolledBack(() => importPagesNow(store, rules, source, options)) : importPagesNow(store, rules, source, options);
}

type ImportSource = { pages: SourcePage[]; problems: ImportProblem[]; skipped?: ImportProblem[]; root?: string };

function importPagesNow(store: Store, rules: ImportRules, source: ImportSource, options: ImportOptions): ImportSummary {
  const actor = options.actor ?? 'cli';
  const base: CommandContext = { store, ...rules, actor: { username: actor }, client: 'import' };
  const summary: ImportSummary = { created: 0, updated: 0, unchanged: 0, failed: 0, versions: 0, problems: [...source.problems], formats: {}, people: 0, reviews: 0, notes: [], skipped: [...(source.skipped ?? [])], report: [], dryRun: options.dryRun === true };
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
  if (options.createPeople) summary.people += store.transaction(() => createPeople(base, source.pages, summary.notes));
  const failedFiles = new Set(source.problems.map((p) => p.file));
  summary.failed = failedFiles.size;
  for (const p of source.problems) summary.report.push({ file: p.file, slug: '', outcome: 'failed', versions: 0, reason: `${p.field}: ${p.reason}` });
  const batch = options.batch ?? 250;
  const linked: { slug: string; author?: string; date?: string }[] = [];
  for (let i = 0; i < source.pages.length; i += batch) {
    store.transaction(() => {
      for (const page of source.pages.slice(i, i + batch)) {
        const last = page.versions.at(-1)!;
        const notes: ImportProblem[] = [];
        try {
          const r = importPage(base, page, options.defaults ?? {}, notes);
          summary[r.outcome]++;
          summary.versions += r.versions;
          summary.notes.push(...notes);
          summary.report.push({ file: last.file, slug: page.slug, outcome: r.outcome, versions: r.versions });
          // One file, one count: a history of ten versions is still one file.
          summary.formats[last.format] = (summary.formats[last.format] ?? 0) + 1;
          if (page.mode !== 'hashes' && page.versions.some((v) => v.frontMatter.supersedes || v.frontMatter.superseded_by)) linked.push({ slug: page.slug, author: last.revision?.author, date: last.revision?.date });
        } catch (e) {
          const problem = e instanceof FileProblem ? { file: e.file, field: e.field, reason: e.message } : e instanceof DomainError ? { file: last.file, field: e instanceof ValidationError ? e.errors[0]!.field : 'page', reason: e.message } : null;
          if (!problem) throw e;
          summary.problems.push(problem);
          summary.report.push({ file: problem.file, slug: page.slug, outcome: 'failed', versions: 0, reason: `${problem.field}: ${problem.reason}` });
          summary.failed++;
        }
      }
    });
    options.onProgress?.(Math.min(i + batch, source.pages.length), source.pages.length);
  }
  // Records that named a predecessor or successor imported later get the link on both sides now, written
  // by the author of the version that named it and dated with it (or just after the other page's last version).
  for (const l of linked) {
    const head = store.pages.head(l.slug);
    if (!head) continue;
    const fm = JSON.parse(store.pages.version(head.id, head.current_version)!.front_matter) as { supersedes?: string[]; superseded_by?: string[] };
    const latest = [...(fm.supersedes ?? []), ...(fm.superseded_by ?? [])].map((s) => store.pages.head(s)?.updated_at ?? '').reduce((a, b) => (a > b ? a : b), l.date ?? '');
    reconcileSupersession({ ...base, laterPagesMayFollow: true, ...(l.author ? { actor: { username: l.author } } : {}), ...(latest ? { at: new Date(latest) } : {}) }, { slug: l.slug });
  }
  const reviewsFile = rootFile('reviews.yaml');
  if (reviewsFile) summary.reviews = importReviews(base, reviewsFile);
  store.transaction(() =>
    recordAudit(store, { actor, action: 'import.made', target: null, client: 'import', details: { created: summary.created, updated: summary.updated, unchanged: summary.unchanged, failed: summary.failed, versions: summary.versions } }),
  );
  return summary;
}
