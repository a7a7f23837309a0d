import type { Store } from '../store/index.js';
import type { Knowledge, PageFact } from './knowledge.js';
import { ownerRef, staleView } from './stale-index.js';

const DAY = 86_400_000;
export const HEALTH_WEEKS = 12;

const pageRef = (p: PageFact) => ({ slug: p.slug, title: p.title, system: p.system, module: p.module, status: p.status });

/** Pages with nobody left who knows them: no active owner directly, nor through a team with an active member. */
export function orphansReport(k: Knowledge) {
  const pages = k.pages.filter((p) => p.orphaned);
  return {
    count: pages.length,
    pages: pages.map((p) => ({
      ...pageRef(p),
      owners: p.owners.map(ownerRef),
      /** Departed owners with a named successor: the reassignment screen can propose them. */
      successors: p.owners.filter((o) => o.successor).map((o) => ({ from: o.handle, to: o.successor!, to_name: k.parties.get(o.successor!)?.name ?? o.successor! })),
    })),
  };
}

/** One row of the stale report: a page past its review date and why it is due. */
export const staleRow = (p: PageFact) => ({
  ...pageRef(p),
  owners: p.owners.map(ownerRef),
  review_every: p.review.interval,
  review_every_from: p.review.intervalSource,
  last_reviewed_at: p.review.lastReviewedAt,
  last_reviewed_by: p.review.lastReviewedBy,
  due_at: p.review.dueAt,
  days_overdue: p.review.daysOverdue,
});

/**
 * Pages past their review date, oldest first, and the same pages grouped under each owner. `whole` is the
 * snapshot without hidden pages (`app.knowledge()`), whose ordered list is kept; `hidden` is left out here.
 */
export function staleReport(whole: Knowledge, hidden: Set<string> = new Set()) {
  const view = staleView(whole, hidden);
  return {
    as_of: whole.now.toISOString(),
    count: view.count,
    pages: view.pages().map(staleRow),
    by_owner: view.owners.map((o) => ({ ...o.owner, pages: o.slice(0, o.count).map((p) => p.slug) })),
  };
}

export interface HealthRow {
  system: string;
  /** null on a system's own row (all its modules together). */
  module: string | null;
  pages: number;
  /** Pages that are due for review at all (proposed, approved, in-build, live, with an interval). */
  under_review: number;
  current_review: number;
  /** current_review / under_review, 0 to 1; null when nothing is under review. */
  current_review_share: number | null;
  single_owner: number;
  orphaned: number;
  without_ticket: number;
  /** Versions written per week, oldest week first; the last week ends now. */
  edits_per_week: number[];
}

/**
 * Where the knowledge is thin, per system and per module: review currency, single points of knowledge,
 * orphans, missing tickets, and how much the pages are being kept up.
 */
export function healthReport(store: Store, k: Knowledge, systems: string[], hidden: Set<string> = new Set()) {
  const now = k.now.getTime();
  const start = now - HEALTH_WEEKS * 7 * DAY;
  const weekStarts = Array.from({ length: HEALTH_WEEKS }, (_, i) => new Date(start + i * 7 * DAY).toISOString().slice(0, 10));
  const rows: HealthRow[] = [];
  // Rows are found through a map per system, so the loop over every page builds no keys or arrays.
  const bySystem = new Map<string, { own: HealthRow; modules: Map<string, HealthRow> }>();
  const fresh = (system: string, module: string | null): HealthRow => {
    const r: HealthRow = { system, module, pages: 0, under_review: 0, current_review: 0, current_review_share: null, single_owner: 0, orphaned: 0, without_ticket: 0, edits_per_week: new Array<number>(HEALTH_WEEKS).fill(0) };
    rows.push(r);
    return r;
  };
  const systemOf = (system: string) => {
    let s = bySystem.get(system);
    if (!s) bySystem.set(system, (s = { own: fresh(system, null), modules: new Map() }));
    return s;
  };
  const moduleOf = (system: string, module: string) => {
    const s = systemOf(system);
    let r = s.modules.get(module);
    if (!r) s.modules.set(module, (r = fresh(system, module)));
    return r;
  };
  const total = fresh('All systems', null);
  for (const s of systems) systemOf(s);
  const count = (r: HealthRow, p: PageFact) => {
    r.pages++;
    if (p.review.interval) {
      r.under_review++;
      if (!p.review.overdue) r.current_review++;
    }
    if (p.singleOwner) r.single_owner++;
    if (p.orphaned) r.orphaned++;
    if (!p.hasTicket) r.without_ticket++;
  };
  for (const p of k.pages) {
    count(total, p);
    count(systemOf(p.system).own, p);
    count(moduleOf(p.system, p.module ?? 'General'), p);
  }
  for (const e of store.pages.weeklyEdits(new Date(start), k.now, hidden)) {
    for (const r of [total, systemOf(e.system).own, moduleOf(e.system, e.module ?? 'General')]) r.edits_per_week[e.week]! += e.n;
  }
  for (const r of rows) r.current_review_share = r.under_review === 0 ? null : r.current_review / r.under_review;
  const ordered = rows.sort((a, b) => {
    if (a === total) return -1;
    if (b === total) return 1;
    const sa = systems.indexOf(a.system);
    const sb = systems.indexOf(b.system);
    if (sa !== sb) return (sa < 0 ? 1e9 : sa) - (sb < 0 ? 1e9 : sb) || a.system.localeCompare(b.system);
    if (a.module === null) return -1;
    if (b.module === null) return 1;
    return a.module.localeCompare(b.module);
  });
  return { as_of: k.now.toISOString(), weeks: weekStarts, rows: ordered };
}

/** [[links]] whose target page does not exist, each with the pages that link to it. */
export function brokenLinksReport(store: Store, hidden: Set<string> = new Set()) {
  const byTarget = new Map<string, { slug: string; title: string }[]>();
  for (const l of store.pages.missingLinks()) {
    if (hidden.has(l.slug)) continue;
    const list = byTarget.get(l.target_slug) ?? [];
    list.push({ slug: l.slug, title: l.title });
    byTarget.set(l.target_slug, list);
  }
  return { count: byTarget.size, links: [...byTarget.entries()].map(([target, from]) => ({ target, from })) };
}
