// Search on a built index file, in-process (no server, no HTTP): the worker's own cost per query class.
//
//   node --import tsx bench/search-snapshot.ts <search-index.bin> [--runs 7] [--before <folder with an older server/>]
//   node --cpu-prof --import tsx bench/search-snapshot.ts <search-index.bin>   # the worker's profile over the same queries
//
// The index file is one a server or `rebuild` wrote (e.g. a copy of /work/scale/50k after its first start).
// Queries are made as bench/scale.ts makes them (held-out page titles as pasted, words of titles, pairs,
// four-letter prefixes), plus quoted phrases and history searches; every 50th page is restricted so the
// reader has hidden pages. Each query class reports the median over its queries of each query's median of
// `--runs`. With --before, an older checkout's engine (made with `git archive <commit> server | tar -x -C
// <folder>`) answers on the same loaded snapshot, runs alternating, and the answers are compared.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { readSnapshot } from '../server/search/snapshot.js';
import type { SearchRequest } from '../server/search/engine.js';
import { median, seeded } from './corpus.js';
import { enginesToCompare } from './engines.js';

const { values: args, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '7' }, before: { type: 'string' } } });
const file = positionals[0];
if (!file) throw new Error('usage: bench/search-snapshot.ts <search-index.bin> [--runs 7] [--before <folder>]');
const RUNS = Number(args.runs);
const log = (s: string) => process.stdout.write(`${s}\n`);

let t0 = performance.now();
const snap = readSnapshot(file);
if (!snap) throw new Error(`no index at ${file}`);
log(`${snap.pages.docCount} pages, ${snap.history.docCount} versions loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s; load ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
const restricted = snap.pages.docs.filter((_, i) => i % 50 === 0).map((d) => ({ slug: d.slug, teams: ['secret'] }));

const engines = await enginesToCompare(args.before);
for (const { engine } of engines) {
  engine.setMain(snap.pages, snap.history);
  engine.setRestrictions(restricted);
}

// Titles from the middle of the wiki, as bench/scale.ts takes them (without the page's own number).
const rnd = seeded(11);
const mid = Math.floor(snap.pages.docCount / 2);
const titles = snap.pages.docs.slice(mid, mid + 100).map((d) => d.title.replace(/\s*#\d+$/, ''));
const words = [...new Set(titles.flatMap((t) => t.toLowerCase().split(/[^a-z0-9]+/)).filter((w) => w.length >= 4 && !/^\d+$/.test(w)))];
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
const viewer = { admin: false, teams: [] };
const classes: Record<string, SearchRequest[]> = {
  'title as pasted': Array.from({ length: 8 }, () => ({ q: pick(titles), viewer, limit: 10 })),
  'one word': Array.from({ length: 12 }, () => ({ q: pick(words), viewer, limit: 10 })),
  'two words': Array.from({ length: 10 }, () => ({ q: `${pick(words)} ${pick(words)}`, viewer, limit: 10 })),
  'prefix*': Array.from({ length: 8 }, () => ({ q: `${pick(words).slice(0, 4)}*`, viewer, limit: 10 })),
  'phrase': Array.from({ length: 6 }, () => ({ q: `"${pick(titles).split(' ').slice(0, 2).join(' ')}"`, viewer, limit: 10 })),
  'history': Array.from({ length: 8 }, () => ({ q: pick(words), viewer, limit: 10, history: true })),
};

let differ = 0;
for (const [name, reqs] of Object.entries(classes)) {
  const per = new Map<string, number[]>(engines.map((e) => [e.name, []]));
  let totals = 0;
  for (const req of reqs) {
    const times = new Map<string, number[]>(engines.map((e) => [e.name, []]));
    const answers: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      for (const { name: en, engine } of engines) {
        const start = performance.now();
        const res = engine.search(req);
        times.get(en)!.push(performance.now() - start);
        if (run === 0) {
          answers.push(JSON.stringify({ total: res.total, hits: res.hits, facets: res.facets, notice: res.notice }));
          totals += res.total;
        }
      }
    }
    if (!answers.every((a) => a === answers[0])) {
      differ++;
      log(`  ANSWERS DIFFER for ${JSON.stringify(req.q)}${req.history ? ' (history)' : ''}`);
    }
    for (const e of engines) per.get(e.name)!.push(median(times.get(e.name)!));
  }
  log(`${name}: ${reqs.length} queries, ${Math.round(totals / reqs.length / engines.length)} matches on average; ${engines.map((e) => `${e.name} median ${median(per.get(e.name)!).toFixed(1)} ms, max ${Math.max(...per.get(e.name)!).toFixed(1)} ms`).join('; ')}`);
}
if (engines.length > 1) log(differ ? `${differ} queries answered differently` : 'every answer the same');
