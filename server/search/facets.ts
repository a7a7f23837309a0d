import type { SearchDoc } from './document.js';
import type { Segment } from './segment.js';

export const FACETS = ['system', 'module', 'status', 'owner', 'tag'] as const;
export type Facet = (typeof FACETS)[number];
export type Filters = Partial<Record<Facet, string>>;
export type FacetCounts = Record<Facet, { value: string; count: number }[]>;

export function emptyFacets(): FacetCounts {
  return { system: [], module: [], status: [], owner: [], tag: [] };
}

function facetValues(d: SearchDoc, facet: Facet): string[] {
  switch (facet) {
    case 'system':
      return [d.system];
    case 'module':
      return d.module ? [d.module] : [];
    case 'status':
      return [d.status];
    case 'owner':
      return d.ownerHandles;
    case 'tag':
      return d.tags;
  }
}

/**
 * One facet of a segment with its values interned: `values[id]` is a value as written, and document
 * `doc` holds the distinct value ids `ids[starts[doc]]` up to `ids[starts[doc + 1]]`. A query that
 * matches tens of thousands of pages then counts by array increments, with no string work per match.
 */
interface FacetColumn {
  values: string[];
  /** Each value lowercased, as filters compare. */
  lower: string[];
  starts: Uint32Array;
  ids: Uint32Array;
}

type FacetIndex = Record<Facet, FacetColumn>;

/** Made once per segment on first use (segments never change once built). */
const facetIndexes = new WeakMap<Segment<SearchDoc>, FacetIndex>();

export function facetIndexOf(seg: Segment<SearchDoc>): FacetIndex {
  let index = facetIndexes.get(seg);
  if (!index) {
    const build = (facet: Facet): FacetColumn => {
      const idOf = new Map<string, number>();
      const values: string[] = [];
      const starts = new Uint32Array(seg.docCount + 1);
      const ids: number[] = [];
      seg.docs.forEach((d, doc) => {
        for (const v of new Set(facetValues(d, facet))) {
          let id = idOf.get(v);
          if (id === undefined) {
            id = values.length;
            idOf.set(v, id);
            values.push(v);
          }
          ids.push(id);
        }
        starts[doc + 1] = ids.length;
      });
      return { values, lower: values.map((v) => v.toLowerCase()), starts, ids: Uint32Array.from(ids) };
    };
    index = { system: build('system'), module: build('module'), status: build('status'), owner: build('owner'), tag: build('tag') };
    facetIndexes.set(seg, index);
  }
  return index;
}

const BIT: Record<Facet, number> = { system: 1, module: 2, status: 4, owner: 8, tag: 16 };

/** Per segment, for each filtered facet, which of its value ids the filter accepts. */
type Accepted = { bit: number; column: FacetColumn; ok: Uint8Array }[];

/**
 * The filters of one search, compiled per segment: `failed` gives, for a document, one bit per
 * filter it does not pass (a value matches a filter case-insensitively), so "passes every filter"
 * is 0 and "passes every filter but facet F's" is 0 once F's bit is masked off.
 */
export class FacetFilter {
  private readonly wanted: { facet: Facet; want: string }[];
  private readonly perSegment = new Map<Segment<SearchDoc>, Accepted>();

  constructor(filters: Filters) {
    this.wanted = FACETS.filter((f) => filters[f]).map((f) => ({ facet: f, want: filters[f]!.toLowerCase() }));
  }

  private accepted(seg: Segment<SearchDoc>): Accepted {
    let acc = this.perSegment.get(seg);
    if (!acc) {
      const index = facetIndexOf(seg);
      acc = this.wanted.map(({ facet, want }) => {
        const column = index[facet];
        return { bit: BIT[facet], column, ok: Uint8Array.from(column.lower, (v) => (v === want ? 1 : 0)) };
      });
      this.perSegment.set(seg, acc);
    }
    return acc;
  }

  failed(seg: Segment<SearchDoc>, doc: number): number {
    if (!this.wanted.length) return 0;
    let mask = 0;
    for (const { bit, column, ok } of this.accepted(seg)) {
      let pass = false;
      for (let i = column.starts[doc]!, end = column.starts[doc + 1]!; i < end; i++) {
        if (ok[column.ids[i]!]) {
          pass = true;
          break;
        }
      }
      if (!pass) mask |= bit;
    }
    return mask;
  }

  passes(seg: Segment<SearchDoc>, doc: number): boolean {
    return this.failed(seg, doc) === 0;
  }

  /**
   * Each facet's values over the matched documents, most frequent first: a document counts for a
   * facet when it passes every filter except that facet's own, so a filtered facet still shows its
   * other values. Matches hold only documents the viewer may see, so hidden pages are never counted.
   */
  count(matches: readonly { seg: Segment<SearchDoc>; docs: ArrayLike<number> }[]): FacetCounts {
    // Per segment, each facet's column and counts by position in FACETS: plain arrays, so the loop per match does no keyed lookups.
    const perSegment = new Map<Segment<SearchDoc>, Uint32Array[]>();
    const bits = FACETS.map((f) => BIT[f]);
    for (const { seg, docs } of matches) {
      if (!docs.length) continue;
      const index = facetIndexOf(seg);
      const columns = FACETS.map((f) => index[f]);
      const counts = perSegment.get(seg) ?? columns.map((c) => new Uint32Array(c.values.length));
      perSegment.set(seg, counts);
      if (!this.wanted.length) {
        // No filters: every match counts for every facet, one column at a time.
        for (let f = 0; f < columns.length; f++) {
          const { starts, ids } = columns[f]!;
          const c = counts[f]!;
          for (let m = 0; m < docs.length; m++) {
            const doc = docs[m]!;
            for (let i = starts[doc]!, end = starts[doc + 1]!; i < end; i++) c[ids[i]!]!++;
          }
        }
        continue;
      }
      for (let m = 0; m < docs.length; m++) {
        const doc = docs[m]!;
        const mask = this.failed(seg, doc);
        // Failing two filters or more: counted nowhere.
        if (mask & (mask - 1)) continue;
        for (let f = 0; f < columns.length; f++) {
          if (mask & ~bits[f]!) continue;
          const { starts, ids } = columns[f]!;
          const c = counts[f]!;
          for (let i = starts[doc]!, end = starts[doc + 1]!; i < end; i++) c[ids[i]!]!++;
        }
      }
    }
    const out = emptyFacets();
    for (const facet of FACETS) {
      const total = new Map<string, number>();
      for (const [seg, counts] of perSegment) {
        const values = facetIndexOf(seg)[facet].values;
        const c = counts[FACETS.indexOf(facet)]!;
        for (let id = 0; id < c.length; id++) if (c[id]) total.set(values[id]!, (total.get(values[id]!) ?? 0) + c[id]!);
      }
      out[facet] = [...total].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
    }
    return out;
  }
}
