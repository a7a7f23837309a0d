import { byTitle, type Knowledge, type OwnerFact, type PageFact } from './knowledge.js';

/** Owner names sort as `localeCompare` sorts them, through one collator instead of one per comparison. */
const byName = new Intl.Collator().compare;

export interface OwnerRef {
  handle: string;
  name: string;
  kind: 'person' | 'team';
  state: OwnerFact['state'];
  successor?: string;
}

export const ownerRef = (o: OwnerFact): OwnerRef => ({ handle: o.handle, name: o.name, kind: o.kind, state: o.state, ...(o.successor ? { successor: o.successor } : {}) });

interface OwnerGroup {
  owner: OwnerRef;
  /** The owner's overdue pages, oldest due first. */
  pages: PageFact[];
  /** Position of the group's first page in the whole ordered list, and of the owner on that page: the tie-break after count and name. */
  first: number;
  slot: number;
}

/** The overdue pages of one whole snapshot, ordered once, and the same pages under each owner. */
interface StaleIndex {
  pages: PageFact[];
  /** Each page's due instant, by position in `pages`. */
  at: number[];
  bySlug(): Map<string, PageFact>;
  groups: OwnerGroup[];
}

// One index per whole snapshot (the knowledge plugin keeps one per store change and minute), so a screen of the
// report costs a walk over a few dozen owners instead of ordering every overdue page of the wiki again.
const indexes = new WeakMap<Knowledge, StaleIndex>();

/** Snapshots that follow another in title order (the knowledge plugin's): their index is the last one's, amended. */
const predecessors = new WeakMap<Knowledge, Knowledge>();

/**
 * Says that `next` follows `prev` and that both list pages by title (SQLite's order) then id, so the overdue
 * list of `next` can be worked out from that of `prev`: only pages that are new or changed are placed.
 */
export function staleIndexFollows(next: Knowledge, prev: Knowledge): void {
  if (next !== prev) predecessors.set(next, prev);
}

function indexOf(pages: PageFact[], at: number[]): StaleIndex {
  const byHandle = new Map<string, OwnerGroup>();
  for (let i = 0; i < pages.length; i++) {
    const p = pages[i]!;
    for (let slot = 0; slot < p.owners.length; slot++) {
      const o = p.owners[slot]!;
      let g = byHandle.get(o.handle);
      if (!g) byHandle.set(o.handle, (g = { owner: ownerRef(o), pages: [], first: i, slot }));
      g.pages.push(p);
    }
  }
  let slugs: Map<string, PageFact> | undefined;
  // Only a viewer with hidden pages needs it: built on first use.
  const bySlug = () => (slugs ??= new Map(pages.map((p) => [p.slug, p])));
  return { pages, at, bySlug, groups: [...byHandle.values()] };
}

function staleIndex(k: Knowledge): StaleIndex {
  let index = indexes.get(k);
  if (index) return index;
  const prev = predecessors.get(k);
  const before = prev ? indexes.get(prev) : undefined;
  index = prev && before ? amended(before, prev, k) : whole(k);
  predecessors.delete(k);
  indexes.set(k, index);
  return index;
}

function whole(k: Knowledge): StaleIndex {
  // Every dueAt is Date#toISOString output, so its instant orders it as localeCompare did and equal strings are
  // equal instants; numbers sort several times faster than strings. Array#sort is stable: pages due at the same
  // instant keep the snapshot's order, as before.
  const entries = k.pages
    .filter((p) => p.review.overdue)
    .map((p) => ({ p, at: Date.parse(p.review.dueAt!) }))
    .sort((a, b) => a.at - b.at);
  return indexOf(entries.map((e) => e.p), entries.map((e) => e.at));
}

/**
 * The last index with the pages no longer in the snapshot taken out and the new ones merged in, by due
 * instant and then title order: the order a whole sort of a snapshot in title order gives.
 */
function amended(before: StaleIndex, prev: Knowledge, k: Knowledge): StaleIndex {
  // Both snapshots are in title order, and an unchanged page is the same fact in both: one walk finds the
  // pages that left or changed (removed) and those that came or changed (added), without sets of every page.
  const removed = new Set<PageFact>();
  const replaced = new Map<PageFact, PageFact>();
  const added: PageFact[] = [];
  const a = prev.pages;
  const b = k.pages;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (x !== undefined && x === y) { i++; j++; continue; }
    const order = x === undefined ? 1 : y === undefined ? -1 : byTitle(x, y);
    // The same page still overdue since the same instant (its days overdue moved on): it keeps its place.
    if (order === 0 && x!.review.overdue && y!.review.overdue && x!.review.dueAt === y!.review.dueAt) { replaced.set(x!, y!); i++; j++; continue; }
    if (order <= 0) { if (x!.review.overdue) removed.add(x!); i++; }
    if (order >= 0) { if (y!.review.overdue) added.push(y!); j++; }
  }
  if (removed.size === 0 && added.length === 0 && replaced.size === 0) return before;
  const pages: PageFact[] = [];
  const at: number[] = [];
  before.pages.forEach((p, n) => {
    if (removed.size && removed.has(p)) return;
    pages.push(replaced.size ? replaced.get(p) ?? p : p);
    at.push(before.at[n]!);
  });
  if (added.length === 0) return indexOf(pages, at);
  const fresh = added.map((p) => ({ p, at: Date.parse(p.review.dueAt!) })).sort((m, n) => m.at - n.at || byTitle(m.p, n.p));
  const outPages: PageFact[] = [];
  const outAt: number[] = [];
  i = 0;
  j = 0;
  while (i < pages.length || j < fresh.length) {
    const f = fresh[j];
    if (f === undefined || (i < pages.length && (at[i]! < f.at || (at[i] === f.at && byTitle(pages[i]!, f.p) < 0)))) {
      outPages.push(pages[i]!);
      outAt.push(at[i++]!);
    } else {
      outPages.push(f.p);
      outAt.push(f.at);
      j++;
    }
  }
  return indexOf(outPages, outAt);
}

/** One owner's overdue pages as this viewer sees them. */
export interface StaleOwner {
  owner: OwnerRef;
  /** How many of the owner's overdue pages this viewer may see. */
  count: number;
  /** The visible pages from `from` (0-based, among the visible) up to `to`. */
  slice(from: number, to: number): PageFact[];
}

export interface StaleView {
  /** Overdue pages the viewer may see. */
  count: number;
  /** The visible overdue pages, oldest due first (walks the list; for the whole report only). */
  pages(): PageFact[];
  /** Owners by visible count, then name, then who came first in the list, as the report has always shown them. */
  owners: StaleOwner[];
}

/**
 * The stale report for a viewer, from the whole snapshot (`whole` must be `app.knowledge()` without hidden
 * pages) and the slugs they may not see: counts are worked out from the hidden pages alone, and rows only for
 * what is asked for.
 */
export function staleView(whole: Knowledge, hidden: Set<string>): StaleView {
  const index = staleIndex(whole);
  let hiddenCount = 0;
  const hiddenOf = new Map<string, number>();
  for (const slug of hidden) {
    const p = index.bySlug().get(slug);
    if (!p) continue;
    hiddenCount++;
    for (const o of p.owners) hiddenOf.set(o.handle, (hiddenOf.get(o.handle) ?? 0) + 1);
  }
  const visible = (p: PageFact) => !hidden.has(p.slug);
  const owners = index.groups
    .map((g) => {
      const cut = hiddenOf.get(g.owner.handle) ?? 0;
      if (cut === 0) return { g, count: g.pages.length, first: g.first, slot: g.slot, cut };
      // Hidden pages may have come first: the owner then ranks by their first page this viewer sees.
      const seen = g.pages.find(visible) ?? g.pages[0]!;
      return { g, count: g.pages.length - cut, first: index.pages.indexOf(seen), slot: seen.owners.findIndex((o) => o.handle === g.owner.handle), cut };
    })
    .filter((e) => e.count > 0)
    .sort((a, b) => b.count - a.count || byName(a.g.owner.name, b.g.owner.name) || a.first - b.first || a.slot - b.slot)
    .map(({ g, count, cut }): StaleOwner => ({
      owner: g.owner,
      count,
      slice: (from, to) => {
        if (cut === 0) return g.pages.slice(from, to);
        const out: PageFact[] = [];
        let seen = 0;
        for (const p of g.pages) {
          if (seen >= to) break;
          if (!visible(p)) continue;
          if (seen >= from) out.push(p);
          seen++;
        }
        return out;
      },
    }));
  return {
    count: index.pages.length - hiddenCount,
    pages: () => (hiddenCount === 0 ? index.pages : index.pages.filter(visible)),
    owners,
  };
}
