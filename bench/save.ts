// Save benchmark: savePage (validation, hash chain, owners, links, audit, one transaction with
// synchronous=FULL) against a bare INSERT of the same row in the same store, same run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../server/setup.js';
import { createPage, savePage } from '../server/pages/commands.js';
import { corpusFiles, median, percentile, sample } from './corpus.js';

const n = Number(process.env.BENCH_SAVES ?? 300);
const bodies = sample(corpusFiles(), n).map((f) => fs.readFileSync(f, 'utf8'));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whywiki-bench-'));
const store = openStore(dir);
store.parties.insert({ handle: 'bench', kind: 'person', name: 'Bench', title: null, email: null, status: 'active', departed_on: null, created_at: new Date().toISOString() });
const ctx = { store, systems: ['Epic'], maxBodyBytes: 4 * 1024 * 1024, actor: { username: 'bench' } };
const fm = { title: 'Benchmark page', why: 'Measures saves.', owners: ['bench'], system: 'Epic' };
createPage(ctx, { slug: 'bench', frontMatter: fm, body: '' });
store.unsafeDatabaseForTests().exec('CREATE TABLE bare (id INTEGER PRIMARY KEY, body TEXT NOT NULL, hash TEXT)');
const bare = store.unsafeDatabaseForTests().prepare('INSERT INTO bare (body, hash) VALUES (?, ?)');

const baseline: number[] = [];
const saves: number[] = [];
bodies.forEach((body, i) => {
  let t0 = performance.now();
  store.unsafeDatabaseForTests().transaction(() => bare.run(body, String(i))).immediate();
  baseline.push(performance.now() - t0);
  t0 = performance.now();
  savePage(ctx, { slug: 'bench', frontMatter: fm, body, summary: `Save ${i}`, baseVersion: i + 1 });
  saves.push(performance.now() - t0);
});
store.close();
fs.rmSync(dir, { recursive: true, force: true });

console.log(`Saving ${bodies.length} versions of corpus text (synchronous=FULL, WAL)`);
console.log(`bare INSERT transaction (baseline)  median ${median(baseline).toFixed(2)} ms  p95 ${percentile(baseline, 95).toFixed(2)} ms`);
console.log(`savePage                            median ${median(saves).toFixed(2)} ms  p95 ${percentile(saves, 95).toFixed(2)} ms`);
console.log(`ratio savePage/baseline (median): ${(median(saves) / median(baseline)).toFixed(2)}`);
