import type { Store } from '../store/index.js';
import type { SessionUser } from './accounts.js';

/**
 * Who is looking, as far as restricted pages care: admins see everything; everyone else sees an
 * open page, or a restricted page when they belong (through their linked person) to one of its teams.
 */
export interface Viewer {
  admin: boolean;
  teams: string[];
}

/** A viewer who sees every page: the CLI and the server's own work. */
export const EVERYONE: Viewer = { admin: true, teams: [] };

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

/** A key that is equal for viewers who see the same pages, for caches of rendered views. */
export function visibilityKey(store: Store, viewer: Viewer): string {
  const hidden = [...hiddenSlugs(store, viewer)].sort();
  return hidden.length ? hidden.join(',') : '';
}
