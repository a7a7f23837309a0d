// Facet counting and ordering when a query matches most of a large wiki, in-process (no server).
//
//   tsx bench/facets.ts [--pages 28000] [--runs 9] [--corpus <.tar.gz>] [--before <folder with an older server/>]
//
// Pages are the shared corpus repeated (each copy its own slug, system, owners, tags, status, date), built
// into one segment; 2% are restricted so the searching reader has hidden pages. Each query runs `--runs`
// times and the median is reported. With --before, the engine of an older checkout (e.g. made with
// `git archive <commit> server | tar -x -C <folder>`) is timed on the same segment, runs alternating,
// because the machine is shared and noisy.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { buildSegment } from '../server/search/segment.js';
import { PAGE_FIELDS, HISTORY_FIELDS, type SearchRequest } from '../server/search/engine.js';
import type { SearchDoc } from '../server/search/document.js';
import { corpusFiles, DEFAULT_CORPUS, median, seeded } from './corpus.js';
import { enginesToCompare } from './engines.js';

const { values: args } = parseArgs({
  options: { pages: { type: 'string', default: '28000' }, runs: { type: 'string', default: '9' }, corpus: { type: 'string' }, before: { type: 'string' } },
});
const PAGES = Number(args.pages);
const RUNS = Number(args.runs);
const log = (s: string) => process.stdout.write(`${s}\n`);

const texts = corpusFiles(args.corpus ?? DEFAULT_CORPUS).map((f) => fs.readFileSync(f, 'utf8'));
const rnd = seeded(7);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
const SYSTEMS = ['Epic', 'Workday', 'Interfaces', 'Cerner', 'Kronos', 'Lawson', 'Imprivata', 'PACS'];
const MODULES = ['ClinDoc', 'Orders', 'Payroll', 'Beaker', 'Willow', 'ADT', ''];
const STATUSES = ['draft', 'in-build', 'live', 'retired'];
const people = Array.from({ length: 48 }, (_, i) => `person${i}`);
const tags = Array.from({ length: 300 }, (_, i) => `tag-${i}`);
const docs: SearchDoc[] = Array.from({ length: PAGES }, (_, i) => {
  const text = texts[i % texts.length]!;
  const owners = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(people));
  return {
    slug: `page-${i}`, version: 1, title: text.split('\n').find((l) => l.trim())!.replace(/^[#\s-]+/, '').slice(0, 80) || `page ${i}`,
    why: text.slice(0, 300), body: text.slice(0, 20_000), tags: Array.from({ length: Math.floor(rnd() * 4) }, () => pick(tags)), owners, ownerHandles: owners,
    system: pick(SYSTEMS), module: pick(MODULES), status: pick(STATUSES), tickets: [], records: [],
    updatedAt: new Date(Date.UTC(2024, 0, 1) + Math.floor(rnd() * 700) * 86_400_000).toISOString(), updatedBy: pick(people),
  };
});
let t0 = performance.now();
const seg = buildSegment(docs, PAGE_FIELDS);
const history = buildSegment([], HISTORY_FIELDS);
log(`${PAGES} pages built into one segment in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
const restricted = docs.filter((_, i) => i % 50 === 0).map((d) => ({ slug: d.slug, teams: ['secret'] }));

const engines = await enginesToCompare(args.before);
for (const { engine } of engines) {
  t0 = performance.now();
  engine.setMain(seg, history);
  engine.setRestrictions(restricted);
  log(`setMain: ${(performance.now() - t0).toFixed(0)} ms`);
}

const viewer = { admin: false, teams: [] };
const queries: SearchRequest[] = [
  { q: 'use', viewer },
  { q: 'data', viewer },
  { q: 'comm*', viewer },
  { q: 'file', viewer, filters: { system: 'epic' } },
  { q: 'con*', viewer, offset: 40, limit: 20 },
];
for (const req of queries) {
  const times = new Map<string, number[]>(engines.map((e) => [e.name, []]));
  let answers: string[] = [];
  for (let run = 0; run < RUNS; run++) {
    answers = [];
    for (const { name, engine } of engines) {
      const start = performance.now();
      const res = engine.search(req);
      times.get(name)!.push(performance.now() - start);
      answers.push(JSON.stringify({ total: res.total, hits: res.hits.map((h) => h.slug), facets: res.facets }));
    }
  }
  const total = (JSON.parse(answers.at(-1)!) as { total: number }).total;
  const same = answers.every((a) => a === answers[0]) ? 'same answer' : 'ANSWERS DIFFER';
  log(`${JSON.stringify({ q: req.q, filters: req.filters, offset: req.offset })}: ${total} matches; ${engines.map((e) => `${e.name} median ${median(times.get(e.name)!).toFixed(1)} ms`).join(', ')}; ${same}`);
}
