import { describe, expect, it } from 'vitest';
import { buildSegment } from '../../server/search/segment.js';
import { SearchEngine, PAGE_FIELDS, HISTORY_FIELDS, type HistoryDoc, type HistoryHit } from '../../server/search/engine.js';
import type { SearchDoc } from '../../server/search/document.js';

function doc(slug: string, over: Partial<SearchDoc> = {}): SearchDoc {
  return {
    slug, version: 1, title: slug.replace(/-/g, ' '), why: '', body: '', tags: [], owners: ['mreyes'], ownerHandles: ['mreyes'],
    system: 'Epic', module: 'ClinDoc', status: 'live', tickets: [], records: [], updatedAt: '2025-01-01T00:00:00Z', updatedBy: 'mreyes', ...over,
  };
}

function engineWith(pages: SearchDoc[], history: HistoryDoc[] = []): SearchEngine {
  const e = new SearchEngine();
  e.setMain(buildSegment(pages, PAGE_FIELDS), buildSegment(history, HISTORY_FIELDS));
  return e;
}

const outsider = { admin: false, teams: [] as string[] };

describe('hidden pages, marked once per group of viewers', () => {
  it('follow every change of restriction and every changed page between searches', () => {
    const e = engineWith([doc('vip-audit', { why: 'Walrus audit' }), doc('open-page', { why: 'Walrus tank' })], [
      { slug: 'vip-audit', version: 1, title: 'vip audit', summary: 'Walrus rota', why: '', author: 'mreyes', createdAt: '2025-01-01T00:00:00Z' },
    ]);
    const slugs = (viewer: { admin: boolean; teams: string[] }, history = false) => e.search({ q: 'walrus', viewer, history }).hits.map((h) => h.slug).sort();
    expect(slugs(outsider)).toEqual(['open-page', 'vip-audit']);
    e.setRestrictions([{ slug: 'vip-audit', teams: ['privacy', 'audit'] }]);
    expect(slugs(outsider)).toEqual(['open-page']);
    expect(slugs(outsider, true)).toEqual([]);
    // The same teams in another order are the same group of viewers.
    expect(slugs({ admin: false, teams: ['audit', 'privacy'] })).toEqual(['open-page', 'vip-audit']);
    expect(slugs({ admin: false, teams: ['privacy'] })).toEqual(['open-page', 'vip-audit']);
    expect(slugs({ admin: false, teams: ['privacy'] }, true)).toEqual(['vip-audit']);
    e.setRestrictions([]);
    expect(slugs(outsider)).toEqual(['open-page', 'vip-audit']);
    expect(slugs(outsider, true)).toEqual(['vip-audit']);
    // A page changed since the main segment was built is answered from its new text only.
    e.applyChanges([{ slug: 'open-page', doc: doc('open-page', { version: 2, why: 'Otter tank' }) }], []);
    expect(slugs(outsider)).toEqual(['vip-audit']);
    e.applyChanges([{ slug: 'vip-audit', doc: null }], []);
    expect(slugs(outsider)).toEqual([]);
    expect(e.search({ q: 'otter', viewer: outsider }).hits.map((h) => h.slug)).toEqual(['open-page']);
  });
});

describe('quoted phrases', () => {
  // The check as first written, with the word edges as an alternation: the reference.
  const reference = (phrase: string[], text: string) =>
    new RegExp(`(^|[^\\p{L}\\p{N}])${phrase.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^\\p{L}\\p{N}]+')}($|[^\\p{L}\\p{N}])`, 'iu').test(text);

  it('match exactly where the words stand whole and in order, as the reference check does', () => {
    const bodies = [
      'lactate order', 'Lactate ORDER placed', 'a lactate order.', '(lactate—order)', 'lactate  \n order', 'xlactate order', 'lactate orders',
      'lactate order2', 'lactateé order', 'élactate order', 'lactate orderé', 'order lactate', 'lactate, order', 'lactate-order', 'lactate_order',
      '🙂lactate order🙂', 'ǅlactate order', 'lactate\u00a0order', 'lactate 1 order',
    ];
    const pages = bodies.map((body, i) => doc(`page-${i}`, { title: `Page ${i}`, body }));
    const e = engineWith(pages);
    const found = new Set(e.search({ q: '"lactate order"', viewer: outsider, limit: 100 }).hits.map((h) => h.slug));
    // The words are looked up in the index first; the phrase check runs on the pages holding both.
    const both = new Set(e.search({ q: '+lactate +order', viewer: outsider, limit: 100 }).hits.map((h) => h.slug));
    const expected = pages.filter((p) => both.has(p.slug) && reference(['lactate', 'order'], p.body)).map((p) => p.slug);
    expect(expected.length).toBeGreaterThan(5);
    expect(both.size).toBeGreaterThan(expected.length);
    expect([...found].sort()).toEqual(expected.sort());
  });
});

describe('history search', () => {
  it('returns each page of results as the full sort of every match orders them', () => {
    // Few distinct summaries and dates, so most versions tie and only their position orders them.
    const history: HistoryDoc[] = Array.from({ length: 300 }, (_, i) => ({
      slug: `page-${i % 40}`, version: 1 + Math.floor(i / 40), title: `Page ${i % 40}`, summary: ['Badger moved', 'Badger badger moved', 'Badger fed'][i % 3]!,
      why: i % 5 ? '' : 'badger', author: 'mreyes', createdAt: `2025-01-0${1 + (i % 4)}T00:00:00Z`,
    }));
    const e = engineWith([doc('a-page')], history);
    const all = e.search({ q: 'badger', viewer: outsider, history: true, limit: 1000 });
    expect(all.total).toBe(300);
    const key = (h: HistoryHit) => `${h.slug}@${h.version}`;
    const paged: string[] = [];
    for (let offset = 0; offset < 300; offset += 20) paged.push(...(e.search({ q: 'badger', viewer: outsider, history: true, offset, limit: 20 }).hits as HistoryHit[]).map(key));
    expect(paged).toEqual((all.hits as HistoryHit[]).map(key));
  });
});
