import { add, type Duration } from 'date-fns';
import { UTCDate } from '@date-fns/utc';
import type { Store } from '../store/index.js';
import type { PageHeadRow } from '../store/pages.js';
import type { ActorRole } from '../core/context.js';
import { roleAllows } from '../core/permissions.js';
import { INTERVAL_PATTERN } from '../core/rules.js';
import type { FrontMatter, PageStatus } from './schema.js';

/** Pages in these states describe something current, so they are due for review; the others are history. */
export const REVIEWED_STATUSES: readonly PageStatus[] = ['proposed', 'approved', 'in-build', 'live'];

/** "Due soon" on a person's review queue: within this many days. */
export const DUE_SOON_DAYS = 30;

const INTERVAL_RE = new RegExp(INTERVAL_PATTERN);
const UNITS: Record<string, keyof Duration> = { d: 'days', w: 'weeks', m: 'months', y: 'years' };
export const INTERVAL_FORMS = 'a number followed by d (days), w (weeks), m (months) or y (years), for example 90d, 6m or 1y';

/** Reads `90d`, `12w`, `6m`, `1y` as a calendar duration; anything else is null. */
export function parseInterval(value: string): Duration | null {
  const m = INTERVAL_RE.exec(value.trim());
  return m ? { [UNITS[m[2]!]!]: Number(m[1]) } : null;
}

/**
 * Adds a review interval to an instant, on the UTC calendar: a month after 31 January is the last day of
 * February, a year after 29 February is 28 February.
 */
export function addInterval(at: string, interval: string): string {
  const duration = parseInterval(interval);
  if (!duration) throw new Error(`not a review interval: ${interval}`);
  return add(new UTCDate(at), duration).toISOString();
}

/** The part of a review state that does not depend on the time: when the page falls due (Infinity: never). */
export interface ReviewDue {
  /** The interval that applies, and where it came from; null when the page is never due. */
  interval: string | null;
  intervalSource: 'page' | 'system' | null;
  /** The last "mark reviewed", or null if nobody has reviewed the page yet. */
  lastReviewedAt: string | null;
  lastReviewedBy: string | null;
  /** When the clock started: the last review, else the page's creation. */
  since: string;
  dueAt: string | null;
  dueMs: number;
}

export interface ReviewState extends Omit<ReviewDue, 'dueMs'> {
  overdue: boolean;
  /** Whole days past due (0 when not overdue). */
  daysOverdue: number;
  dueSoon: boolean;
}

export interface ReviewInput {
  frontMatter: Pick<FrontMatter, 'review_every' | 'status' | 'system'>;
  createdAt: string;
  lastReviewedAt: string | null;
  lastReviewedBy?: string | null;
}

/**
 * When a page falls due for review. The clock starts at the last review (a page never reviewed counts from
 * its creation). Pages that are superseded, retired or rejected are never due.
 */
export function reviewDue(page: ReviewInput, defaults: Record<string, string>): ReviewDue {
  const own = page.frontMatter.review_every;
  const fallback = defaults[page.frontMatter.system];
  const interval = REVIEWED_STATUSES.includes(page.frontMatter.status) ? (own ?? fallback ?? null) : null;
  const since = page.lastReviewedAt ?? page.createdAt;
  const dueAt = interval ? addInterval(since, interval) : null;
  return {
    interval,
    intervalSource: interval ? (own ? 'page' : 'system') : null,
    lastReviewedAt: page.lastReviewedAt,
    lastReviewedBy: page.lastReviewedBy ?? null,
    since,
    dueAt,
    dueMs: dueAt ? Date.parse(dueAt) : Infinity,
  };
}

/** A page's review state at `now`, from when it falls due: overdue from the instant the interval has passed. */
export function reviewAt(due: ReviewDue, now: Date): ReviewState {
  const overdue = now.getTime() >= due.dueMs;
  return {
    interval: due.interval,
    intervalSource: due.intervalSource,
    lastReviewedAt: due.lastReviewedAt,
    lastReviewedBy: due.lastReviewedBy,
    since: due.since,
    dueAt: due.dueAt,
    overdue,
    daysOverdue: overdue ? Math.floor((now.getTime() - due.dueMs) / 86_400_000) : 0,
    dueSoon: !overdue && due.dueMs - now.getTime() <= DUE_SOON_DAYS * 86_400_000,
  };
}

/** Whether a page is due for review at `now` (reviewDue, then reviewAt). */
export function reviewState(page: ReviewInput, defaults: Record<string, string>, now: Date): ReviewState {
  return reviewAt(reviewDue(page, defaults), now);
}

export function headReviewInput(head: PageHeadRow, fm: FrontMatter): ReviewInput {
  return { frontMatter: fm, createdAt: head.created_at, lastReviewedAt: head.last_reviewed_at, lastReviewedBy: head.last_reviewed_by };
}

/** The people behind a list of owners: people directly, and the members of teams. */
export function peopleBehind(store: Store, owners: string[]): Set<string> {
  const out = new Set<string>();
  for (const handle of owners) {
    const party = store.parties.get(handle);
    if (party?.kind === 'person') out.add(handle);
    else if (party?.kind === 'team') for (const m of store.parties.members(handle)) out.add(m.handle);
  }
  return out;
}

/**
 * Owners (through their linked person, directly or through a team), editors and admins may mark a page
 * reviewed. An actor without a role is the operator (CLI, seeder, importer) and may.
 */
export function mayReview(store: Store, who: { role?: ActorRole; person?: string | null }, owners: string[]): boolean {
  if (who.role === undefined || roleAllows(who.role, 'write')) return true;
  return who.person != null && peopleBehind(store, owners).has(who.person);
}

export const MAY_NOT_REVIEW = 'Only the page\'s owners, editors and admins can mark it reviewed.';

export const REVIEW_NOTE_MAX = 1000;
