import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { newBuilder } from '../../server/search/analyzer.js';
import { calculateAverageFieldLengths } from '../../server/search/lunr-internals.js';
import { buildSegment, SegmentBuilder, type BaseStats, type FieldSpec, type Segment } from '../../server/search/segment.js';
import { HISTORY_FIELDS, PAGE_FIELDS, type HistoryDoc } from '../../server/search/engine.js';
import { markdownText, type SearchDoc } from '../../server/search/document.js';
import { CONTENT_DIR } from '../../server/paths.js';

/**
 * What Lunr's own builder gives for the documents, compiled to (term, field) runs the plain way: the
 * oracle the segment builder must match exactly.
 */
function lunrReference<D>(docs: D[], spec: FieldSpec<D>[], base?: BaseStats) {
  const builder = newBuilder();
  builder.ref('ref');
  for (const f of spec) builder.field(f.name, { boost: f.boost, extractor: (d: object) => f.extract((d as { doc: D }).doc) });
  docs.forEach((doc, i) => builder.add({ ref: String(i), doc }));
  calculateAverageFieldLengths(builder);
  const b = builder as unknown as { invertedIndex: Record<string, unknown>; fieldTermFrequencies: Record<string, Record<string, number>>; fieldLengths: Record<string, number>; averageFieldLength: Record<string, number> };
  const fields = spec.map((f) => f.name);
  const terms = Object.keys(b.invertedIndex).sort();
  const dfs = terms.map(() => 0);
  const termNo = new Map(terms.map((t, i) => [t, i]));
  for (const ref in b.fieldTermFrequencies) for (const t in b.fieldTermFrequencies[ref]) dfs[termNo.get(t)!]! += 1;
  const docCount = base ? Math.max(base.docCount, docs.length) : docs.length;
  const avg = fields.map((f, i) => (base && base.docCount ? base.avgFieldLength[i]! : b.averageFieldLength[f] || 0));
  const runs = new Map<string, [number, number][]>();
  for (const ref in b.fieldTermFrequencies) {
    const [field, doc] = [ref.slice(0, ref.indexOf('/')), Number(ref.slice(ref.indexOf('/') + 1))];
    const fi = fields.indexOf(field);
    for (const term in b.fieldTermFrequencies[ref]) {
      const t = termNo.get(term)!;
      const n = base ? Math.max(base.df(term), dfs[t]!) : dfs[t]!;
      const idf = Math.log(1 + Math.abs((docCount - n + 0.5) / (n + 0.5)));
      const f = b.fieldTermFrequencies[ref]![term]!;
      const score = ((idf * (2.2 * f)) / (1.2 * (1 - 0.75 + 0.75 * (b.fieldLengths[ref]! / (avg[fi]! || 1))) + f)) * spec[fi]!.boost;
      const key = `${t}/${fi}`;
      runs.set(key, [...(runs.get(key) ?? []), [doc, Math.fround(Math.round(score * 1000) / 1000)]]);
    }
  }
  return { terms, dfs, avg, runs };
}

function runsOf<D>(seg: Segment<D>): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  for (let t = 0; t < seg.terms.length; t++) {
    for (let f = 0; f < seg.fields.length; f++) {
      const run: [number, number][] = [];
      seg.forEachPosting(t, f, (doc, w) => run.push([doc, w]));
      if (run.length) out.set(`${t}/${f}`, run);
    }
  }
  return out;
}

function expectSame<D>(seg: Segment<D>, ref: ReturnType<typeof lunrReference<D>>): void {
  expect(seg.terms).toEqual(ref.terms);
  expect([...seg.dfs]).toEqual(ref.dfs);
  expect([...seg.avgFieldLength]).toEqual(ref.avg);
  expect(runsOf(seg)).toEqual(ref.runs);
}

// The demo wiki's pages: real prose, identifiers, commit-like strings and numbers the noise filter drops.
const texts = fs.readdirSync(path.join(CONTENT_DIR, 'pages')).sort().map((f) => ({ name: f.replace(/\.md$/, ''), text: markdownText(fs.readFileSync(path.join(CONTENT_DIR, 'pages', f), 'utf8')) }));

const pages: SearchDoc[] = texts.map(({ name, text }, i) => ({
  slug: name, version: 1, title: name.replace(/-/g, ' '), why: text.slice(0, 400), body: `${text} 3f9a1c2b7d 123456789012 ${'x'.repeat(50)}`, tags: i % 3 ? ['downtime', 'epic'] : [],
  owners: ['mreyes', 'Maria Reyes'], ownerHandles: ['mreyes'], system: i % 2 ? 'Epic' : 'Workday', module: i % 4 ? 'ClinDoc' : '', status: 'live',
  tickets: i % 5 ? [`CHG00${41870 + i}`] : [], records: i % 7 ? [`BPA ${1900200 + i}`, 'Rhapsody route ADT_A08'] : [], updatedAt: '2025-01-01T00:00:00Z', updatedBy: 'mreyes',
}));

// Several versions per page whose why repeats, as history holds them.
const history: HistoryDoc[] = texts.flatMap(({ name, text }) => [1, 2, 3].map((v) => ({ slug: name, version: v, title: name.replace(/-/g, ' '), summary: `v${v}: ${text.slice(v * 50, v * 50 + 80)}`, why: text.slice(0, 300), author: 'mreyes', createdAt: `2025-01-0${v}T00:00:00Z` })));

describe('segment builder', () => {
  it('gives exactly the terms, frequencies, lengths and weights of Lunr\'s own builder', () => {
    expectSame(buildSegment(pages, PAGE_FIELDS), lunrReference(pages, PAGE_FIELDS));
    expectSame(buildSegment(history, HISTORY_FIELDS), lunrReference(history, HISTORY_FIELDS));
    expectSame(buildSegment([], HISTORY_FIELDS), lunrReference([], HISTORY_FIELDS));
  });

  it('scores a delta segment with the main segment\'s statistics as Lunr\'s builder would', () => {
    const main = buildSegment(pages, PAGE_FIELDS);
    const delta = pages.slice(3, 6);
    expectSame(buildSegment(delta, PAGE_FIELDS, main), lunrReference(delta, PAGE_FIELDS, main));
  });

  it('takes documents one at a time from any iterable, so a build need not hold them all first', () => {
    function* versions(): Generator<HistoryDoc> {
      yield* history;
    }
    const builder = new SegmentBuilder(HISTORY_FIELDS);
    let n = 0;
    for (const v of versions()) {
      builder.add(v);
      expect(builder.size).toBe(++n);
    }
    expectSame(builder.finish(), lunrReference(history, HISTORY_FIELDS));
    expectSame(buildSegment(versions(), HISTORY_FIELDS), lunrReference(history, HISTORY_FIELDS));
  });
});
