import type { CommandContext } from '../core/context.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import type { FrontMatter } from '../pages/schema.js';
import { phiMessages } from '../phi/guard.js';
import type { Store } from '../store/index.js';
import type { HandoverState } from '../store/knowledge-transfer.js';
import { captureChecklist, type Gap } from './checklist.js';

export const HANDOVER_STATES: readonly HandoverState[] = ['not_started', 'walked_through', 'accepted'];
export const NOTE_MAX = 2000;

export const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
export const handleOf = (v: unknown) => text(v).toLowerCase().replace(/^@/, '');

export function person(store: Store, handle: string) {
  const p = store.parties.get(handle);
  if (!p || p.kind !== 'person') throw new NotFoundError(`There is no person "${handle}".`);
  return p;
}

/** Free text refused when the PHI guard finds a likely patient identifier in it (422, as a page save). */
export function guard(ctx: CommandContext, fields: Record<string, unknown>): void {
  const hits = ctx.phi?.scan(fields) ?? [];
  if (hits.length > 0) throw new ValidationError(phiMessages(hits), 'refused');
}

/**
 * The pages a person answers for alone in the directory's eyes: owned directly, or owned by a team of
 * which they are the last active member. `via` is the owner whose name moves when the page is accepted.
 */
export function pagesAnsweredBy(store: Store, handle: string): { slug: string; title: string; via: string }[] {
  const out = new Map<string, { slug: string; title: string; via: string }>();
  for (const p of store.pages.ownedBy(handle)) out.set(p.slug, { slug: p.slug, title: p.title, via: handle });
  for (const team of store.parties.teamsOf(handle)) {
    const active = store.parties.members(team.handle).filter((m) => m.status === 'active');
    if (active.length !== 1 || active[0]!.handle !== handle) continue;
    for (const p of store.pages.ownedBy(team.handle)) if (!out.has(p.slug)) out.set(p.slug, { slug: p.slug, title: p.title, via: team.handle });
  }
  return [...out.values()];
}

export interface HandoverPageView {
  slug: string;
  title: string;
  via: string;
  successor: string | null;
  successor_name: string | null;
  state: HandoverState;
  note: string | null;
  updated_at: string | null;
  updated_by: string | null;
  checklist: Gap[];
}

export interface HandoverView {
  person: string;
  name: string;
  date: string | null;
  successor: string | null;
  opened_at: string | null;
  /** True once the leaving date passed: the plan is a record. */
  closed: boolean;
  pages: HandoverPageView[];
  done: number;
  total: number;
}

/** A person's newest plan with each page's state and capture checklist; `date` is null when there is none. */
export function handoverOf(store: Store, handle: string, now: Date, hidden: Set<string> = new Set()): HandoverView {
  const p = person(store, handle);
  const plan = store.transfer.latestHandover(handle);
  if (!plan) return { person: handle, name: p.name, date: null, successor: null, opened_at: null, closed: false, pages: [], done: 0, total: 0 };
  const pages = store.transfer.handoverPages(plan.id).filter((r) => !hidden.has(r.slug)).map((r): HandoverPageView => {
    const head = store.pages.head(r.slug);
    const version = head ? store.pages.version(head.id, head.current_version) : undefined;
    const checklist = head && version ? captureChecklist({ fm: JSON.parse(version.front_matter) as FrontMatter, body: version.body, lastReviewedAt: head.last_reviewed_at }, now) : [];
    return { slug: r.slug, title: head?.title ?? r.title, via: r.via, successor: r.successor, successor_name: r.successor ? store.parties.get(r.successor)?.name ?? r.successor : null, state: r.state, note: r.note, updated_at: r.updated_at, updated_by: r.updated_by, checklist };
  });
  return { person: handle, name: p.name, date: plan.leaving_on, successor: plan.successor, opened_at: plan.opened_at, closed: plan.closed_at !== null, pages, done: pages.filter((x) => x.state === 'accepted').length, total: pages.length };
}

/** Open plans with their progress, for the team page and the health dashboard. */
export function openHandovers(store: Store, hidden: Set<string> = new Set()) {
  return store.transfer.openHandovers().map((plan) => {
    const pages = store.transfer.handoverPages(plan.id).filter((r) => !hidden.has(r.slug));
    return { person: plan.person, name: store.parties.get(plan.person)?.name ?? plan.person, date: plan.leaving_on, done: pages.filter((r) => r.state === 'accepted').length, walked: pages.filter((r) => r.state === 'walked_through').length, total: pages.length };
  });
}
