// Ten times the size: the costs of a wiki of 5,000 and of 50,000 pages (ten versions each), side by side,
// with each row's growth exponent log(t50k / t5k) / log(10) (1 = linear, 0 = flat).
//
//   npm run bench:scale                       # SCALE_SIZES=5000,50000
//   SCALE_SIZES=500,5000 npm run bench:scale  # a quick check
//   SCALE_STORES=/work/scale npm run bench:scale   # reuse stores built by bench/scale/build.ts (<dir>/5k, <dir>/50k)
//   SCALE_ONLY=search SCALE_SIZES=50000 SCALE_STORES=/tmp/x npm run bench:scale   # only the search load (and RSS);
//       a search-index.bin beside the store is copied and used, so no rebuild is waited for
//   SCALE_SERVER=/elsewhere/dist/server/main.js   # another build of the server (a baseline in the same run)
//
// For each size: a store is built by bench/scale/build.ts (or an existing one is copied), then measured:
//   import      the first version of every page, as a folder of markdown, through the importer (from the build)
//   index build `rebuild` (the search index's own build process) from the store with no index file; its peak RSS
//   index load  a restart of the built server with the index file present, until search answers "ready"
//   RSS         the server process after warm-up, and its peak while 10 clients search
//   search      10 concurrent clients, held-out page titles and corpus words, p50 and p95 of each answer
//   page views  a page by session cookie, against a bare Fastify route serving the same bytes (same run)
//   screens     the home page, /api/pages (first 100, and a deep page), every report: median of 5 after a warm-up
//   verify, backup, export   the CLI commands on the same store, one run each
// Search, page views and screens are measured in the steady state: after search is ready AND no PHI retro-scan
// is running (the first start on a store scans every stored version in the background; GET /api/reports/phi is
// asked until it says neither scanning nor out of date).
// The server is the built one (dist/server/main.js) on 127.0.0.1; every loop is bounded.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { ROOT } from '../server/paths.js';
import { openStore } from '../server/setup.js';
import { createApiToken } from '../server/auth/commands/create-api-token.js';
import { createUser } from '../server/auth/commands/create-user.js';
import { median, percentile, seeded } from './corpus.js';
import { buildScaleStore } from './scale/build.js';
import { freePort, sessionCookie } from './http.js';

const SIZES = (process.env.SCALE_SIZES ?? '5000,50000').split(',').map(Number).filter((n) => n > 0);
const VERSIONS = Number(process.env.SCALE_VERSIONS ?? 10);
const STORES = process.env.SCALE_STORES;
const SECONDS = Number(process.env.SCALE_VIEW_SECONDS ?? 5);
const ONLY = process.env.SCALE_ONLY;
if (ONLY && ONLY !== 'search') throw new Error(`SCALE_ONLY=${ONLY}: only "search" is known`);
const SERVER = process.env.SCALE_SERVER ?? path.join(ROOT, 'dist', 'server', 'main.js');
const PASSWORD = 'bench-scale-password';
const log = (s: string) => process.stdout.write(`${s}\n`);
const label = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));

type Row = { name: string; unit: 'ms' | 'MB' | 's' | '%' | '/s'; goal?: string; values: Record<string, number | null> };
const rows = new Map<string, Row>();
function put(name: string, unit: Row['unit'], size: number, value: number | null, goal?: string): void {
  const row = rows.get(name) ?? { name, unit, goal, values: {} };
  row.values[label(size)] = value;
  rows.set(name, row);
  log(`  ${name}: ${value === null ? 'n/a' : value.toFixed(unit === '%' ? 0 : 1)} ${unit}`);
}

/** Resident and peak resident memory of a process, in MB (from /proc). */
function memory(pid: number): { rss: number; hwm: number } {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** Runs a command to its end, sampling its RSS every 100 ms; returns the time and the highest RSS seen. */
async function timed(cmd: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; peakMb: number; out: string; code: number | null }> {
  const t0 = performance.now();
  const p = spawn(cmd[0]!, cmd.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  let out = '';
  p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  let peak = 0;
  const tick = setInterval(() => (peak = Math.max(peak, memory(p.pid!).hwm)), 100);
  const code = await new Promise<number | null>((r) => p.once('exit', r));
  clearInterval(tick);
  return { ms: performance.now() - t0, peakMb: peak, out, code };
}

async function until(fn: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

interface Server {
  proc: ChildProcess;
  url: string;
  stop: () => Promise<void>;
}

async function startServer(dir: string): Promise<Server> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, [SERVER], {
    env: { ...process.env, WHYWIKI_DATA: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', WHYWIKI_ADMIN_PASSWORD: PASSWORD },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async () => {
    if (proc.exitCode !== null) return;
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
  };
  return { proc, url, stop };
}

/** Median time of GET url over 5 runs after one warm-up; null (and a note) when the answer is not 200. */
async function screen(url: string, headers: Record<string, string>): Promise<number | null> {
  const ms: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) {
      log(`  ${url}: ${res.status}`);
      return null;
    }
    if (i > 0) ms.push(performance.now() - t);
  }
  return median(ms);
}

async function measure(size: number): Promise<void> {
  log(`\n== ${size.toLocaleString('en')} pages ==`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `whywiki-scale-${label(size)}-`));
  const dir = path.join(work, 'data');
  try {
    // The store: an existing build copied (so the bench never changes it), or a new one.
    const existing = STORES ? path.join(STORES, label(size)) : null;
    if (existing && fs.existsSync(path.join(existing, 'whywiki.db'))) {
      log(`copying ${existing}`);
      fs.mkdirSync(dir);
      // Only the search load: an index already built is used as it stands.
      for (const f of fs.readdirSync(existing)) if (ONLY === 'search' || !f.startsWith('search-index')) fs.cpSync(path.join(existing, f), path.join(dir, f), { recursive: true });
    } else {
      await buildScaleStore({ pages: size, versions: VERSIONS, out: dir, log: (s) => log(`  build: ${s}`) });
    }
    // What the builder recorded (a store copied from elsewhere may not say: then the import is not known).
    const buildFile = path.join(dir, 'scale-build.json');
    const build = fs.existsSync(buildFile) ? (JSON.parse(fs.readFileSync(buildFile, 'utf8')) as { pages: number; versions: number; importMs: number; readMs: number }) : null;
    const counted = openStore(dir);
    const pageCount = counted.pages.count();
    counted.close();
    log(`  ${build ? `${build.pages} pages, ${build.versions} versions` : 'no scale-build.json'}`);
    put('import, first versions (s)', 's', size, build ? build.importMs / 1000 : null);

    const store = openStore(dir);
    await createUser({ store, actor: { username: 'bench' } }, { username: 'benchadmin', password: PASSWORD, role: 'admin' });
    await createUser({ store, actor: { username: 'bench' } }, { username: 'benchreader', password: PASSWORD, role: 'reader' });
    const adminToken = createApiToken({ store, actor: { username: 'bench' } }, { username: 'benchadmin', label: 'bench' });
    store.close();
    const admin = { authorization: `Bearer ${adminToken}` };

    // Index build: the rebuild process itself, from no index file.
    const dbFile = path.join(dir, 'whywiki.db');
    const indexFile = path.join(dir, 'search-index.bin');
    if (!(ONLY === 'search' && fs.existsSync(indexFile))) {
      const rebuild = await timed([process.execPath, path.join(ROOT, 'dist', 'server', 'search', 'rebuild.js'), dbFile, indexFile], process.env);
      if (rebuild.code !== 0) throw new Error(`rebuild failed: ${rebuild.out.slice(-2000)}`);
      put('index build (s)', 's', size, rebuild.ms / 1000);
      put('rebuild process peak RSS', 'MB', size, rebuild.peakMb);
    }
    put('index file', 'MB', size, fs.statSync(indexFile).size / 1e6);

    // Index load at restart: the server with the index file present, until search is ready.
    let t = performance.now();
    const server = await startServer(dir);
    try {
      await until(async () => (await fetch(`${server.url}/api/search/status`, { headers: admin })).ok, 600_000, 'the server to listen');
      const listenMs = performance.now() - t;
      await until(async () => ((await (await fetch(`${server.url}/api/search/status`, { headers: admin })).json()) as { state: string }).state === 'ready', 600_000, 'search to be ready');
      put('start until listening (s)', 's', size, listenMs / 1000);
      put('index load at restart (s)', 's', size, (performance.now() - t) / 1000);
      // The steady state: a start on a new or upgraded store runs the PHI retro-scan of every version in the
      // background; the report answers once no scan is running (it waits for one that is), so it is asked until then.
      t = performance.now();
      await until(async () => {
        const phi = (await (await fetch(`${server.url}/api/reports/phi`, { headers: admin })).json()) as { scanning: boolean; current: boolean };
        return !phi.scanning && phi.current;
      }, 3_600_000, 'the PHI retro-scan to finish');
      log(`  waited ${((performance.now() - t) / 1000).toFixed(1)} s for the PHI retro-scan`);
      const status = (await (await fetch(`${server.url}/api/search/status`, { headers: admin })).json()) as Record<string, unknown>;
      log(`  search status: ${JSON.stringify(status)}`);

      // A page to view, and words to search for.
      const list = (await (await fetch(`${server.url}/api/pages?limit=100&offset=${Math.floor(pageCount / 2)}`, { headers: admin })).json()) as { total: number; pages: { slug: string; title: string }[] };
      const page = list.pages[0]!;
      for (let i = 0; i < 5; i++) await (await fetch(`${server.url}/p/${page.slug}`, { headers: admin })).arrayBuffer();
      put('server RSS after warm-up', 'MB', size, memory(server.proc.pid!).rss, '≤ 2048');

      // Search: 10 clients, each through the same fixed list of queries from a different start.
      const queries = queriesFrom(list.pages.map((p) => p.title.replace(/\s*#\d+$/, '')));
      const times: number[] = [];
      let peak = 0;
      const tick = setInterval(() => (peak = Math.max(peak, memory(server.proc.pid!).rss)), 100);
      let failures = 0;
      await Promise.all(
        Array.from({ length: 10 }, async (_, c) => {
          for (let i = 0; i < queries.length; i++) {
            const q = queries[(i + c * 7) % queries.length]!;
            const s = performance.now();
            const res = await fetch(`${server.url}/api/search?limit=10&q=${encodeURIComponent(q)}`, { headers: admin });
            await res.arrayBuffer();
            if (res.status !== 200) failures++;
            times.push(performance.now() - s);
          }
        }),
      );
      clearInterval(tick);
      log(`  ${times.length} searches, ${failures} not 200`);
      put('search p50, 10 clients', 'ms', size, percentile(times, 50));
      put('search p95, 10 clients', 'ms', size, percentile(times, 95), '≤ 60');
      put('server RSS under search', 'MB', size, Math.max(peak, memory(server.proc.pid!).rss), '≤ 2048');
      if (ONLY === 'search') return;

      // Page views by cookie against the bare-route baseline, same bytes, same run.
      const cookie = await sessionCookie(server.url, 'benchreader', PASSWORD);
      const pageUrl = `${server.url}/p/${page.slug}`;
      const html = await (await fetch(pageUrl, { headers: { cookie } })).text();
      const htmlFile = path.join(work, 'baseline.html');
      fs.writeFileSync(htmlFile, html);
      const basePort = await freePort();
      const baseline = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'baseline-server.ts'), htmlFile, String(basePort)], { stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT });
      try {
        await new Promise<void>((resolve) => baseline.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
        const base = await autocannon({ url: `http://127.0.0.1:${basePort}/page`, connections: 10, duration: SECONDS });
        const ours = await autocannon({ url: pageUrl, connections: 10, duration: SECONDS, headers: { cookie } });
        put('page views/s, baseline route', '/s', size, base.requests.average);
        put('page views/s by cookie', '/s', size, ours.requests.average);
        put('page views, % of baseline', '%', size, (100 * ours.requests.average) / base.requests.average, 'unchanged');
        if (ours.non2xx || ours.errors) log(`  page views: ${ours.non2xx} non-2xx, ${ours.errors} errors`);
      } finally {
        baseline.kill('SIGTERM');
      }

      // Screens and reports.
      const deep = Math.max(0, pageCount - 100);
      const screens: [string, string][] = [
        ['home page /', '/'],
        ['/api/pages?limit=100', '/api/pages?limit=100'],
        [`/api/pages?limit=100&offset=(pages-100)`, `/api/pages?limit=100&offset=${deep}`],
        ['/reports', '/reports'],
        ['/reports/orphans', '/reports/orphans'],
        ['/reports/stale', '/reports/stale'],
        ['/reports/health', '/reports/health'],
        ['/reports/health.csv', '/reports/health.csv'],
        ['/reports/broken-links', '/reports/broken-links'],
        ['/reports/flagged', '/reports/flagged'],
        ['/reports/access', '/reports/access'],
        ['/api/reports/key-person', '/api/reports/key-person'],
      ];
      for (const [name, route] of screens) put(name, 'ms', size, await screen(`${server.url}${route}`, admin), '≤ 200');
    } finally {
      await server.stop();
    }

    // The CLI on the stopped server's store.
    const cli = (args: string[]) => timed([process.execPath, path.join(ROOT, 'dist', 'server', 'cli.js'), ...args], { ...process.env, WHYWIKI_DATA: dir });
    const verify = await cli(['verify']);
    if (verify.code !== 0) log(`  verify said: ${verify.out.slice(-1000)}`);
    put('whywiki verify (s)', 's', size, verify.ms / 1000, '≤ 60');
    put('verify peak RSS', 'MB', size, verify.peakMb);
    const backup = await cli(['backup', path.join(work, 'backup.db')]);
    if (backup.code !== 0) log(`  backup said: ${backup.out.slice(-1000)}`);
    put('whywiki backup (s)', 's', size, backup.ms / 1000);
    fs.rmSync(path.join(work, 'backup.db'), { force: true });
    const exported = await cli(['export', path.join(work, 'export')]);
    if (exported.code !== 0) log(`  export said: ${exported.out.slice(-1000)}`);
    put('whywiki export (s)', 's', size, exported.ms / 1000);
    put('export peak RSS', 'MB', size, exported.peakMb);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Queries a reader would type: words from page titles (held out from the ones they name), pairs, and prefixes. */
function queriesFrom(titles: string[]): string[] {
  const rnd = seeded(11);
  const words = [...new Set(titles.flatMap((t) => t.toLowerCase().split(/[^a-z0-9]+/)).filter((w) => w.length >= 4 && !/^\d+$/.test(w)))];
  const out: string[] = [];
  // A few whole titles as pasted (without the page's own number, which the builder added).
  for (let i = 0; i < 10 && titles.length; i++) out.push(titles[Math.floor(rnd() * titles.length)]!);
  for (let i = 0; i < 60 && words.length; i++) {
    const w = words[Math.floor(rnd() * words.length)]!;
    const r = rnd();
    if (r < 0.5) out.push(w);
    else if (r < 0.8) out.push(`${w} ${words[Math.floor(rnd() * words.length)]!}`);
    else out.push(`${w.slice(0, 4)}*`);
  }
  return out;
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'server', 'main.js'))) throw new Error('build first: npm run build');
  log(`Scale benchmark: ${SIZES.join(', ')} pages × ${VERSIONS} versions; ${os.cpus().length} cores, Node ${process.version}, load ${os.loadavg()[0]!.toFixed(1)}`);
  for (const size of SIZES) await measure(size);
  const a = label(SIZES[0]!);
  const b = label(SIZES.at(-1)!);
  const factor = SIZES.length > 1 ? SIZES.at(-1)! / SIZES[0]! : 0;
  const table = [...rows.values()].filter((r) => Object.values(r.values).some((v) => v !== null));
  const exponent = (r: Row) => {
    const x = r.values[a];
    const y = r.values[b];
    return x && y && factor > 1 ? Math.log(y / x) / Math.log(factor) : null;
  };
  log(`\n| measure | ${SIZES.map(label).join(' | ')} | goal at ${b} | exponent |`);
  log(`|---|${SIZES.map(() => '---:').join('|')}|---|---:|`);
  for (const r of table) {
    const e = exponent(r);
    log(`| ${r.name}${['s', '%', '/s'].includes(r.unit) ? '' : ` (${r.unit})`} | ${SIZES.map((n) => r.values[label(n)]?.toFixed(r.values[label(n)]! >= 100 ? 0 : 1) ?? 'n/a').join(' | ')} | ${r.goal ?? ''} | ${e === null ? '' : e.toFixed(2)} |`);
  }
  const out = path.join(ROOT, 'bench', 'results');
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(out, `scale-${ONLY ? `${ONLY}-` : ''}${SIZES.map(label).join('-')}-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '')}.json`);
  fs.writeFileSync(file, `${JSON.stringify({ sizes: SIZES, versions: VERSIONS, cores: os.cpus().length, node: process.version, rows: table.map((r) => ({ ...r, exponent: exponent(r) })) }, null, 2)}\n`);
  log(`\nwritten to ${path.relative(ROOT, file)}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`scale benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
