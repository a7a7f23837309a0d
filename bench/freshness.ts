// Freshness after a bulk import: the built server runs on the demo wiki while the real CLI, as a separate
// process, imports the shared corpus (every file made into a page as bench/import.ts does). Every 250 ms the
// benchmark asks /api/search/status and runs sample searches (exact titles, as phrases, of pages near the
// end of the import). It reports the import's duration, the time from the import's end until the index
// holds every page and every sample finds its page, the "indexing" counts seen meanwhile, the searches'
// latency while catching up and the server's resident memory. RUNS (default 3) runs, each on a fresh data
// dir; the median is reported. BENCH_PAGES imports fewer pages; WHYWIKI_BENCH_CORPUS names another corpus (a folder or .tar.gz). PROFILE=<dir> writes the server's CPU profiles (node --cpu-prof) there.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../server/setup.js';
import { seedFromContent } from '../server/seed.js';
import { CONTENT_DIR, ROOT } from '../server/paths.js';
import { createApiToken } from '../server/auth/commands/create-api-token.js';
import { createUser } from '../server/auth/commands/create-user.js';
import { corpusFiles, DEFAULT_CORPUS, median, percentile, writeImportablePages } from './corpus.js';

const RUNS = Number(process.env.RUNS ?? 3);
const POLL_MS = 250;
/** Give up waiting this long after the import ended (the goal is 10 s). */
const WAIT_LIMIT_MS = 600_000;
const SAMPLES = 8;
const SYSTEMS = ['Epic', 'Workday', 'Interfaces', 'Infrastructure'];
const MAIN = path.join(ROOT, 'dist', 'server', 'main.js');
const CLI = path.join(ROOT, 'dist', 'server', 'cli.js');
if (!fs.existsSync(MAIN)) throw new Error('dist/ is missing: run `npm run build` first (npm run bench:freshness does).');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'whywiki-bench-freshness-'));
const src = path.join(work, 'pages');
fs.mkdirSync(src);
const files = corpusFiles(process.env.WHYWIKI_BENCH_CORPUS ?? DEFAULT_CORPUS);
const count = Number(process.env.BENCH_PAGES ?? files.length);
const written = writeImportablePages(files, src, count, 'mreyes', SYSTEMS);
console.log(`${count} corpus files written as importable pages`);

// Samples: pages from the last tenth of the import whose title no other page shares, searched as a phrase.
const titleCount = new Map<string, number>();
for (const w of written) titleCount.set(w.title.toLowerCase(), (titleCount.get(w.title.toLowerCase()) ?? 0) + 1);
const phraseOf = (title: string) => title.replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ').slice(0, 8).join(' ');
const tail = written.slice(Math.floor(written.length * 0.9)).filter((w) => titleCount.get(w.title.toLowerCase()) === 1 && phraseOf(w.title).split(' ').length >= 2);
const samples = Array.from({ length: Math.min(SAMPLES, tail.length) }, (_, i) => tail[Math.floor((i * tail.length) / SAMPLES)]!).map((w) => ({
  slug: w.name.replace(/\.md$/, ''),
  title: w.title,
  q: `"${phraseOf(w.title)}"`,
}));

interface Status {
  state: string;
  pages?: number;
  watermark?: number;
  delta?: number;
  rebuilding?: boolean;
  builds?: number;
  indexing: number;
}

/** Resident memory now and at its peak, from /proc (Linux). */
function memoryOf(pid: number): { rss: number; peak: number } {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

const mb = (n: number) => `${(n / 1048576).toFixed(0)} MB`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface RunResult {
  importMs: number;
  created: number;
  catchUpMs: number;
  indexingSeen: number[];
  /** Sample searches' latency after the import ended, until caught up, and while it ran. */
  searchMs: number[];
  importSearchMs: number[];
  rss: number;
  peakRss: number;
}

async function oneRun(run: number): Promise<RunResult> {
  const dir = path.join(work, `data-${run}`);
  const store = openStore(dir);
  seedFromContent(store, CONTENT_DIR, { systems: SYSTEMS, maxBodyBytes: 1024 * 1024 });
  await createUser({ store, actor: { username: 'bench' } }, { username: 'admin', password: 'freshness-bench-password', role: 'admin' });
  const token = createApiToken({ store, actor: { username: 'bench' } }, { username: 'admin', label: 'bench' });
  store.close();
  const headers = { authorization: `Bearer ${token}` };
  const port = 40000 + Math.floor(Math.random() * 20000);
  const base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, WHYWIKI_DATA: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  const profile = process.env.PROFILE ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(process.env.PROFILE)] : [];
  const server = spawn(process.execPath, [...profile, MAIN], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const serverExit = new Promise((r) => server.once('exit', r));
  let cli: ChildProcess | null = null;
  try {
    const status = async (): Promise<Status | null> => {
      const res = await fetch(`${base}/api/search/status`, { headers }).catch(() => null);
      return res?.ok ? ((await res.json()) as Status) : null;
    };
    let ready: Status | null = null;
    for (let n = 0; n < 2400 && ready?.state !== 'ready'; n++) {
      ready = await status();
      if (ready?.state !== 'ready') await sleep(50);
    }
    if (ready?.state !== 'ready') throw new Error('the server did not start');
    const demoPages = ready.pages ?? 0;

    const t0 = performance.now();
    let importOut = '';
    cli = spawn(process.execPath, [CLI, 'import', src], { cwd: ROOT, env: { ...env, PORT: undefined }, stdio: ['ignore', 'pipe', 'ignore'] });
    cli.stdout!.on('data', (d: Buffer) => (importOut = (importOut + d.toString()).slice(-20_000)));
    let importEnd: number | null = null;
    const cliExit = new Promise<number | null>((r) => cli!.once('exit', (code) => { importEnd = performance.now(); r(code); }));

    const indexingSeen: number[] = [];
    const searchMs: number[] = [];
    const importSearchMs: number[] = [];
    let caughtUp: number | null = null;
    let created = Infinity;
    for (let n = 0; caughtUp === null; n++) {
      const tick = performance.now();
      if (importEnd !== null && tick - importEnd > WAIT_LIMIT_MS) throw new Error(`not caught up ${WAIT_LIMIT_MS / 1000} s after the import ended`);
      const ended = importEnd !== null;
      const s = await status();
      const found = await Promise.all(samples.map(async (sample) => {
        const t = performance.now();
        const res = await fetch(`${base}/api/search?${new URLSearchParams({ q: sample.q, limit: '50' })}`, { headers }).catch(() => null);
        const ms = performance.now() - t;
        (ended ? searchMs : importSearchMs).push(ms);
        if (!res?.ok) return false;
        const body = (await res.json()) as { results: { slug: string }[] };
        return body.results.some((r) => r.slug === sample.slug);
      }));
      if (s && s.indexing > 0 && indexingSeen.at(-1) !== s.indexing) indexingSeen.push(s.indexing);
      if (n % 8 === 0 || ended) {
        const m = memoryOf(server.pid!);
        console.log(`  ${((tick - t0) / 1000).toFixed(2)} s${ended ? ' (import ended)' : ''}: pages ${s?.pages}, indexing ${s?.indexing}, delta ${s?.delta}, rebuilding ${s?.rebuilding}, builds ${s?.builds}, samples found ${found.filter(Boolean).length}/${samples.length}, rss ${mb(m.rss)}`);
      }
      if (ended) {
        if (created === Infinity) {
          const code = await cliExit;
          const m = /Imported in [\d.]+ s: (\d+) created/.exec(importOut);
          if (!m) throw new Error(`the import printed no summary (exit ${code}): ${importOut.slice(-500)}`);
          created = Number(m[1]);
        }
        if (s && s.indexing === 0 && (s.pages ?? 0) >= demoPages + created && found.every(Boolean)) caughtUp = tick;
      }
      const wait = POLL_MS - (performance.now() - tick);
      if (wait > 0 && caughtUp === null) await sleep(wait);
    }
    const m = memoryOf(server.pid!);
    return { importMs: importEnd! - t0, created, catchUpMs: Math.max(0, caughtUp - importEnd!), indexingSeen, searchMs, importSearchMs, rss: m.rss, peakRss: m.peak };
  } finally {
    if (cli && cli.exitCode === null) cli.kill('SIGKILL');
    server.kill('SIGTERM');
    await serverExit;
  }
}

const p = (values: number[], at: number) => (values.length ? percentile(values, at).toFixed(0) : '-');
const results: RunResult[] = [];
for (let run = 0; run < RUNS; run++) {
  console.log(`run ${run + 1}:`);
  const r = await oneRun(run);
  results.push(r);
  console.log(`run ${run + 1}: import ${(r.importMs / 1000).toFixed(1)} s (${r.created} pages created); all searchable ${(r.catchUpMs / 1000).toFixed(2)} s after it ended; ` +
    `"indexing" seen: ${r.indexingSeen.length ? r.indexingSeen.join(', ') : 'none'}; search p50/p95 ${p(r.importSearchMs, 50)}/${p(r.importSearchMs, 95)} ms during the import, ${p(r.searchMs, 50)}/${p(r.searchMs, 95)} ms after it until caught up (${r.importSearchMs.length} and ${r.searchMs.length} searches); ` +
    `server rss ${mb(r.rss)} at the end, peak ${mb(r.peakRss)}`);
  fs.rmSync(path.join(work, `data-${run}`), { recursive: true, force: true });
}
console.log(`\nmedian of ${RUNS}: import ${(median(results.map((r) => r.importMs)) / 1000).toFixed(1)} s; all ${results[0]!.created} pages searchable ${(median(results.map((r) => r.catchUpMs)) / 1000).toFixed(2)} s after the import ended (goal ≤ 10 s); ` +
  `search p95 during the import ${median(results.map((r) => percentile(r.importSearchMs, 95))).toFixed(0)} ms; server peak rss ${mb(median(results.map((r) => r.peakRss)))}`);
fs.rmSync(work, { recursive: true, force: true });
