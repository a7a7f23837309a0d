// The reports' knowledge snapshot at scale: how long the first screen takes after a write and after the
// minute rolls, against the same screens when nothing changed (steady).
//
//   tsx bench/knowledge.ts <dir>    (on a COPY of a store: it marks pages reviewed)
//
// In-process (app.inject, an admin API token), with a clock the script moves a minute at a time.
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { openStore } from '../server/setup.js';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { createUser } from '../server/auth/commands/create-user.js';
import { createApiToken } from '../server/auth/commands/create-api-token.js';
import { median } from './corpus.js';

const log = (s: string) => process.stdout.write(`${s}\n`);
const ROUNDS = 5;

async function main(dir: string): Promise<void> {
  const store = openStore(dir);
  if (!store.users.byName('bench-admin')) await createUser({ store, actor: { username: 'bench' } }, { username: 'bench-admin', password: 'bench-knowledge-password', role: 'admin' });
  const token = createApiToken({ store, actor: { username: 'bench' } }, { username: 'bench-admin', label: 'bench' });
  let now = Date.now();
  const app = await buildApp({ config: loadConfig({ WHYWIKI_DATA: dir }), store, logger: false, clock: () => new Date(now) });
  await app.ready();
  const headers = { authorization: `Bearer ${token}` };
  const slugs = store.pages.liveSlugs().slice(0, 50);
  const screens = ['/reports', '/reports/stale', '/people', `/p/${slugs[0]}`];
  const timed = async (url: string) => {
    const t0 = performance.now();
    const res = await app.inject({ url, headers });
    const ms = performance.now() - t0;
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
    return ms;
  };
  for (const url of screens) await timed(url);
  const runs: Record<string, number[]> = {};
  const add = (k: string, ms: number) => (runs[k] ??= []).push(ms);
  for (let i = 0; i < ROUNDS; i++) {
    for (const url of screens) add(`steady   ${url}`, await timed(url));
    // A write: the first screen after it pays for whatever the snapshot has to read again.
    const res = await app.inject({ method: 'POST', url: `/api/pages/${slugs[i + 1]}/review`, headers, payload: {} });
    if (res.statusCode !== 200) throw new Error(`review: ${res.statusCode} ${res.body}`);
    for (const url of screens) add(`write    ${url}`, await timed(url));
    // The minute rolls: review states are worked out again.
    now += 60_000;
    for (const url of screens) add(`minute   ${url}`, await timed(url));
  }
  log(`${store.pages.count()} listed pages; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  for (const [k, ms] of Object.entries(runs)) log(`${k.padEnd(40)} median ${median(ms).toFixed(1).padStart(7)} ms  max ${Math.max(...ms).toFixed(1).padStart(7)} ms`);
  await app.close();
  store.close();
}

const dir = process.argv[2];
if (dir) await main(dir);
else log('usage: tsx bench/knowledge.ts <dir>');
