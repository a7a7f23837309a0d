// Page views while the PHI retro-scan runs: GET /p/<slug> by 4 clients (autocannon) on a server whose
// retro-scan of a whole store is running (as at the first start on a new or upgraded store), then on the
// same server once the scan has finished (the baseline, same run). Reports p50/p95 of each, their ratio,
// how long the scan took and the load average.
//
//   PHISCAN_STORE=/tmp/my-5k-with-index tsx bench/phi-scan-load.ts
//
// The store is copied (never changed); it should hold a search index already (a server started on it once),
// so no index build runs beside the scan. The copy's last scan result is dropped, so the server starts one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { ROOT } from '../server/paths.js';
import { openStore } from '../server/setup.js';
import { createApiToken } from '../server/auth/commands/create-api-token.js';
import { createUser } from '../server/auth/commands/create-user.js';
import { percentile } from './corpus.js';
import { freePort } from './http.js';

const SOURCE = process.env.PHISCAN_STORE;
if (!SOURCE) throw new Error('PHISCAN_STORE: a store folder to copy');
const SECONDS = Number(process.env.PHISCAN_SECONDS ?? 10);
const PASSWORD = 'bench-phi-scan-load-password';
const log = (s: string) => process.stdout.write(`${s}\n`);

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'phiscan-load-'));
const dir = path.join(work, 'data');
fs.cpSync(SOURCE, dir, { recursive: true });

const store = openStore(dir);
await createUser({ store, actor: { username: 'bench' } }, { username: 'benchadmin', password: PASSWORD, role: 'admin' }).catch(() => undefined);
const token = createApiToken({ store, actor: { username: 'bench' } }, { username: 'benchadmin', label: 'bench' });
// No scan result: the server starts a scan at once.
store.setMeta('phi_scan_latest', '');
store.close();
const headers = { authorization: `Bearer ${token}` };

const scanDone = (): boolean => {
  const s = openStore(dir);
  try {
    return Boolean(s.getMeta('phi_scan_latest'));
  } finally {
    s.close();
  }
};

async function until(fn: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    if (await Promise.resolve().then(fn).catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function load(url: string): Promise<{ p50: number; p95: number; requests: number; errors: number }> {
  const times: number[] = [];
  let errors = 0;
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon({ url, connections: 4, duration: SECONDS, headers }, (err) => (err ? reject(err) : resolve()));
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status === 200) times.push(ms);
      else errors++;
    });
  });
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), requests: times.length, errors };
}

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')], {
  env: { ...process.env, WHYWIKI_DATA: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', WHYWIKI_ADMIN_PASSWORD: PASSWORD },
  stdio: ['ignore', 'ignore', 'inherit'],
});
try {
  await until(async () => (await fetch(`${url}/api/search/status`, { headers })).ok, 120_000, 'the server to listen');
  const list = (await (await fetch(`${url}/api/pages?limit=1&offset=100`, { headers })).json()) as { pages: { slug: string }[] };
  const pageUrl = `${url}/p/${list.pages[0]!.slug}`;
  for (let i = 0; i < 5; i++) await (await fetch(pageUrl, { headers })).arrayBuffer();
  if (scanDone()) throw new Error('the scan finished before the measurement began');
  const during = await load(pageUrl);
  const loadDuring = os.loadavg()[0]!;
  const stillScanning = !scanDone();
  log(`during the scan (${stillScanning ? 'still running at the end' : 'ENDED during the measurement'}): ${JSON.stringify(during)} load ${loadDuring.toFixed(2)}`);
  await until(scanDone, 30 * 60_000, 'the scan to finish');
  const s = openStore(dir);
  const result = JSON.parse(s.getMeta('phi_scan_latest')!) as { ms: number; scanned: Record<string, number>; total: number };
  s.close();
  log(`scan: ${result.ms} ms, ${JSON.stringify(result.scanned)}, ${result.total} findings`);
  const after = await load(pageUrl);
  log(`after the scan: ${JSON.stringify(after)} load ${os.loadavg()[0]!.toFixed(2)}`);
  log(`p95 during / after: ${(during.p95 / after.p95).toFixed(2)}; p50 during / after: ${(during.p50 / after.p50).toFixed(2)}`);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  fs.rmSync(work, { recursive: true, force: true });
}
