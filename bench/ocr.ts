// OCR's cost in an upload: 1280×800 build screenshots (drawn in this run, with one to eight lines of
// form text each) uploaded through the real route; each upload's total time against the OCR time inside
// it, and the upload of the same bytes as a PNG that skips OCR (a text file of the same size) as the
// baseline measured in the same run.
import { performance } from 'node:perf_hooks';
import { testApp, tokenFor } from '../test/helpers.js';
import { multipartBody, screenshot } from '../test/files/fixtures.js';
import { readImageText, closeOcr } from '../server/files/ocr.js';
import { createPage } from '../server/pages/commands.js';
import { commandContext, sampleFrontMatter } from '../test/helpers.js';
import { median } from './corpus.js';

const n = Number(process.env.BENCH_SCREENSHOTS ?? 12);
const LINES = [
  'BPA 1900231 Sepsis screening - notify provider', 'Rule 90012 criteria: SIRS >= 2 within 6 hours', 'Lockout: 12 hours per encounter',
  'SmartSet 3100475 Adult Sepsis', 'Order: Lactate, venous (LAB1558)', 'Blood cultures x2 before antibiotics', 'Fluid bolus 30 mL/kg', 'Release: CHG0041872',
];
const shots = await Promise.all(Array.from({ length: n }, (_, i) => screenshot(LINES.slice(0, 1 + (i % LINES.length)).map((l) => `${l} (${i})`))));

const t = await testApp();
createPage(commandContext(t.store), { slug: 'bench', frontMatter: { ...sampleFrontMatter }, body: 'x' });
const token = tokenFor(t.store, 'editor');
const upload = async (name: string, bytes: Buffer) => {
  const body = multipartBody([{ name: 'file', value: bytes, filename: name, type: 'application/octet-stream' }]);
  const t0 = performance.now();
  const res = await t.app.inject({ method: 'POST', url: '/api/pages/bench/attachments', headers: { ...body.headers, authorization: `Bearer ${token}` }, payload: body.payload });
  if (res.statusCode !== 201) throw new Error(`upload failed: ${res.statusCode} ${res.body}`);
  return performance.now() - t0;
};

await readImageText(shots[0]!, 60_000); // warm-up: the OCR worker loads its English data once per process
const ocr: number[] = [];
for (const s of shots) ocr.push((await readImageText(s, 60_000)).ms);
const uploads: number[] = [];
for (const [i, s] of shots.entries()) uploads.push(await upload(`shot-${i}.png`, s));
const baseline: number[] = [];
for (const [i, s] of shots.entries()) baseline.push(await upload(`same-size-${i}.txt`, Buffer.alloc(s.length, 'a')));

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
console.log(`OCR of ${n} 1280×800 screenshots (${Math.round(median(shots.map((s) => s.length)) / 1024)} KB median PNG):`);
console.log(`  OCR alone:           median ${fmt(median(ocr))}, worst ${fmt(Math.max(...ocr))}`);
console.log(`  whole upload:        median ${fmt(median(uploads))}, worst ${fmt(Math.max(...uploads))}`);
console.log(`  same-size text file: median ${fmt(median(baseline))} (baseline: the upload without OCR)`);
console.log(`  OCR's share of an image upload: ${((median(ocr) / median(uploads)) * 100).toFixed(0)}% (median OCR / median upload)`);
await t.close();
await closeOcr();
