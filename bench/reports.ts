// Turnover reports at hospital scale: 5,565 pages (the corpus size) owned by 80 people and 12 teams,
// with a few departures. Times the knowledge snapshot and each report against the home page's own
// listing query (listPages) measured in the same run, and the HTTP dashboard end to end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../server/setup.js';
import { createPage, savePage } from '../server/pages/commands.js';
import { markReviewed } from '../server/pages/commands/mark-reviewed.js';
import { listPages } from '../server/pages/queries.js';
import { knowledge, knowledgeBase } from '../server/reports/knowledge.js';
import { brokenLinksReport, healthReport, orphansReport, staleReport } from '../server/reports/reports.js';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { createUser } from '../server/auth/commands/create-user.js';
import { createApiToken } from '../server/auth/commands/create-api-token.js';
import { median, seeded } from './corpus.js';

const N = Number(process.env.BENCH_PAGES ?? 5565);
const RUNS = 7;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whywiki-bench-reports-'));
const config = loadConfig({ WHYWIKI_DATA: dir });
const store = openStore(dir);
const rand = seeded(7);
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
const modules: Record<string, string[]> = { Epic: ['ClinDoc', 'Orders', 'Beaker', 'Willow', 'Cadence', 'Resolute HB'], Workday: ['HCM', 'Payroll', 'Financials'], Interfaces: ['ADT', 'Results'], Infrastructure: ['Citrix', 'Identity'] };

const t0 = performance.now();
store.transaction(() => {
  const now = new Date().toISOString();
  for (let i = 0; i < 80; i++) store.parties.insert({ handle: `p${i}`, kind: 'person', name: `Person ${i}`, title: null, email: null, status: i % 16 === 0 ? 'departed' : 'active', departed_on: null, created_at: now });
  for (let i = 0; i < 12; i++) {
    store.parties.insert({ handle: `t${i}`, kind: 'team', name: `Team ${i}`, title: null, email: null, status: 'active', departed_on: null, created_at: now });
    for (let j = 0; j < 1 + (i % 4); j++) store.parties.addMember(`t${i}`, `p${(i * 7 + j * 3) % 80}`);
  }
  for (let i = 0; i < N; i++) {
    const system = pick(Object.keys(modules));
    const created = new Date(Date.parse('2023-01-01') + rand() * 3 * 365 * 86_400_000);
    const owners = [...new Set([rand() < 0.7 ? `p${Math.floor(rand() * 80)}` : `t${Math.floor(rand() * 12)}`, ...(rand() < 0.3 ? [`p${Math.floor(rand() * 80)}`] : [])])];
    const fm = { title: `Build ${i}`, why: 'Because.', owners, system, module: pick(modules[system]!), status: rand() < 0.85 ? 'live' : 'retired', review_every: pick(['90d', '6m', '1y', undefined]), ...(rand() < 0.8 ? { tickets: [`CHG${String(i).padStart(7, '0')}`] } : {}) };
    const ctx = { store, systems: config.systems, maxBodyBytes: config.maxBodyBytes, actor: { username: 'bench' }, at: created };
    createPage(ctx, { slug: `build-${i}`, frontMatter: fm, body: `See [[build-${(i + 1) % (N + 50)}]].` });
    if (rand() < 0.4) savePage({ ...ctx, at: new Date(created.getTime() + rand() * 300 * 86_400_000) }, { slug: `build-${i}`, frontMatter: fm, body: 'Edited.', summary: 'edit', baseVersion: 1 });
    if (rand() < 0.5) markReviewed({ ...ctx, at: new Date(Date.parse('2026-01-01') + rand() * 300 * 86_400_000) }, { slug: `build-${i}` });
  }
});
console.log(`Built ${N} pages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

function time(fn: () => unknown): number {
  fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    fn();
    ms.push(performance.now() - s);
  }
  return median(ms);
}

const now = new Date();
const base = knowledgeBase(store);
const baseline = time(() => listPages(store, 1_000_000, 0));
const rows: [string, number][] = [
  ['knowledge snapshot', time(() => knowledge(store, config.reviewDefaults, now))],
  ['snapshot, cached base', time(() => knowledge(store, config.reviewDefaults, now, base))],
  ['orphans report', time(() => orphansReport(knowledge(store, config.reviewDefaults, now)))],
  ['stale report', time(() => staleReport(knowledge(store, config.reviewDefaults, now)))],
  ['health report', time(() => healthReport(store, knowledge(store, config.reviewDefaults, now), config.systems))],
  ['broken links', time(() => brokenLinksReport(store))],
];
console.log(`\nbaseline listPages (every page with its front matter): median ${baseline.toFixed(1)} ms`);
for (const [name, ms] of rows) console.log(`${name.padEnd(20)} median ${ms.toFixed(1).padStart(7)} ms  = ${(ms / baseline).toFixed(2)}× baseline`);

const app = await buildApp({ config, store, logger: false });
await app.ready();
// A reader linked to a person, so the home page computes their review queue.
await createUser({ store, actor: { username: 'bench' } }, { username: 'reader', password: 'a-long-bench-password', role: 'reader', person: 'p1' });
const auth = { authorization: `Bearer ${createApiToken({ store, actor: { username: 'bench' } }, { username: 'reader', label: 'bench' })}` };
for (const url of ['/api/pages?limit=1', '/', '/reports/health', '/api/reports/health', '/reports/orphans', '/reports/stale', '/api/reports/stale']) {
  const samples: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const s = performance.now();
    const res = await app.inject({ url, headers: auth });
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
    if (i > 0) samples.push(performance.now() - s);
  }
  console.log(`GET ${url.padEnd(22)} median ${median(samples).toFixed(1).padStart(7)} ms`);
}
await app.close();
store.close();
fs.rmSync(dir, { recursive: true, force: true });
