// Abuse benchmark: markdown shapes whose rendering cost grows faster than their size, at sizes up to
// the configured limits, sent to a real listening server as previews and saves, while /healthz is
// asked every 10 ms; then the PHI guard's scan() on shapes aimed at each of its detectors; then how
// many pages of the documentation corpus the render bounds refuse.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../server/config.js';
import { openStore } from '../server/setup.js';
import { buildApp } from '../server/app.js';
import { createApiToken } from '../server/auth/commands/create-api-token.js';
import { createUser } from '../server/auth/commands/create-user.js';
import { createPage } from '../server/pages/commands.js';
import { markdownProblem, MARKDOWN_LIMITS } from '../server/render/limits.js';
import { PhiGuard } from '../server/phi/guard.js';
import { corpusFiles, DEFAULT_CORPUS, median } from './corpus.js';

const L = MARKDOWN_LIMITS;
const MAX_BYTES = 1024 * 1024;
/** Repeats a unit up to n times, but never past the body size limit. */
const upTo = (unit: string, n: number, head = '') => head + unit.repeat(Math.max(1, Math.min(n, Math.floor((MAX_BYTES - head.length) / unit.length))));
const lines = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i)).join('\n');

/** Each shape at the largest size the bounds allow, just past them, and at the body size limit. */
const SHAPES: { name: string; sizes: [string, string][] }[] = [
  { name: '> run', sizes: [['32 deep', '>'.repeat(L.nesting) + ' x'], ['3 KB', '>'.repeat(3_000)], ['30 KB', '>'.repeat(30_000)], ['1 MB', upTo('>', MAX_BYTES)]] },
  { name: 'nested list', sizes: [['32 deep', lines(L.nesting, (i) => `${'  '.repeat(i)}- x`)], ['800 deep', lines(800, (i) => `${'  '.repeat(i)}- x`)]] },
  { name: '*a run', sizes: [['1,000 runs', '*a'.repeat(L.emphasisRunsPerBlock / 2)], ['40 KB', '*a'.repeat(20_000)], ['1 MB, 1,000 per paragraph', upTo(`${'*a'.repeat(L.emphasisRunsPerBlock / 2)}\n\n`, 10_000)]] },
  { name: '_ run', sizes: [['1 MB', upTo('_', MAX_BYTES)]] },
  { name: '[ run', sizes: [['1 MB', upTo('[', MAX_BYTES)], ['[a x 2,500', '[a'.repeat(L.bracketsPerBlock / 2)]] },
  { name: 'backticks', sizes: [['1 MB of `', upTo('`', MAX_BYTES)], ['`a`` x 2,000', '`a``'.repeat(L.codeRunsPerBlock / 2)]] },
  { name: '[[links]]', sizes: [['2,000, one per paragraph', '[[link]]\n\n'.repeat(L.wikiLinks)], ['20,000', '[[link]] '.repeat(20_000)]] },
  { name: 'links', sizes: [['3,000, one per paragraph', '[a](b)\n\n'.repeat(L.links)], ['10,000', '[a](b) '.repeat(10_000)]] },
  { name: 'link definitions', sizes: [['2,500 + uses', lines(2_500, (i) => `[r${i}]: /u${i}`) + '\n\n' + lines(2_500, (i) => `[r${i}]`)]] },
  { name: 'table', sizes: [['10,000 cells', `|a|b|\n|-|-|\n${'|x|y|\n'.repeat(L.tableCells / 4 - 2)}`], ['800 KB', `|a|b|\n|-|-|\n${upTo('|x|y|\n', 800_000 / 6)}`]] },
  { name: 'html tags', sizes: [['10,000', '<a>'.repeat(L.htmlTags)], ['1 MB', upTo('<a>', MAX_BYTES)]] },
  { name: 'long lines of text', sizes: [['1 MB prose', upTo('The order set fires on admission. ', MAX_BYTES)]] },
];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whywiki-bench-abuse-'));
const store = openStore(dir);
store.parties.insert({ handle: 'bench', kind: 'person', name: 'Bench', title: null, email: null, status: 'active', departed_on: null, created_at: new Date().toISOString() });
await createUser({ store, actor: { username: 'bench' } }, { username: 'editor', password: 'a-long-bench-password', role: 'editor' });
const token = createApiToken({ store, actor: { username: 'bench' } }, { username: 'editor', label: 'bench' });
const fm = { title: 'Abuse page', why: 'Measures refusals.', owners: ['bench'], system: 'Epic', status: 'live' };
createPage({ store, systems: ['Epic'], maxBodyBytes: MAX_BYTES, actor: { username: 'bench' } }, { slug: 'abuse', frontMatter: fm, body: 'x' });
const config = { ...loadConfig({ WHYWIKI_DATA: dir }), systems: ['Epic'], maxBodyBytes: MAX_BYTES };
const app = await buildApp({ config, store, logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

/** Runs one request while /healthz is asked every 10 ms; the health latencies show how long the request thread was held. */
async function withHealth(send: () => Promise<Response>): Promise<{ ms: number; status: number; health: number[] }> {
  const health: number[] = [];
  let done = false;
  const poll = (async () => {
    while (!done) {
      const t0 = performance.now();
      await fetch(`${base}/healthz`).then((r) => r.arrayBuffer());
      health.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const t0 = performance.now();
  const res = await send();
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  done = true;
  await poll;
  return { ms, status: res.status, health };
}

await fetch(`${base}/api/preview`, { method: 'POST', headers, body: JSON.stringify({ body: 'warm' }) });
console.log(`Render abuse: preview and save on a real server (${base}), /healthz every 10 ms meanwhile; render time limit ${config.renderTimeoutMs} ms`);
console.log(`${'shape'.padEnd(20)}${'size'.padEnd(28)}${'preview'.padStart(16)}${'save'.padStart(16)}   /healthz median / max`);
let worstHealth = 0;
let version = 1;
for (const shape of SHAPES) {
  for (const [size, text] of shape.sizes) {
    const preview = await withHealth(() => fetch(`${base}/api/preview`, { method: 'POST', headers, body: JSON.stringify({ body: text }) }));
    const save = await withHealth(() => fetch(`${base}/api/pages/abuse`, { method: 'PUT', headers, body: JSON.stringify({ ...fm, body: text, summary: 'bench', base_version: version }) }));
    if (save.status === 200) version++;
    const health = [...preview.health, ...save.health];
    const max = Math.max(0, ...health);
    worstHealth = Math.max(worstHealth, max);
    const cell = (r: { ms: number; status: number }) => `${r.status} ${r.ms.toFixed(0).padStart(6)} ms`.padStart(16);
    console.log(`${shape.name.padEnd(20)}${size.padEnd(28)}${cell(preview)}${cell(save)}   ${median(health.length ? health : [0]).toFixed(1).padStart(6)} / ${max.toFixed(1).padStart(6)} ms`);
  }
}
console.log(`worst /healthz latency during the shapes: ${worstHealth.toFixed(1)} ms`);
await app.close();
store.close();
fs.rmSync(dir, { recursive: true, force: true });

// The PHI guard, through its public scan() only: shapes aimed at each detector, growing until 1 MB
// or until one scan passes 5 s.
const guard = new PhiGuard({ mrnPatterns: ['MRN[:# ]*\\d{6,10}'] });
const PHI_SHAPES: { detector: string; unit: string }[] = [
  { detector: 'SSN', unit: '123-45-' },
  { detector: 'SSN label', unit: 'SSN ' },
  { detector: 'MRN', unit: 'MRN: ' },
  { detector: 'MRN digits', unit: '1234567 ' },
  { detector: 'date of birth', unit: 'DOB 01/02/' },
  { detector: 'phone', unit: '(555) 555-' },
  { detector: 'patient name', unit: 'Patient Aaaa ' },
  { detector: 'capitalized words', unit: 'Aaaa ' },
  { detector: 'digits', unit: '1' },
  { detector: 'spaces', unit: ' ' },
];
console.log('\nPHI guard scan() on the request thread, per detector shape');
for (const { detector, unit } of PHI_SHAPES) {
  const row: string[] = [];
  for (const bytes of [10_000, 100_000, 1_000_000]) {
    const text = unit.repeat(Math.ceil(bytes / unit.length));
    const t0 = performance.now();
    guard.scan({ body: text });
    const ms = performance.now() - t0;
    row.push(`${(bytes / 1000).toFixed(0).padStart(5)} KB ${ms.toFixed(1).padStart(9)} ms`);
    if (ms > 5_000) break;
  }
  console.log(`${detector.padEnd(20)}${row.join('   ')}`);
}

const files = corpusFiles(process.env.WHYWIKI_BENCH_CORPUS ?? DEFAULT_CORPUS);
let refused = 0;
let checkMs = 0;
let worstCheck = 0;
for (const f of files) {
  const text = fs.readFileSync(f, 'utf8');
  const t0 = performance.now();
  if (markdownProblem(text)) refused++;
  const ms = performance.now() - t0;
  checkMs += ms;
  worstCheck = Math.max(worstCheck, ms);
}
console.log(`\nRender bounds on the documentation corpus: ${refused} of ${files.length} pages refused; the check took ${checkMs.toFixed(0)} ms in all, at most ${worstCheck.toFixed(1)} ms for one page`);
