import { describe, expect, it } from 'vitest';
import { buildSegment } from '../../server/search/segment.js';
import { SearchEngine, PAGE_FIELDS, HISTORY_FIELDS, FACETS, type Facet, type Filters, type PageHit, type SearchResponse } from '../../server/search/engine.js';
import { topK } from '../../server/search/top.js';
import type { SearchDoc } from '../../server/search/document.js';

/** A fixed-seed generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const SYSTEMS = ['Epic', 'Workday', 'Interfaces', 'epic'];
const MODULES = ['ClinDoc', 'Payroll', '', 'Orders'];
const STATUSES = ['live', 'in-build', 'retired'];
const OWNERS = ['mreyes', 'jdoe', 'akim', 'lchan'];
const TAGS = ['sepsis', 'Sepsis', 'payroll', 'retro pay', 'adt', 'lab'];
const WORDS = ['common', 'commit', 'committee', 'order', 'result', 'filter'];

/** Few distinct texts and dates, so most matches tie on score and date and only their position orders them. */
function generated(n: number, seed: number, version = 1): SearchDoc[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const owners = OWNERS.filter(() => r() < 0.4);
    const body = WORDS.filter(() => r() < 0.5);
    return {
      slug: `page-${i}`, version, title: `Page ${i % 7}`, why: pick(r, ['', 'common', 'order common']), body: body.join(' '),
      tags: TAGS.filter(() => r() < 0.3).concat(r() < 0.1 ? ['lab', 'lab'] : []), owners, ownerHandles: owners,
      system: pick(r, SYSTEMS), module: pick(r, MODULES), status: pick(r, STATUSES), tickets: [], records: [],
      updatedAt: `2025-01-0${1 + Math.floor(r() * 3)}T00:00:00Z`, updatedBy: 'mreyes',
    };
  });
}

// The counting as it was first written: string work per match, kept here as the reference.
function facetValues(d: SearchDoc, facet: Facet): string[] {
  return facet === 'system' ? [d.system] : facet === 'module' ? (d.module ? [d.module] : []) : facet === 'status' ? [d.status] : facet === 'owner' ? d.ownerHandles : d.tags;
}
function passes(d: SearchDoc, filters: Filters, skip: Facet | null): boolean {
  return FACETS.every((f) => !filters[f] || f === skip || facetValues(d, f).some((v) => v.toLowerCase() === filters[f]!.toLowerCase()));
}
function referenceFacets(docs: SearchDoc[], filters: Filters): SearchResponse['facets'] {
  const out = { system: [], module: [], status: [], owner: [], tag: [] } as SearchResponse['facets'];
  for (const facet of FACETS) {
    const counts = new Map<string, number>();
    for (const d of docs) {
      if (!passes(d, filters, facet)) continue;
      for (const v of new Set(facetValues(d, facet))) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    out[facet] = [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  }
  return out;
}

const viewer = { admin: false, teams: [] };

describe('facet counts and the first pages of results on many matches', () => {
  const main = generated(400, 7);
  const engine = new SearchEngine();
  engine.setMain(buildSegment(main, PAGE_FIELDS), buildSegment([], HISTORY_FIELDS));
  // Restricted pages must count nowhere; changed pages count once, as their newest version; one is archived.
  const restricted = new Set(main.filter((_, i) => i % 11 === 0).map((d) => d.slug));
  engine.setRestrictions([...restricted].map((slug) => ({ slug, teams: ['secret'] })));
  const changed = generated(400, 99, 2).filter((_, i) => i % 13 === 5);
  engine.applyChanges([...changed.map((d) => ({ slug: d.slug, doc: d })), { slug: 'page-3', doc: null }], []);
  const current = new Map(main.map((d) => [d.slug, d as SearchDoc | null]));
  for (const d of changed) current.set(d.slug, d);
  current.set('page-3', null);
  const visible = [...current.values()].filter((d): d is SearchDoc => d !== null && !restricted.has(d.slug));

  const cases: { q: string; matches: (d: SearchDoc) => boolean }[] = [
    { q: 'common', matches: (d) => /\bcommon\b/.test(`${d.why} ${d.body}`) },
    { q: 'comm*', matches: (d) => /\bcomm/.test(`${d.why} ${d.body}`) },
    { q: 'page', matches: () => true },
  ];
  const filterSets: Filters[] = [{}, { system: 'EPIC' }, { system: 'epic', tag: 'sepsis' }, { owner: 'jdoe', status: 'live', module: 'payroll' }];

  it('counts facets exactly as the per-match string counting did, hidden pages left out', () => {
    for (const { q, matches } of cases) {
      for (const filters of filterSets) {
        const res = engine.search({ q, viewer, filters });
        const matched = visible.filter(matches);
        expect(matched.length).toBeGreaterThan(50);
        expect(res.facets).toEqual(referenceFacets(matched, filters));
        expect(res.total).toBe(matched.filter((d) => passes(d, filters, null)).length);
      }
    }
    // An admin sees the restricted pages, and they are counted then.
    const all = [...current.values()].filter((d): d is SearchDoc => d !== null);
    expect(engine.search({ q: 'common', viewer: { admin: true, teams: [] } }).facets).toEqual(referenceFacets(all.filter(cases[0]!.matches), {}));
  });

  it('returns each page of results as the full sort of every match orders them', () => {
    const key = (h: PageHit) => `${h.slug}@${h.score}`;
    for (const { q } of cases) {
      for (const filters of filterSets) {
        const everything = engine.search({ q, viewer, filters, limit: 100_000 });
        const full = everything.hits as PageHit[];
        expect(full).toHaveLength(everything.total);
        // The full list is in search order, best score first (shown scores are rounded, so dates are not compared here).
        for (let i = 1; i < full.length; i++) expect(full[i - 1]!.score).toBeGreaterThanOrEqual(full[i]!.score);
        for (const [offset, limit] of [[0, 20], [20, 20], [40, 20], [7, 13], [0, 1], [full.length - 3, 20]] as const) {
          const page = engine.search({ q, viewer, filters, offset, limit });
          expect(page.total).toBe(everything.total);
          expect((page.hits as PageHit[]).map(key)).toEqual(full.slice(offset, offset + limit).map(key));
        }
      }
    }
  });

  it('picks the first k as a stable full sort would, ties kept in their original order', () => {
    const r = rng(3);
    for (let round = 0; round < 50; round++) {
      const items = Array.from({ length: Math.floor(r() * 300) }, (_, i) => ({ i, score: Math.floor(r() * 5), date: Math.floor(r() * 3) }));
      const cmp = (a: (typeof items)[number], b: (typeof items)[number]) => b.score - a.score || b.date - a.date;
      const sorted = [...items].sort(cmp);
      for (const k of [0, 1, 2, 20, 57, items.length - 1, items.length, items.length + 5]) expect(topK(items, k, cmp)).toEqual(sorted.slice(0, Math.max(0, k)));
    }
  });
});
