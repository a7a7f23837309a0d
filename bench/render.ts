// Rendering benchmark: our pipeline (wiki links, slugs, TOC, sanitize) against the stock unified
// pipeline on the same corpus pages in the same run, then the render cache's hit path.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkRehype from 'remark-rehype';
import rehypeSanitize from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import { renderMarkdown } from '../server/render/markdown.js';
import { RenderCache } from '../server/render/cache.js';
import { corpusFiles, median, percentile, sample } from './corpus.js';

const n = Number(process.env.BENCH_PAGES ?? 600);
const pages = sample(corpusFiles(), n).map((f) => fs.readFileSync(f, 'utf8'));
const stock = unified().use(remarkParse).use(remarkGfm).use(remarkRehype).use(rehypeSanitize).use(rehypeStringify);

function time(fn: (md: string) => unknown): number[] {
  return pages.map((md) => {
    const t0 = performance.now();
    fn(md);
    return performance.now() - t0;
  });
}

time((md) => stock.processSync(md)); // warm-up: JIT and module caches
const baseline = time((md) => stock.processSync(md));
const ours = time((md) => renderMarkdown(md, { pageExists: () => true }));
const cache = new RenderCache(() => true, { timeoutMs: 30_000 });
for (const [i, md] of pages.entries()) await cache.render(String(i), 'body', md);
const cached: number[] = [];
for (const [i, md] of pages.entries()) {
  const t0 = performance.now();
  await cache.render(String(i), 'body', md);
  cached.push(performance.now() - t0);
}
await cache.close();

const row = (name: string, xs: number[]) =>
  `${name.padEnd(28)} median ${median(xs).toFixed(2).padStart(7)} ms   p95 ${percentile(xs, 95).toFixed(2).padStart(7)} ms   ${(1000 * xs.length / xs.reduce((a, b) => a + b, 0)).toFixed(0).padStart(6)} pages/s`;
console.log(`Rendering ${pages.length} corpus pages (one core)`);
console.log(row('stock unified (baseline)', baseline));
console.log(row('whywiki renderMarkdown', ours));
console.log(row('whywiki render cache hit', cached));
console.log(`ratio whywiki/baseline (median): ${(median(ours) / median(baseline)).toFixed(2)}`);
