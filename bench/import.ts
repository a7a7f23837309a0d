// Import at scale: 10,000 pages made from the real corpus text (each corpus file mapped onto a page:
// title from its front matter or first heading, why from its first paragraph, a fixed owner and system;
// the corpus is used twice over to reach 10,000), imported into an empty store. The baseline, measured
// in the same run, is reading and parsing the same files without writing anything.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../server/setup.js';
import { loadConfig } from '../server/config.js';
import { importPages, readFolder } from '../server/transfer/import.js';
import { PhiGuard } from '../server/phi/guard.js';
import { corpusFiles, median, writeImportablePages } from './corpus.js';

const N = Number(process.env.BENCH_PAGES ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'whywiki-bench-import-'));
const src = path.join(work, 'pages');
fs.mkdirSync(src);
const systems = ['Epic', 'Workday', 'Interfaces', 'Infrastructure'];
const files = corpusFiles();
writeImportablePages(files, src, N, 'bench', systems);
const bytes = fs.readdirSync(src).reduce((n, f) => n + fs.statSync(path.join(src, f)).size, 0);
console.log(`${N} pages written from ${files.length} corpus files (${(bytes / 1e6).toFixed(1)} MB)`);

const config = loadConfig({ WHYWIKI_DATA: work });
// As a real import runs: every file passes the PHI guard (the corpus has a few sample phone numbers).
const rules = { systems: config.systems, maxBodyBytes: config.maxBodyBytes, phi: new PhiGuard() };
const base: number[] = [];
const full: number[] = [];
const again: number[] = [];
for (let run = 0; run < RUNS; run++) {
  let t = performance.now();
  const source = readFolder(src, config.maxBodyBytes);
  base.push(performance.now() - t);
  const dir = path.join(work, `store-${run}`);
  const store = openStore(dir);
  store.parties.insert({ handle: 'bench', kind: 'person', name: 'Bench Analyst', title: null, email: null, status: 'active', departed_on: null, created_at: new Date().toISOString() });
  t = performance.now();
  const r = importPages(store, rules, { ...readFolder(src, config.maxBodyBytes), root: src });
  full.push(performance.now() - t);
  if (r.created + r.failed !== N) throw new Error(`expected ${N} pages, got ${JSON.stringify({ ...r, problems: r.problems.slice(0, 3) })}`);
  t = performance.now();
  const r2 = importPages(store, rules, { ...readFolder(src, config.maxBodyBytes), root: src });
  again.push(performance.now() - t);
  console.log(`run ${run + 1}: read+parse ${(base.at(-1)! / 1000).toFixed(1)} s; import ${(full.at(-1)! / 1000).toFixed(1)} s (${r.created} created, ${r.failed} failed${r.failed ? `: ${r.problems[0]!.file} ${r.problems[0]!.reason}` : ''}); same folder again ${(again.at(-1)! / 1000).toFixed(1)} s (${r2.unchanged} unchanged)`);
  void source;
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(`\nmedian of ${RUNS}: read+parse only ${(median(base) / 1000).toFixed(1)} s; full import ${(median(full) / 1000).toFixed(1)} s = ${(median(full) / median(base)).toFixed(1)}× the baseline, ${Math.round(N / (median(full) / 1000))} pages/s; re-import ${(median(again) / 1000).toFixed(1)} s`);
fs.rmSync(work, { recursive: true, force: true });
