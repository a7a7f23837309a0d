// The PHI retro-scan over the shared corpus: 5,565 real documentation pages, one version each (mapped onto
// pages as bench/import.ts maps them), plus every tenth page edited once more, scanned with the built-in
// detectors and one admin pattern. Reports versions/s and MB/s (UTF-8 text scanned), median of the runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { readFrontMatter } from '../server/transfer/front-matter.js';
import { openStore } from '../server/setup.js';
import { loadConfig } from '../server/config.js';
import { createPage, savePage } from '../server/pages/commands.js';
import { scanNow } from '../server/phi/retro-scan.js';
import { PhiScanService } from '../server/phi/scan-service.js';
import { corpusFiles, DEFAULT_CORPUS, median } from './corpus.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whywiki-bench-phi-scan-'));
const config = loadConfig({ WHYWIKI_DATA: dir });
const store = openStore(dir);
const files = corpusFiles(process.env.WHYWIKI_BENCH_CORPUS ?? DEFAULT_CORPUS);
const systems = config.systems;

let t = performance.now();
let refused = 0;
store.transaction(() => {
  store.parties.insert({ handle: 'bench', kind: 'person', name: 'Bench Analyst', title: null, email: null, status: 'active', departed_on: null, created_at: new Date().toISOString() });
  store.phiRules.insert({ kind: 'pattern', value: '\\bZZQ-\\d{4}\\b', label: 'old lab ticket', created_by: 'bench', created_at: new Date().toISOString() });
  files.forEach((file, i) => {
    let data: Record<string, unknown> = {};
    let content = fs.readFileSync(file, 'utf8');
    try {
      const split = readFrontMatter(content);
      data = split.data;
      content = split.body;
    } catch {
      // A file whose front matter does not parse is taken whole, as the importer takes it.
    }
    const heading = /^#\s+(.+)$/m.exec(content)?.[1];
    const title = String(data.title ?? heading ?? path.basename(file)).replace(/[\r\n]+/g, ' ').slice(0, 190).padEnd(3, '.');
    const why = (content.split(/\n\s*\n/).find((p) => p.trim() && !p.startsWith('#') && !p.startsWith('```') && !p.startsWith('<')) ?? title).trim().slice(0, 2000);
    const body = content.slice(0, config.maxBodyBytes - 1) || '(empty)';
    const fm = { title, why, owners: ['bench'], system: systems[i % systems.length]!, status: 'live', tags: ['corpus'] };
    // No guard on these contexts: the corpus is stored as it is, the way text saved before a rule was.
    const ctx = { store, systems, maxBodyBytes: config.maxBodyBytes, actor: { username: 'bench' } };
    const slug = `page-${String(i).padStart(5, '0')}`;
    try {
      createPage(ctx, { slug, frontMatter: fm, body, summary: 'Imported' });
    } catch {
      // A page the wiki refuses (more links than a page can show, as the importer reports too) is left out.
      refused++;
      return;
    }
    if (i % 10 === 0) savePage(ctx, { slug, frontMatter: fm, body: `${body}\n\nReviewed for the go-live.\n`, summary: 'Reviewed', baseVersion: 1 });
  });
});
console.log(`Stored ${files.length - refused} corpus pages (${refused} refused by the save rules) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const ms: number[] = [];
let last = scanNow(store, config.mrnPatterns); // warm-up
for (let run = 0; run < RUNS; run++) {
  t = performance.now();
  last = scanNow(store, config.mrnPatterns);
  ms.push(performance.now() - t);
  console.log(`run ${run + 1}: ${(ms.at(-1)! / 1000).toFixed(2)} s, ${last.total} findings`);
}
const versions = last.scanned.version ?? 0;
const mb = last.scanned.bytes / 1e6;
const s = median(ms) / 1000;
console.log(`\n${versions} versions of ${files.length - refused} pages, ${mb.toFixed(1)} MB of text; median of ${RUNS}: ${s.toFixed(2)} s = ${Math.round(versions / s)} versions/s, ${(mb / s).toFixed(1)} MB/s; ${last.total} findings (${[...new Set(last.findings.map((f) => f.kind))].join(', ')})`);

// As the server runs it after a rule change: in a worker thread. How long can a request wait for this
// thread's event loop meanwhile?
const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();
t = performance.now();
await new PhiScanService(store, config.mrnPatterns, () => new Date()).run();
delay.disable();
console.log(`in the background: ${((performance.now() - t) / 1000).toFixed(1)} s; event-loop delay p50 ${(delay.percentile(50) / 1e6).toFixed(0)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms, max ${(delay.max / 1e6).toFixed(0)} ms`);
store.close();
fs.rmSync(dir, { recursive: true, force: true });
