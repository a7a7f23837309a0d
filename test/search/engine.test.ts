import { describe, expect, it } from 'vitest';
import lunr from 'lunr';
import { newBuilder } from '../../server/search/analyzer.js';
import { buildSegment, decodeSegment, encodeSegment, globMatch } from '../../server/search/segment.js';
import { SearchEngine, PAGE_FIELDS, HISTORY_FIELDS, type HistoryDoc } from '../../server/search/engine.js';
import { WorkBudget, WorkExhausted } from '../../server/search/budget.js';
import { markdownText, type SearchDoc } from '../../server/search/document.js';
import { parseQuery, QueryError } from '../../server/search/query.js';

function doc(slug: string, over: Partial<SearchDoc> = {}): SearchDoc {
  return {
    slug, version: 1, title: slug.replace(/-/g, ' '), why: '', body: '', tags: [], owners: ['mreyes', 'Maria Reyes'], ownerHandles: ['mreyes'],
    system: 'Epic', module: 'ClinDoc', status: 'live', tickets: [], records: [], updatedAt: '2025-01-01T00:00:00Z', updatedBy: 'mreyes', ...over,
  };
}

const viewer = { admin: false, teams: [] };

const docs = [
  doc('sepsis-screening-bpa', { why: 'Early sepsis was recognised late; the BPA prompts a lactate order.', body: 'Vitals and labs are watched as they are filed.', tickets: ['CHG0041872'], records: ['BPA 1900231'] }),
  doc('lactate-reflex-order', { why: 'A second lactate is ordered when the first is high.', body: 'The reflex fires on results above 2.' }),
  doc('payroll-retro-pay', { system: 'Workday', module: 'Payroll', why: 'Retroactive pay was computed by hand.', body: 'Sepsis is not mentioned here but payroll is.', owners: ['jdoe', 'Jane Doe'], ownerHandles: ['jdoe'], tags: ['payroll', 'retro pay'] }),
  doc('adt-filter', { system: 'Interfaces', module: '', why: 'Duplicate A08 messages flooded downstream systems.', body: 'Filter in Rhapsody.', records: ['Rhapsody route ADT_A08_FILTER'], status: 'in-build' }),
];

function engineWith(all: SearchDoc[], history: HistoryDoc[] = [], options: { workLimit?: number } = {}): SearchEngine {
  const e = new SearchEngine(options);
  e.setMain(buildSegment(all, PAGE_FIELDS), buildSegment(history, HISTORY_FIELDS));
  return e;
}

function version(slug: string, v: number, summary: string): HistoryDoc {
  return { slug, version: v, title: slug, summary, why: '', author: 'mreyes', createdAt: `2025-01-0${v}T00:00:00Z` };
}

/** Edit distance with swaps of neighbours, the slow obvious way. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

describe('compiled Lunr segments', () => {
  it('score exactly as lunr.Index#search does on the same documents and fields', () => {
    const builder = newBuilder();
    builder.ref('slug');
    for (const f of PAGE_FIELDS) builder.field(f.name, { boost: f.boost, extractor: (d: object) => f.extract(d as SearchDoc) });
    for (const d of docs) builder.add(d);
    const stock = builder.build();
    const seg = buildSegment(docs, PAGE_FIELDS);
    const engine = engineWith(docs);
    for (const q of ['sepsis', 'lactate order', 'payroll', 'filter']) {
      const expected = stock.search(q).map((r) => [r.ref, r.score] as const);
      const plan = parseQuery(`${q} `, [], () => false);
      const got = engine.search({ q: `${q} `, viewer }).hits.map((h) => [h.slug, h.score] as const);
      // Our plain queries require every word; compare on Lunr's own required form.
      const required = stock.search(q.split(' ').map((w) => `+${w}`).join(' ')).map((r) => [r.ref, r.score] as const);
      expect(got.map((g) => g[0])).toEqual(required.map((r) => r[0]));
      got.forEach((g, i) => expect(g[1]).toBeCloseTo(required[i]![1], 2));
      expect(expected.length).toBeGreaterThanOrEqual(required.length);
      expect(plan.clauses.length).toBe(q.split(' ').length);
    }
    expect(seg.docCount).toBe(docs.length);
  });

  it('round-trip through their file form unchanged', () => {
    const seg = buildSegment(docs, PAGE_FIELDS);
    const buf = Buffer.concat(encodeSegment(seg));
    const { segment: back, end } = decodeSegment<SearchDoc>(buf, 0);
    expect(end).toBe(buf.length);
    expect(back.terms).toEqual(seg.terms);
    expect([...back.postDocs]).toEqual([...seg.postDocs]);
    expect([...back.postWeights]).toEqual([...seg.postWeights]);
    expect(back.docs).toEqual(seg.docs);
  });
});

describe('search engine', () => {
  const engine = engineWith(docs);
  const first = (q: string, filters = {}) => engine.search({ q, viewer, filters }).hits[0]?.slug;

  it('finds identifiers exactly, however they are written', () => {
    for (const q of ['CHG0041872', 'chg0041872', 'BPA 1900231', 'bpa-1900231', 'BPA1900231', 'bpa_1900231']) expect(first(q), q).toBe('sepsis-screening-bpa');
    const hit = engine.search({ q: 'bpa 1900231', viewer }).hits[0]!;
    expect(hit.snippet.field).toBe('records');
    expect(hit.snippet.text.slice(...hit.snippet.highlights[0]!)).toBe('BPA 1900231');
  });

  it('requires every word, falls back to any word and says so', () => {
    expect(engine.search({ q: 'lactate order', viewer }).total).toBe(2);
    const any = engine.search({ q: 'payroll lactate', viewer });
    expect(any.notice?.kind).toBe('any-word');
    expect(any.total).toBe(3);
  });

  it('treats the last word as a prefix while typing, and not after a space', () => {
    expect(first('retro pa')).toBe('payroll-retro-pay');
    expect(engine.search({ q: 'lacta', viewer }).total).toBe(2);
    expect(engine.search({ q: 'lacta ', viewer }).notice?.kind).toBe('fuzzy'); // a finished word is matched whole, then fuzzily
  });

  it('retries a misspelling fuzzily and shows the corrected word', () => {
    const res = engine.search({ q: 'sepssis ', viewer });
    expect(res.notice).toEqual({ kind: 'fuzzy', text: 'sepsis' });
    expect(res.hits[0]!.slug).toBe('sepsis-screening-bpa');
    expect(engine.search({ q: 'CHG0041873', viewer }).total).toBe(0); // a near-miss ticket is another ticket
  });

  it('keeps quoted phrases in order', () => {
    expect(engine.search({ q: '"lactate order"', viewer }).hits.map((h) => h.slug)).toEqual(['sepsis-screening-bpa']);
    expect(engine.search({ q: '"order lactate"', viewer }).total).toBe(0);
  });

  it("understands Lunr's syntax for power users", () => {
    expect(engine.search({ q: 'title:sepsis', viewer }).hits.map((h) => h.slug)).toEqual(['sepsis-screening-bpa']);
    expect(engine.search({ q: 'sepsis -payroll', viewer }).hits.map((h) => h.slug)).toEqual(['sepsis-screening-bpa']);
    expect(engine.search({ q: '+lactate +reflex', viewer }).hits.map((h) => h.slug)).toEqual(['lactate-reflex-order']);
    expect(first('sepsi~1')).toBe('sepsis-screening-bpa');
    expect(first('rhaps*')).toBe('adt-filter');
    expect(first('*epsi')).toBe('sepsis-screening-bpa');
  });

  it('answers unreadable or unbounded queries with a message', () => {
    const bad = ['*', 'a*', 'sepsis~5', 'sepsis^x', 'x'.repeat(201), 'title:'];
    for (const q of bad) expect(() => engine.search({ q, viewer }), q).toThrow(QueryError);
  });

  it('puts the page whose whole title was pasted first, however common its words', () => {
    const noisy = Array.from({ length: 6 }, (_, i) => doc(`unit-layouts-${i}`, { title: `Unit layouts in building ${i}`, why: 'Check in unit layouts. '.repeat(5), body: 'Check in at unit 4 layouts. '.repeat(20) }));
    const e = engineWith([...noisy, doc('check-in', { title: 'Check in: Unit 4 - Layouts', why: 'Where patients arrive.', body: 'A long page about arrivals. '.repeat(40) })]);
    expect(e.search({ q: 'Check in: Unit 4 - Layouts', viewer }).hits[0]!.slug).toBe('check-in');
    expect(e.search({ q: 'check in unit 4 layouts', viewer }).hits[0]!.slug).toBe('check-in');
  });

  it('reads a word before a colon that names no field as text, and says so', () => {
    const pasted = engineWith([doc('check-in', { title: 'Check in: Unit 4 - Layouts', why: 'The unit moved.' }), ...docs]);
    const res = pasted.search({ q: 'Check in: Unit 4 - Layouts', viewer });
    expect(res.hits.map((h) => h.slug)).toEqual(['check-in']);
    expect(res.readAsText).toEqual(['in']);
    expect(pasted.search({ q: 'lactate at 07:30', viewer }).readAsText).toEqual(['07']);
    // Real fields still work, in any case, and say nothing.
    expect(pasted.search({ q: 'Title:sepsis', viewer })).toMatchObject({ readAsText: [], hits: [{ slug: 'sepsis-screening-bpa' }] });
    expect(pasted.search({ q: 'foo:sepsis +lactate', viewer })).toMatchObject({ readAsText: ['foo'] });
    expect(parseQuery('"in: quotes" ok', PAGE_FIELDS.map((f) => f.name), () => false).readAsText).toEqual([]);
  });

  it('filters by facet, counting the other values of the filtered facet', () => {
    const res = engine.search({ q: 'sepsis', viewer, filters: { system: 'Workday' } });
    expect(res.hits.map((h) => h.slug)).toEqual(['payroll-retro-pay']);
    expect(res.facets.system).toEqual([{ value: 'Epic', count: 1 }, { value: 'Workday', count: 1 }]);
    expect(first('', { status: 'in-build' })).toBe('adt-filter');
    expect(first('', { owner: 'jdoe' })).toBe('payroll-retro-pay');
    expect(first('', { tag: 'retro pay' })).toBe('payroll-retro-pay');
  });

  it("finds a page by its owner's name", () => {
    expect(first('jane doe')).toBe('payroll-retro-pay');
    expect(first('jdoe')).toBe('payroll-retro-pay');
  });

  it('picks the snippet from the best matching field and marks the words', () => {
    const hit = engine.search({ q: 'vitals', viewer }).hits[0]!;
    expect(hit.snippet.field).toBe('body');
    expect(hit.snippet.highlights.map(([s, e]) => hit.snippet.text.slice(s, e))).toEqual(['Vitals']);
  });

  it('never shows a restricted page to someone outside its teams', () => {
    const e = engineWith([...docs, doc('secret-build', { why: 'Sepsis pilot for one unit' })]);
    e.setRestrictions([{ slug: 'secret-build', teams: ['epic-clindoc'] }]);
    expect(e.search({ q: 'pilot', viewer }).total).toBe(0);
    expect(e.search({ q: 'pilot', viewer: { admin: false, teams: ['epic-clindoc'] } }).total).toBe(1);
    expect(e.search({ q: 'pilot', viewer: { admin: true, teams: [] } }).total).toBe(1);
    expect(e.search({ q: 'sepsis', viewer }).facets.system.find((f) => f.value === 'Epic')?.count).toBe(1);
  });

  it('masks superseded entries and scores fresh ones like the main segment', () => {
    const e = engineWith(docs);
    const before = e.search({ q: 'lactate', viewer }).hits.find((h) => h.slug === 'lactate-reflex-order')!.score;
    e.applyChanges([{ slug: 'lactate-reflex-order', doc: { ...docs[1]!, version: 2 } }], []);
    const after = e.search({ q: 'lactate', viewer }).hits;
    expect(after.filter((h) => h.slug === 'lactate-reflex-order')).toHaveLength(1);
    expect(after.find((h) => h.slug === 'lactate-reflex-order')!.score).toBeCloseTo(before, 1);
    e.applyChanges([{ slug: 'lactate-reflex-order', doc: { ...docs[1]!, version: 3, body: 'Now about zebrafish.' } }, { slug: 'adt-filter', doc: null }], []);
    expect(e.search({ q: 'zebrafish', viewer }).hits.map((h) => h.slug)).toEqual(['lactate-reflex-order']);
    expect(e.search({ q: 'rhapsody', viewer }).total).toBe(0);
    expect(e.docCount).toBe(3);
  });

  it('indexes pages picked up between searches a few times each, not once per search, and finds only their newest version', () => {
    const e = engineWith(docs);
    const n = 400;
    for (let i = 0; i < n; i++) {
      e.applyChanges([{ slug: `imported-${i}`, doc: doc(`imported-${i}`, { body: `quokka ${i}` }) }], []);
      // Every tenth step a page picked up earlier changes again: its older document must stop matching.
      if (i % 10 === 9) e.applyChanges([{ slug: `imported-${i - 5}`, doc: doc(`imported-${i - 5}`, { version: 2, body: `quokka ${i - 5} wombat` }) }], []);
      e.search({ q: 'quokka', viewer });
      // As the worker does between queries: the merges the search started, here at once.
      e.mergeStep();
    }
    expect(e.search({ q: 'quokka', viewer }).total).toBe(n);
    const changedAgain = e.search({ q: 'wombat', viewer, limit: 200 });
    expect(changedAgain.total).toBe(n / 10);
    expect(changedAgain.hits.every((h) => h.slug.startsWith('imported-'))).toBe(true);
    // Rebuilding the whole delta for each search would index n × (n + 1) / 2 = 80,200 documents.
    expect(e.deltaDocsIndexed).toBeLessThan(n * 15);
  });

  it('merges delta segments in slices, answering like the unsliced merge at every step, every page once', () => {
    const sliced = engineWith(docs);
    const whole = engineWith(docs);
    const queries = ['quokka', 'wombat', 'quokka -wombat', '"quokka 17"', 'imported', 'lactate'];
    const slugs = (e: SearchEngine, q: string) => e.search({ q, viewer, limit: 1000 }).hits.map((h) => h.slug).sort();
    const same = () => {
      for (const q of queries) {
        const got = slugs(sliced, q);
        expect(got).toEqual(slugs(whole, q));
        expect(new Set(got).size).toBe(got.length);
      }
    };
    let steps = 0;
    for (let batch = 0; batch < 12; batch++) {
      const changes = Array.from({ length: 40 }, (_, i) => {
        const n = batch * 40 + i;
        return { slug: `imported-${n}`, doc: doc(`imported-${n}`, { body: `quokka ${n}${n % 7 === 0 ? ' wombat' : ''}` }) };
      });
      // A page picked up earlier changes again while its segment may be being merged.
      if (batch > 0) changes.push({ slug: `imported-${batch * 40 - 3}`, doc: doc(`imported-${batch * 40 - 3}`, { version: 2, body: 'wombat only' }) });
      for (const e of [sliced, whole]) {
        e.applyChanges(changes, []);
        e.indexDelta();
      }
      whole.mergeStep();
      expect(whole.merging).toBe(false);
      same();
      // Three documents per slice, with queries between slices; bounded by the documents a merge can hold.
      for (let i = 0; i < 2000 && sliced.mergeStep(3); i++) {
        steps += 1;
        same();
      }
      expect(sliced.merging).toBe(false);
    }
    expect(steps).toBeGreaterThan(100);
    expect(slugs(sliced, 'quokka')).toHaveLength(480 - 11);
    for (const q of queries) expect(sliced.search({ q, viewer, limit: 1000 })).toEqual(whole.search({ q, viewer, limit: 1000 }));
  });

  it('drops delta documents a new main segment covers, and keeps answering from the rest', () => {
    const e = engineWith(docs);
    const picked = Array.from({ length: 40 }, (_, i) => doc(`picked-${i}`, { body: 'quokka' }));
    for (const d of picked) {
      e.applyChanges([{ slug: d.slug, doc: d }], []);
      e.search({ q: 'quokka', viewer });
    }
    // A rebuild that read the first 30 finishes while the last 10 are only in the delta.
    e.setMain(buildSegment([...docs, ...picked.slice(0, 30)], PAGE_FIELDS), buildSegment([], HISTORY_FIELDS));
    const res = e.search({ q: 'quokka', viewer, limit: 50 });
    expect(res.total).toBe(40);
    expect(new Set(res.hits.map((h) => h.slug)).size).toBe(40);
    expect(e.deltaSize).toBe(10);
  });
});

describe('restricted pages in search', () => {
  const outsider: { admin: boolean; teams: string[] } = { admin: false, teams: [] };
  const member = { admin: false, teams: ['privacy'] };

  it("hide every version of a page by the page's current restriction, whatever each version said", () => {
    // Version 1 was written while the page was open; the page is restricted now.
    const e = engineWith([doc('vip-audit', { why: 'Walrus audit' })], [version('vip-audit', 1, 'Walrus rota drafted'), version('vip-audit', 2, 'Restricted to privacy'), version('open-page', 1, 'Walrus tank cleaned')]);
    e.setRestrictions([{ slug: 'vip-audit', teams: ['privacy'] }]);
    const slugs = (q: string, viewer: typeof outsider) => e.search({ q, viewer, history: true }).hits.map((h) => h.slug);
    expect(slugs('walrus', outsider)).toEqual(['open-page']);
    expect(slugs('walrus', member).sort()).toEqual(['open-page', 'vip-audit']);
    // Only exclusions: everything the viewer may see, nothing more.
    expect(slugs('-qqqqq', outsider)).toEqual(['open-page']);
    expect(e.search({ q: '-qqqqq', viewer: outsider, history: true }).total).toBe(1);
    expect(e.search({ q: '-qqqqq', viewer: outsider }).total).toBe(0);
    // A change of restriction applies to the whole history at once, both ways.
    e.setRestrictions([]);
    expect(slugs('walrus', outsider).sort()).toEqual(['open-page', 'vip-audit']);
  });

  it("do not change an outsider's results through their identifiers or spellings", () => {
    const open = doc('batch-queue', { title: 'Batch queue', body: 'Queue QZX holds batch 7777777 and planktos counts.' });
    const secret = doc('vip-audit', { title: 'Plankton plankton', records: ['QZX 7777777'], body: 'plankton plankton' });
    const e = engineWith([open, secret]);
    e.setRestrictions([{ slug: 'vip-audit', teams: ['privacy'] }]);
    // The record ID exists only in the hidden page, so for an outsider these stay two words.
    expect(e.search({ q: 'QZX 7777777', viewer: outsider }).hits.map((h) => h.slug)).toEqual(['batch-queue']);
    expect(e.search({ q: 'QZX 7777777', viewer: member }).hits[0]!.slug).toBe('vip-audit');
    // "Showing results for" spells a word the outsider may see, never one from the hidden page.
    const fuzzy = e.search({ q: 'planktox ', viewer: outsider });
    expect(fuzzy.notice).toEqual({ kind: 'fuzzy', text: 'planktos' });
    expect(fuzzy.hits.map((h) => h.slug)).toEqual(['batch-queue']);
    expect(e.search({ q: 'planktox ', viewer: member }).notice).toEqual({ kind: 'fuzzy', text: 'plankton' });
  });
});

describe('work done for one query', () => {
  const long = 'a'.repeat(60);

  it('refuses words and identifiers over 64 characters, and does not index longer identifiers', () => {
    const e = engineWith([doc('long-ids', { records: [`X${'b'.repeat(63)}`, `Y${'c'.repeat(64)}`] })]);
    expect(() => e.search({ q: `${'d'.repeat(190)} `, viewer })).toThrow(/limited to 64 characters/);
    expect(() => e.search({ q: `title:${'d'.repeat(65)}`, viewer })).toThrow(/limited to 64 characters/);
    expect(e.search({ q: `x${'b'.repeat(63)}`, viewer }).total).toBe(1);
    expect(e.search({ q: `y${'c'.repeat(60)}*`, viewer }).total).toBe(0);
  });

  it('refuses a wildcard that needs more work than its budget, with the reason', () => {
    const e = engineWith([doc('repetitive', { records: [long, `${long}b`] }), ...docs], [], { workLimit: 100 });
    expect(() => e.search({ q: 'a*a*a*a*a*a*a*c', viewer })).toThrow(/too much work/);
    expect(() => e.search({ q: 'a*a*a*a*a*a*a*c', viewer })).toThrow(QueryError);
    expect(e.search({ q: 'rhaps*', viewer }).hits[0]?.slug).toBe('adt-filter'); // an ordinary wildcard fits the same budget
    // On the default budget the same query is answered, in steps linear in the dictionary.
    expect(engineWith([doc('repetitive', { records: [long, `${long}b`] })]).search({ q: 'a*a*a*a*a*a*a*b', viewer }).hits[0]?.slug).toBe('repetitive');
  });

  it('answers what it found when the typo retry runs out of work, and says so', () => {
    const e = engineWith(docs, [], { workLimit: 1 });
    const res = e.search({ q: 'sepssis ', viewer });
    expect(res.total).toBe(0);
    expect(res.notice?.kind).toBe('incomplete');
    expect(e.search({ q: 'sepsis ', viewer }).total).toBe(2); // exact words cost nothing
  });

  it('matches wildcards in at most pattern × term steps', () => {
    const budget = new WorkBudget(64 * 16);
    expect(globMatch('a*a*a*a*a*a*a*b', 'a'.repeat(64), budget)).toBe(false);
    expect(globMatch('a*a*b', `${'a'.repeat(62)}ab`, budget)).toBe(true);
    expect(() => globMatch('a*a*a*a*a*a*a*b', 'a'.repeat(64), new WorkBudget(10))).toThrow(WorkExhausted);
  });

  it('finds exactly the terms within the edit distance, in steps bounded by the dictionary', () => {
    const words = ['sepsis', 'sepses', 'spesis', 'sepsiss', 'lactate', 'lacate', 'lactates', 'order', 'ordre', 'odrer', 'border', 'a', 'ab', 'abc', long, `${long}b`, `${long}bb`, `${long}bbb`];
    const seg = buildSegment(words.map((w) => ({ w })), [{ name: 'w', boost: 1, extract: (d: { w: string }) => d.w }]);
    const letters = seg.terms.reduce((n, t) => n + t.length, 0);
    for (const q of ['sepsis', 'lactat', 'order', 'ab', long, `${long}bbbb`]) {
      for (const distance of [1, 2]) {
        const budget = new WorkBudget(1e9);
        const found = seg.fuzzy(q, distance, 1000, budget).map((i) => seg.terms[i]).sort();
        expect(found, `${q}~${distance}`).toEqual(seg.terms.filter((t) => editDistance(q, t) <= distance).sort());
        expect(budget.used).toBeLessThanOrEqual((letters + seg.terms.length) * (2 * distance + 2));
      }
    }
  });
});

describe('markdown text for the index', () => {
  it('keeps words and code, and leaves out link targets, HTML and bare URLs', () => {
    const text = markdownText('# Heading\n\nSee [the runbook](https://intranet.example/runbook-9f8e7d6c) and https://example.org/x.\n\n<div class="x">raw</div>\n\n```sql\nSELECT order_id\n```\n');
    expect(text).toContain('Heading');
    expect(text).toContain('the runbook');
    expect(text).toContain('SELECT order_id');
    expect(text).not.toContain('intranet');
    expect(text).not.toContain('example.org');
    expect(text).not.toContain('class');
    expect(markdownText('Read by [[sepsis-screening-bpa]] and [[vte-panel|the VTE panel]].')).toBe('Read by sepsis screening bpa and the VTE panel.');
  });
});

void lunr;
