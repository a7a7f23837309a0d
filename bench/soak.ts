// Soak test: a bounded mixed load (page views, searches, saves) against the built server on
// 127.0.0.1 for N minutes, reporting errors, latency percentiles per minute and the server's
// resident memory, with a backup taken and checked halfway while the load runs.
//
//   npm run soak -- --minutes 30 [--clients 8] [--pause 5]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openStore } from '../server/setup.js';
import { createApiToken } from '../server/auth/commands/create-api-token.js';
import { createUser } from '../server/auth/commands/create-user.js';
import { ROOT } from '../server/paths.js';
import { percentile } from './corpus.js';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '30' }, clients: { type: 'string', default: '8' }, pause: { type: 'string', default: '5' } } });
const MINUTES = Number(values.minutes);
const CLIENTS = Number(values.clients);
const PAUSE = Number(values.pause);
if (!(MINUTES > 0) || !(CLIENTS > 0)) {
  console.error('usage: npm run soak -- --minutes N [--clients 8] [--pause 5]');
  process.exit(2);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whywiki-soak-'));
const store = openStore(dir);
await createUser({ store, actor: { username: 'soak' } }, { username: 'soak', password: 'steady editor words 123', role: 'editor' });
const token = createApiToken({ store, actor: { username: 'soak' } }, { username: 'soak', label: 'soak' });
store.close();
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

const port = 20000 + Math.floor(Math.random() * 20000);
const url = `http://127.0.0.1:${port}`;
const env = { ...process.env, WHYWIKI_DATA: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', WHYWIKI_ADMIN_PASSWORD: 'soak-first-password' };
const server = spawn(process.execPath, [path.join(ROOT, 'dist', 'server', 'main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${url}/healthz`)).ok) break;
  } catch {
    // starting
  }
  if (i > 600) throw new Error('the server did not start');
  await new Promise((r) => setTimeout(r, 50));
}
const slugs = ((await (await fetch(`${url}/api/pages`, { headers })).json()) as { pages: { slug: string }[] }).pages.map((p) => p.slug);
const words = ['sepsis', 'order', 'payroll', 'interface', 'lactate', 'chg0041872', 'bpa 1900231', 'rule', 'workqueue', 'downtime', 'flowsheet', 'benefits', 'adt', 'navigator'];

function rss(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

type Kind = 'view' | 'search' | 'save';
interface Minute {
  ms: Record<Kind, number[]>;
  errors: string[];
}
const minutes: Minute[] = [];
const newMinute = (): Minute => ({ ms: { view: [], search: [], save: [] }, errors: [] });
let current = newMinute();
const rssSamples: number[] = [rss(server.pid!)];
const rssStart = rssSamples[0]!;
const deadline = performance.now() + MINUTES * 60_000;
let backup: string | null = null;
let backupStarted = false;

async function loop(id: number): Promise<void> {
  const slug = `soak-page-${id}`;
  let version = 0;
  let n = 0;
  while (performance.now() < deadline) {
    n++;
    const r = (n * 7919 + id * 104729) % 100;
    const kind: Kind = r < 70 ? 'view' : r < 90 ? 'search' : 'save';
    const t0 = performance.now();
    try {
      let res: Response;
      if (kind === 'view') res = await fetch(`${url}/p/${slugs[(n + id) % slugs.length]}`, { headers });
      else if (kind === 'search') res = await fetch(`${url}/api/search?q=${encodeURIComponent(words[(n + id) % words.length]!)}`, { headers });
      else {
        const fm = { title: `Soak page ${id}`, why: 'Saved again and again by the soak test.', owners: ['mreyes'], system: 'Epic', status: 'live' };
        const body = `Save ${n} by client ${id}.\n\n${'Some text. '.repeat(50 + (n % 200))}\n`;
        res = version
          ? await fetch(`${url}/api/pages/${slug}`, { method: 'PUT', headers, body: JSON.stringify({ ...fm, body, summary: `save ${n}`, base_version: version }) })
          : await fetch(`${url}/api/pages`, { method: 'POST', headers, body: JSON.stringify({ ...fm, slug, body }) });
        if (res.ok) version = ((await res.clone().json()) as { version: number }).version;
      }
      await res.arrayBuffer();
      if (res.status >= 400) current.errors.push(`${kind} ${res.status}`);
    } catch (e) {
      current.errors.push(`${kind} ${(e as Error).message}`);
    }
    current.ms[kind].push(performance.now() - t0);
    if (PAUSE) await new Promise((r) => setTimeout(r, PAUSE));
  }
}

const fmt = (xs: number[]) => (xs.length ? `p50 ${percentile(xs, 50).toFixed(1)} p95 ${percentile(xs, 95).toFixed(1)} p99 ${percentile(xs, 99).toFixed(1)} ms` : '-');
console.log(`Soak: ${MINUTES} min, ${CLIENTS} clients (70% page views, 20% searches, 10% saves, ${PAUSE} ms pause), server pid ${server.pid}, data in ${dir}`);
const ticker = setInterval(() => {
  minutes.push(current);
  const m = current;
  current = newMinute();
  const mem = rss(server.pid!);
  rssSamples.push(mem);
  const total = m.ms.view.length + m.ms.search.length + m.ms.save.length;
  console.log(`min ${String(minutes.length).padStart(2)}: ${total} requests, errors ${m.errors.length}; views ${fmt(m.ms.view)}; searches ${fmt(m.ms.search)}; saves ${fmt(m.ms.save)}; RSS ${mem.toFixed(0)} MB`);
}, 60_000);

// Halfway: a backup while the load runs, then checked independently.
const backupTimer = setTimeout(() => {
  backupStarted = true;
  const file = path.join(dir, 'soak-backup.db');
  const t0 = performance.now();
  execFile(process.execPath, [path.join(ROOT, 'dist', 'server', 'cli.js'), 'backup', file], { env }, (err, stdout, stderr) => {
    if (err) {
      backup = `FAILED: ${stderr || err.message}`;
      return;
    }
    const db = new Database(file, { readonly: true });
    const integrity = db.pragma('integrity_check', { simple: true });
    db.close();
    backup = `${stdout.trim()} (${((performance.now() - t0) / 1000).toFixed(1)} s under load; integrity_check on the copy: ${String(integrity)})`;
    console.log(`backup: ${backup}`);
  });
}, (MINUTES * 60_000) / 2);

await Promise.all(Array.from({ length: CLIENTS }, (_, i) => loop(i)));
clearInterval(ticker);
clearTimeout(backupTimer);
if (current.ms.view.length + current.ms.search.length + current.ms.save.length) minutes.push(current);
const all = (k: Kind) => minutes.flatMap((m) => m.ms[k]);
const errors = minutes.flatMap((m) => m.errors);
const rssEnd = rss(server.pid!);

// Graceful shutdown: SIGTERM, in-flight work finished, store closed.
const t0 = performance.now();
const exit = new Promise<number | null>((r) => server.once('exit', (code) => r(code)));
server.kill('SIGTERM');
const code = await exit;
const walLeft = fs.existsSync(path.join(dir, 'whywiki.db-wal')) && fs.statSync(path.join(dir, 'whywiki.db-wal')).size > 0;

// Steady growth: the least-squares slope of RSS over the second half of the run, in MB per 10 minutes
// (one sample a minute); a fit, not the two end points, because RSS swings with garbage collection.
const half = rssSamples.slice(Math.floor(rssSamples.length / 2));
const slope = (() => {
  if (half.length < 3) return 0;
  const xm = (half.length - 1) / 2;
  const ym = half.reduce((a, b) => a + b, 0) / half.length;
  const num = half.reduce((a, y, x) => a + (x - xm) * (y - ym), 0);
  const den = half.reduce((a, _y, x) => a + (x - xm) ** 2, 0);
  return (num / den) * 10;
})();
console.log('');
console.log(`Soak summary (${MINUTES} min):`);
console.log(`  requests ${all('view').length + all('search').length + all('save').length}: views ${all('view').length}, searches ${all('search').length}, saves ${all('save').length}; errors ${errors.length}${errors.length ? ` (${[...new Set(errors)].slice(0, 5).join('; ')})` : ''}`);
console.log(`  page views ${fmt(all('view'))}; searches ${fmt(all('search'))}; saves ${fmt(all('save'))}`);
console.log(`  server RSS ${rssStart.toFixed(0)} MB at start, ${rssEnd.toFixed(0)} MB at the end; over the second half ${slope >= 0 ? '+' : ''}${slope.toFixed(1)} MB per 10 min`);
console.log(`  backup during load: ${backup ?? (backupStarted ? 'started halfway, still running at the end' : 'not taken (run shorter than its start)')}`);
console.log(`  SIGTERM: exited with ${code} in ${(performance.now() - t0).toFixed(0)} ms; WAL left behind: ${walLeft ? 'yes' : 'no'}`);
process.exit(errors.length || code !== 0 || (backup ?? '').startsWith('FAILED') ? 1 : 0);
