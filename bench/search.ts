// Search benchmark: Whywiki's search beside stock Lunr on the same documents, in one run.
//
//   npm run bench:search -- [--corpus <folder or .tar.gz>] [--runs 3] [--seconds 10] [--stock-builds 1]
//
// By default the corpus is ../shared/corpus/docs-5565.tar.gz; without it, a corpus generated from a
// fixed seed. The store and index built from a corpus are kept in the temp folder between runs
// (importing 5,565 pages parses every one of them), so a second run starts measuring at once.
// Figures are medians with min and max over repeated runs; ratios compare with a baseline measured
// in the same run, because the machine is shared and noisy.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import lunr from 'lunr';
import { readFrontMatter } from '../server/transfer/front-matter.js';
import autocannon from 'autocannon';
import { openStore } from '../server/setup.js';
import { createPage, type CommandContext } from '../server/pages/commands.js';
import { createApiToken } from '../server/auth/commands/create-api-token.js';
import { createUser } from '../server/auth/commands/create-user.js';
import type { SearchDoc } from '../server/search/document.js';
import { buildSnapshot, readSnapshot, SearchFeed, snapshotFile, writeSnapshot } from '../server/search/snapshot.js';
import { SearchEngine, PAGE_FIELDS } from '../server/search/engine.js';
import { DB_FILE_NAME } from '../server/store/db.js';
import { DomainError } from '../server/core/errors.js';
import { ROOT } from '../server/paths.js';
import { corpusFiles, DEFAULT_CORPUS, exactTitleQueries, generatedCorpus, percentile, seeded } from './corpus.js';
import { freePort } from './http.js';

const { values: args } = parseArgs({
  options: {
    corpus: { type: 'string' },
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    'stock-builds': { type: 'string', default: '1' },
    queries: { type: 'string', default: '200' },
  },
});
const RUNS = Math.max(1, Number(args.runs));
const SECONDS = Math.max(2, Number(args.seconds));
const STOCK_BUILDS = Math.max(0, Number(args['stock-builds']));
const QUERIES = Math.max(20, Number(args.queries));
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

const log = (s: string) => process.stdout.write(`${s}\n`);
const fmt = (n: number, digits = 1) => n.toFixed(digits);

interface Stat {
  median: number;
  min: number;
  max: number;
}
function stat(xs: number[]): Stat {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s[s.length - 1]! };
}
const show = (s: Stat, unit: string, digits = 1) => `${fmt(s.median, digits)} ${unit} (min ${fmt(s.min, digits)}, max ${fmt(s.max, digits)})`;
const results: Record<string, unknown> = {};

// ---------------------------------------------------------------------------------------------
// 1. The corpus, mapped onto pages: title from the front matter or first heading, why from the
//    first paragraph, a fixed owner, a system per source folder, a ticket and a build record each.
// ---------------------------------------------------------------------------------------------
interface CorpusPage {
  slug: string;
  title: string;
  why: string;
  body: string;
  system: string;
  module: string;
  ticket: string;
  record: string;
}

function loadCorpus(): { name: string; pages: CorpusPage[] } {
  const source = args.corpus ?? (fs.existsSync(DEFAULT_CORPUS) ? DEFAULT_CORPUS : null);
  const files = source
    ? corpusFiles(source).map((f) => ({ name: f, text: fs.readFileSync(f, 'utf8') }))
    : generatedCorpus(2000);
  const root = source ? commonDir(files.map((f) => f.name)) : '';
  const rnd = seeded(7);
  const systems = ['Epic', 'Workday', 'Interfaces', 'Infrastructure'];
  const slugs = new Set<string>();
  const pages = files.map((f, i): CorpusPage => {
    let data: Record<string, unknown> = {};
    let content = f.text;
    try {
      const m = readFrontMatter(f.text);
      data = m.data;
      content = m.body;
    } catch {
      // Front matter that is not YAML: keep the whole file as the body.
    }
    const heading = /^#\s+(.+)$/m.exec(content)?.[1];
    const rel = source ? path.relative(root, f.name) : f.name;
    const parts = rel.split(path.sep);
    const title = String(data.title ?? heading ?? path.basename(f.name)).replace(/\s+/g, ' ').trim().slice(0, 190).padEnd(3, '.');
    const firstPara = content.split(/\n\s*\n/).map((p) => p.trim()).find((p) => p.length > 30 && !p.startsWith('#') && !p.startsWith('```') && !p.startsWith('import ')) ?? title;
    let slug = parts.join('-').replace(/\.mdx?$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(-70).replace(/^-+/, '');
    while (slugs.has(slug)) slug = `${slug.slice(0, 70)}-${i}`;
    slugs.add(slug);
    return {
      slug,
      title,
      why: firstPara.slice(0, 1500),
      body: content,
      system: systems[parts.length > 1 ? Math.abs(hash(parts[0]!)) % systems.length : i % systems.length]!,
      module: (parts[1] ?? 'general').replace(/[^A-Za-z0-9 ._-]/g, '').slice(0, 60) || 'general',
      ticket: `CHG${String(Math.floor(rnd() * 1e7)).padStart(7, '0')}`,
      record: `BPA ${1_000_000 + Math.floor(rnd() * 8_999_999)}`,
    };
  });
  return { name: source ? path.basename(source) : 'generated (seed 42, 2,000 pages)', pages };
}

function commonDir(files: string[]): string {
  let dir = path.dirname(files[0] ?? '/');
  for (const f of files) while (!f.startsWith(dir + path.sep) && dir !== path.dirname(dir)) dir = path.dirname(dir);
  return dir;
}

function hash(s: string): number {
  return crypto.createHash('sha1').update(s).digest().readInt32LE(0);
}

// ---------------------------------------------------------------------------------------------
// 2. A store holding the corpus, imported through the real commands, and its first index.
// ---------------------------------------------------------------------------------------------
const ADMIN_PASSWORD = 'bench-first-password';

/**
 * The store the server searches, made once per corpus: every page created through the page command, as a
 * save would. Pages the product refuses (more links than a page may show, say) are left out and named, so
 * the benchmark measures what a real wiki would hold.
 */
async function prepareStore(corpus: { name: string; pages: CorpusPage[] }): Promise<{ dir: string; token: string; refused: string[] }> {
  const key = crypto.createHash('sha1').update(corpus.name).update(String(corpus.pages.length)).update(corpus.pages.map((p) => p.slug).join()).digest('hex').slice(0, 12);
  const dir = path.join(os.tmpdir(), `whywiki-bench-search-${key}`);
  const ready = path.join(dir, 'ready.json');
  if (fs.existsSync(ready)) {
    log(`Reusing the prepared store in ${dir}`);
    const prepared = JSON.parse(fs.readFileSync(ready, 'utf8')) as { dir: string; token: string; refused?: string[] };
    return { ...prepared, refused: prepared.refused ?? [] };
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const store = openStore(dir);
  await createUser({ store, actor: { username: 'bench' } }, { username: 'admin', password: ADMIN_PASSWORD, role: 'admin' });
  store.parties.insert({ handle: 'bench', kind: 'person', name: 'Bench Analyst', title: null, email: null, status: 'active', departed_on: null, created_at: new Date().toISOString() });
  const ctx: CommandContext = { store, systems: ['Epic', 'Workday', 'Interfaces', 'Infrastructure'], maxBodyBytes: 4 * 1024 * 1024, actor: { username: 'bench' }, client: 'bench' };
  const t0 = performance.now();
  const refused: string[] = [];
  for (let i = 0; i < corpus.pages.length; i += 250) {
    store.transaction(() => {
      for (const p of corpus.pages.slice(i, i + 250)) {
        try {
          // A savepoint each, so a refused page leaves nothing behind.
          store.transaction(() =>
            createPage(ctx, {
              slug: p.slug,
              frontMatter: { title: p.title, why: p.why, owners: ['bench'], system: p.system, module: p.module, status: 'live', tickets: [p.ticket], records: [p.record] },
              body: p.body,
              summary: 'Imported for the benchmark',
            }),
          );
        } catch (e) {
          if (!(e instanceof DomainError)) throw e;
          refused.push(p.slug);
          log(`  left out ${p.slug}: ${e.message}`);
        }
      }
    });
    log(`  imported ${Math.min(i + 250, corpus.pages.length)} / ${corpus.pages.length} pages (${fmt((performance.now() - t0) / 1000)} s)`);
  }
  const token = createApiToken({ store, actor: { username: 'bench' } }, { username: 'admin', label: 'bench' });
  const t1 = performance.now();
  const snap = buildSnapshot(new SearchFeed(store.unsafeDatabaseForTests()).snapshotSource(null, (n) => n % 1000 === 0 && log(`  extracted the text of ${n} pages`)));
  writeSnapshot(snapshotFile(path.join(dir, DB_FILE_NAME)), snap);
  log(`  first index with text extraction: ${fmt((performance.now() - t1) / 1000)} s`);
  store.close();
  fs.writeFileSync(ready, JSON.stringify({ dir, token, refused }));
  return { dir, token, refused };
}

// ---------------------------------------------------------------------------------------------
// 3. Query sets, drawn deterministically from the documents.
// ---------------------------------------------------------------------------------------------
type Kind = 'single word' | 'two words' | 'prefix' | 'fuzzy' | 'ticket ID';
interface Q {
  kind: Kind;
  ours: string;
  stock: string;
}

function querySets(docs: SearchDoc[]): Q[] {
  const rnd = seeded(11);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const titleWords = (d: SearchDoc) => d.title.toLowerCase().split(/[^a-z]+/).filter((w) => w.length >= 4 && lunr.stopWordFilter(new lunr.Token(w, {})) !== undefined);
  const withWords = docs.filter((d) => titleWords(d).length >= 2);
  const out: Q[] = [];
  for (let i = 0; i < QUERIES; i++) {
    const words = titleWords(pick(withWords));
    const w = pick(words);
    out.push({ kind: 'single word', ours: `${w} `, stock: w });
    const [a, b] = [words[0]!, words[1]!];
    out.push({ kind: 'two words', ours: `${a} ${b} `, stock: `${a} ${b}` });
    const p = w.slice(0, 3 + Math.floor(rnd() * 2));
    out.push({ kind: 'prefix', ours: p, stock: `${p}*` });
    const long = words.find((x) => x.length >= 6) ?? w;
    const at = 1 + Math.floor(rnd() * (long.length - 2));
    const typo = long.slice(0, at) + (long[at] === 'e' ? 'a' : 'e') + long.slice(at + 1);
    out.push({ kind: 'fuzzy', ours: `${typo} `, stock: `${typo}~1` });
    const t = pick(docs).tickets[0]!;
    out.push({ kind: 'ticket ID', ours: rnd() < 0.5 ? t.toLowerCase() : `${t.slice(0, 3)}-${t.slice(3)}`, stock: t.toLowerCase() });
  }
  return out;
}

function latencies(qs: Q[], run: (q: Q) => void): Map<Kind | 'mixed', number[]> {
  for (const q of qs.slice(0, 50)) run(q); // warm-up
  const by = new Map<Kind | 'mixed', number[]>([['mixed', []]]);
  for (const q of qs) {
    const t0 = performance.now();
    run(q);
    const ms = performance.now() - t0;
    if (!by.has(q.kind)) by.set(q.kind, []);
    by.get(q.kind)!.push(ms);
    by.get('mixed')!.push(ms);
  }
  return by;
}

// ---------------------------------------------------------------------------------------------
// 4. A real server process on 127.0.0.1.
// ---------------------------------------------------------------------------------------------
async function until(fn: () => Promise<boolean>, timeoutMs: number, everyMs = 10): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (await fn().catch(() => false)) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms`);
}

interface Server {
  proc: ChildProcess;
  url: string;
  firstPageMs: number;
  searchMs: number;
}

async function startServer(dir: string, token: string): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const proc = spawn(process.execPath, [path.join(ROOT, 'dist', 'server', 'main.js')], {
    env: { ...process.env, WHYWIKI_DATA: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', WHYWIKI_ADMIN_PASSWORD: ADMIN_PASSWORD },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const auth = { authorization: `Bearer ${token}` };
  await until(async () => (await fetch(`${url}/healthz`)).ok, 60_000, 5);
  const firstPageMs = performance.now() - t0;
  await until(async () => (await fetch(`${url}/api/search?q=page`, { headers: auth })).status === 200, 120_000, 5);
  return { proc, url, firstPageMs, searchMs: performance.now() - t0 };
}

async function stopServer(s: Server): Promise<void> {
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (s.proc.exitCode === null) s.proc.kill('SIGKILL');
}

function rssMb(pid: number): { rss: number; peak: number } {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/** Resident memory of a process's children (the rebuild process), sampled while something runs. */
function childrenRss(pid: number): number {
  try {
    let total = 0;
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const kids = fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      for (const k of kids) total += rssMb(Number(k)).rss;
    }
    return total;
  } catch {
    return 0;
  }
}

/** `clients` loops, each searching one query after another, for `seconds`; bounded by time and count. */
async function searchLoad(url: string, token: string, qs: Q[], clients: number, seconds: number): Promise<{ ms: number[]; errors: number }> {
  const until = performance.now() + seconds * 1000;
  const ms: number[] = [];
  let errors = 0;
  let next = 0;
  const headers = { authorization: `Bearer ${token}` };
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until && ms.length < 200_000) {
        const q = qs[next++ % qs.length]!;
        const t0 = performance.now();
        const res = await fetch(`${url}/api/search?limit=10&q=${encodeURIComponent(q.ours)}`, { headers });
        await res.arrayBuffer();
        if (res.status !== 200) errors++;
        ms.push(performance.now() - t0);
      }
    }),
  );
  return { ms, errors };
}

async function pageViews(url: string, headers: Record<string, string>, seconds: number): Promise<{ rps: number; p99: number; errors: number }> {
  const r = await autocannon({ url, connections: 10, duration: seconds, headers });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

// ---------------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const corpus = loadCorpus();
  log(`Search benchmark on ${corpus.name}: ${corpus.pages.length} pages, ${os.cpus().length} cores, Node ${process.version}`);
  const prepared = await prepareStore(corpus);
  const { dir, token } = prepared;
  // Stock Lunr and the query sets see the same pages as the server.
  if (prepared.refused.length) {
    const out = new Set(prepared.refused);
    corpus.pages = corpus.pages.filter((p) => !out.has(p.slug));
    log(`${prepared.refused.length} corpus page(s) refused by the product and left out; ${corpus.pages.length} pages searched`);
  }
  const indexFile = snapshotFile(path.join(dir, DB_FILE_NAME));
  results.corpus = { name: corpus.name, pages: corpus.pages.length };

  // --- In process: load, build, size, memory, queries ---------------------------------------
  gc();
  let heap0 = process.memoryUsage().heapUsed;
  const loadMs: number[] = [];
  let snap = readSnapshot(indexFile)!;
  for (let i = 0; i < RUNS; i++) {
    snap = null as never;
    gc();
    const t0 = performance.now();
    snap = readSnapshot(indexFile)!;
    loadMs.push(performance.now() - t0);
  }
  gc();
  const oursHeap = (process.memoryUsage().heapUsed - heap0) / 1e6;
  const oursArrays = process.memoryUsage().arrayBuffers / 1e6;
  const docs = snap.pages.docs;
  const source = { watermark: snap.watermark, pages: docs, history: snap.history.docs };
  const buildMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    buildSnapshot(source);
    buildMs.push(performance.now() - t0);
    gc();
  }
  const oursBytes = fs.statSync(indexFile).size;
  const engine = new SearchEngine();
  engine.setMain(snap.pages, snap.history);
  const qs = querySets(docs);
  const viewer = { admin: true, teams: [] };
  const ours = latencies(qs, (q) => engine.search({ q: q.ours, viewer, limit: 10 }));
  let found = 0;
  for (const q of qs.filter((x) => x.kind === 'ticket ID')) if (engine.search({ q: q.ours, viewer, limit: 3 }).hits.length) found++;
  const titled = exactTitleQueries(docs);
  const titleHits = titled.filter((d) => (engine.search({ q: d.title, viewer, limit: 3 }).hits as { slug: string }[]).some((h) => h.slug === d.slug)).length;

  // Stock Lunr over the same documents and fields: one lunr() build, JSON, Index.load.
  let stock: { buildMs: number[]; loadMs: number[]; bytes: number; heap: number; q: Map<Kind | 'mixed', number[]> } | null = null;
  if (STOCK_BUILDS > 0) {
    log('Building stock Lunr (lunr(), same documents and boosts)…');
    const flat = docs.map((d) => ({ ...d, tags: d.tags.join(' '), owners: d.owners.join(' '), tickets: d.tickets.join(' '), records: d.records.join(' ') }));
    const sBuild: number[] = [];
    let index: lunr.Index | null = null;
    for (let i = 0; i < STOCK_BUILDS; i++) {
      index = null;
      gc();
      heap0 = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      index = lunr(function () {
        this.ref('slug');
        for (const f of PAGE_FIELDS) this.field(f.name, { boost: f.boost });
        for (const d of flat) this.add(d);
      });
      sBuild.push(performance.now() - t0);
    }
    gc();
    const heap = (process.memoryUsage().heapUsed - heap0) / 1e6;
    const json = JSON.stringify(index);
    const bytes = Buffer.byteLength(json);
    const sLoad: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      index = null;
      gc();
      const t0 = performance.now();
      index = lunr.Index.load(JSON.parse(json));
      sLoad.push(performance.now() - t0);
    }
    const idx = index!;
    const q = latencies(qs, (x) => {
      try {
        idx.search(x.stock);
      } catch {
        // Stock Lunr throws on some inputs; timed all the same.
      }
    });
    stock = { buildMs: sBuild, loadMs: sLoad, bytes, heap, q };
    index = null;
    gc();
  }

  log('');
  log(`In process (${docs.length} pages, ${RUNS} runs):`);
  log(`  index build (text already extracted)  whywiki ${show(stat(buildMs.map((x) => x / 1000)), 's', 2)}${stock ? `   stock lunr() ${show(stat(stock.buildMs.map((x) => x / 1000)), 's', 2)}` : ''}`);
  log(`  persisted size                        whywiki ${fmt(oursBytes / 1e6)} MB (binary, with the page text for snippets)${stock ? `   stock ${fmt(stock.bytes / 1e6)} MB (JSON, index only)` : ''}`);
  log(`  load from disk                        whywiki ${show(stat(loadMs), 'ms', 0)}${stock ? `   stock JSON.parse + Index.load ${show(stat(stock.loadMs), 'ms', 0)}` : ''}`);
  log(`  index memory                          whywiki heap ${fmt(oursHeap)} MB + ${fmt(oursArrays)} MB typed arrays${stock ? `   stock heap ${fmt(stock.heap)} MB` : ''}`);
  log(`  query latency (${QUERIES} of each kind; whywiki includes snippets and facet counts)`);
  for (const kind of ['single word', 'two words', 'prefix', 'fuzzy', 'ticket ID', 'mixed'] as const) {
    const o = ours.get(kind)!;
    const s = stock?.q.get(kind);
    log(`    ${kind.padEnd(12)} whywiki p50 ${fmt(percentile(o, 50), 2).padStart(6)} ms  p95 ${fmt(percentile(o, 95), 2).padStart(6)} ms  max ${fmt(Math.max(...o), 1).padStart(6)} ms${s ? `   stock p50 ${fmt(percentile(s, 50), 2).padStart(6)} ms  p95 ${fmt(percentile(s, 95), 2).padStart(6)} ms` : ''}`);
  }
  log(`  ticket IDs written as "chg-…" or lowercase found: ${found} of ${QUERIES}`);
  log(`  held-out exact titles in the top 3: ${titleHits} of ${titled.length}`);
  results.inProcess = { exactTitlesTop3: `${titleHits}/${titled.length}`, buildMs: stat(buildMs), loadMs: stat(loadMs), bytes: oursBytes, heapMb: oursHeap, arraysMb: oursArrays, stock: stock && { buildMs: stat(stock.buildMs), loadMs: stat(stock.loadMs), bytes: stock.bytes, heapMb: stock.heap } };

  // --- Over HTTP: startup, freshness, concurrent searches, page views --------------------------
  engine.setMain(snap.pages, snap.history);
  snap = null as never;
  gc();
  log('');
  log('Over HTTP (server process on 127.0.0.1):');
  const startups: Server[] = [];
  const firstPage: number[] = [];
  const searchReady: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = await startServer(dir, token);
    firstPage.push(s.firstPageMs);
    searchReady.push(s.searchMs);
    if (i < RUNS - 1) await stopServer(s);
    else startups.push(s);
  }
  const server = startups[0]!;
  log(`  first page served after start         ${show(stat(firstPage), 'ms', 0)}`);
  log(`  search answering after start          ${show(stat(searchReady), 'ms', 0)} (index loaded from disk)`);
  const auth = { authorization: `Bearer ${token}` };
  const pid = server.proc.pid!;
  const memStart = rssMb(pid);

  // Save to searchable.
  const slug = docs[Math.floor(docs.length / 2)]!.slug;
  const fresh: number[] = [];
  for (let i = 0; i < 20; i++) {
    const page = (await (await fetch(`${server.url}/api/pages/${slug}`, { headers: auth })).json()) as Record<string, unknown>;
    const word = `zqx${crypto.randomBytes(4).toString('hex').replace(/[0-9]/g, 'k')}`;
    const fields = ['title', 'why', 'owners', 'system', 'module', 'status', 'tickets', 'records'];
    const payload = Object.fromEntries(fields.filter((f) => page[f] !== undefined && page[f] !== null).map((f) => [f, page[f]]));
    const t0 = performance.now();
    const res = await fetch(`${server.url}/api/pages/${slug}`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ ...payload, body: `${String(page.body)}\n\n${word}\n`, summary: `Benchmark save ${i}`, base_version: page.version }),
    });
    if (!res.ok) throw new Error(`save failed: ${res.status} ${await res.text()}`);
    await until(async () => ((await (await fetch(`${server.url}/api/search?q=${word}`, { headers: auth })).json()) as { total: number }).total > 0, 10_000, 2);
    fresh.push(performance.now() - t0);
  }
  log(`  save to searchable (20 saves)         ${show(stat(fresh), 'ms', 0)}`);

  // Concurrent searches.
  const load = await searchLoad(server.url, token, qs, 10, SECONDS);
  log(`  10 concurrent search clients, ${SECONDS} s    ${fmt(load.ms.length / SECONDS, 0)} searches/s, p50 ${fmt(percentile(load.ms, 50))} ms, p95 ${fmt(percentile(load.ms, 95))} ms, p99 ${fmt(percentile(load.ms, 99))} ms, errors ${load.errors}`);

  // Page views beside the in-memory baseline.
  const html = await (await fetch(`${server.url}/p/${slug}`, { headers: auth })).text();
  const htmlFile = path.join(dir, 'baseline.html');
  fs.writeFileSync(htmlFile, html);
  const basePort = await freePort();
  const baseline = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'baseline-server.ts'), htmlFile, String(basePort)], { stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT });
  await new Promise<void>((resolve) => baseline.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
  const baseUrl = `http://127.0.0.1:${basePort}/page`;
  const pageUrl = `${server.url}/p/${slug}`;
  const baseIdle = await pageViews(baseUrl, {}, SECONDS);
  const oursIdle = await pageViews(pageUrl, auth, SECONDS);
  log(`  page views, idle                      whywiki ${fmt(oursIdle.rps, 0)}/s, baseline ${fmt(baseIdle.rps, 0)}/s: ${fmt((100 * oursIdle.rps) / baseIdle.rps, 0)}% (errors ${oursIdle.errors})`);

  // Under load: 10 search clients and a full rebuild running while pages are viewed.
  let peakChild = 0;
  const sampler = setInterval(() => (peakChild = Math.max(peakChild, childrenRss(pid))), 200);
  const rebuild = await fetch(`${server.url}/api/search/rebuild`, { method: 'POST', headers: auth });
  const rebuildStatus = (await rebuild.json()) as { rebuilding: boolean };
  const busy = searchLoad(server.url, token, qs, 10, SECONDS + 1);
  const oursBusy = await pageViews(pageUrl, auth, SECONDS);
  const busyLoad = await busy;
  // The baseline under the same machine load (searches and a rebuild on the Whywiki server).
  await fetch(`${server.url}/api/search/rebuild`, { method: 'POST', headers: auth });
  const busy2 = searchLoad(server.url, token, qs, 10, SECONDS + 1);
  const baseBusy = await pageViews(baseUrl, {}, SECONDS);
  await busy2;
  clearInterval(sampler);
  log(`  page views, 10 search clients + rebuild (rebuild running: ${rebuildStatus.rebuilding})`);
  log(`                                        whywiki ${fmt(oursBusy.rps, 0)}/s: ${fmt((100 * oursBusy.rps) / baseIdle.rps, 0)}% of the idle baseline, ${fmt((100 * oursBusy.rps) / baseBusy.rps, 0)}% of the baseline under the same load (${fmt(baseBusy.rps, 0)}/s); errors ${oursBusy.errors}`);
  log(`                                        searches meanwhile: p50 ${fmt(percentile(busyLoad.ms, 50))} ms, p95 ${fmt(percentile(busyLoad.ms, 95))} ms, errors ${busyLoad.errors}`);
  await until(async () => !((await (await fetch(`${server.url}/api/search/status`, { headers: auth })).json()) as { rebuilding: boolean }).rebuilding, 300_000, 200);
  const memEnd = rssMb(pid);
  log(`  resident memory of the server         ${fmt(memStart.rss, 0)} MB after start, ${fmt(memEnd.rss, 0)} MB at the end, peak ${fmt(memEnd.peak, 0)} MB; rebuild process peak ${fmt(peakChild, 0)} MB`);
  baseline.kill('SIGTERM');
  await stopServer(server);
  results.http = {
    firstPageMs: stat(firstPage),
    searchReadyMs: stat(searchReady),
    saveToSearchableMs: stat(fresh),
    search10: { perSecond: load.ms.length / SECONDS, p50: percentile(load.ms, 50), p95: percentile(load.ms, 95), p99: percentile(load.ms, 99), errors: load.errors },
    pageViews: { idle: oursIdle.rps, baselineIdle: baseIdle.rps, busy: oursBusy.rps, baselineBusy: baseBusy.rps },
    rssMb: { start: memStart.rss, end: memEnd.rss, peak: memEnd.peak, rebuildPeak: peakChild },
  };
  if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
}

main().catch((e: unknown) => {
  process.stderr.write(`search benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
