import type { Store } from '../store/index.js';
import type { SessionUser } from './accounts.js';
import type { Viewer } from '../core/context.js';

export type { Viewer } from '../core/context.js';

export function viewerFor(store: Store, user: Pick<SessionUser, 'role' | 'person'> | null): Viewer {
  if (!user) return { admin: false, teams: [] };
  const teams = user.person ? store.parties.teamsOf(user.person).map((t) => t.handle) : [];
  return { admin: user.role === 'admin', teams };
}

export function canSee(restrictedTo: readonly string[] | null | undefined, viewer: Viewer): boolean {
  return !restrictedTo?.length || viewer.admin || restrictedTo.some((t) => viewer.teams.includes(t));
}

/**
 * The slugs of restricted pages this viewer may not see. For them those pages do not exist: every list,
 * report, backlink and search result leaves them out, and every page route answers 404.
 */
export function hiddenSlugs(store: Store, viewer: Viewer): Set<string> {
  if (viewer.admin) return new Set();
  return new Set(store.pages.restrictions().filter((r) => !canSee(r.teams, viewer)).map((r) => r.slug));
}

/** Rows about pages, without those in `hidden` (from hiddenSlugs). */
export function withoutHidden<T extends { slug: string }>(hidden: Set<string>, rows: T[]): T[] {
  return hidden.size ? rows.filter((r) => !hidden.has(r.slug)) : rows;
}

/** What a public route (sign-in, assets) gets: no lists there, so nothing is looked up. */
export const NOBODY: Viewer = Object.freeze({ admin: false, teams: [] as string[] });
export const NOTHING_HIDDEN: ReadonlySet<string> = Object.freeze(new Set<string>());
