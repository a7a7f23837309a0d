import type { Store } from '../store/index.js';
import { withoutHidden } from '../auth/visibility.js';
import type { PageHeadRow } from '../store/pages.js';
import type { PartyRow } from '../store/parties.js';
import { NotFoundError } from '../core/errors.js';
import { toPageVersion, toVersionSummary, type PageVersion, type VersionSummary } from './model.js';
import type { FrontMatter } from './schema.js';

export interface PageListItem {
  slug: string;
  title: string;
  version: number;
  updatedAt: string;
  updatedBy: string;
  frontMatter: FrontMatter;
}

export interface RecentChange {
  slug: string;
  title: string;
  system: string;
  version: number;
  summary: string;
  author: string;
  createdAt: string;
}

/** Archived pages stay readable by address, history included; they only leave the lists. */
function liveHead(store: Store, slug: string): PageHeadRow {
  const head = store.pages.head(slug);
  if (!head) throw new NotFoundError(`There is no page "${slug}".`);
  return head;
}

export function getCurrentPage(store: Store, slug: string): PageVersion {
  const head = liveHead(store, slug);
  return toPageVersion(store.pages.version(head.id, head.current_version)!);
}

export function getPageVersion(store: Store, slug: string, version: number): PageVersion {
  const head = liveHead(store, slug);
  const row = store.pages.version(head.id, version);
  if (!row) throw new NotFoundError(`Page "${slug}" has no version ${version}; its versions are 1 to ${head.current_version}.`);
  return toPageVersion(row);
}

export function listVersions(store: Store, slug: string): VersionSummary[] {
  return store.pages.versions(liveHead(store, slug).id).map(toVersionSummary);
}

export function listPages(store: Store, limit: number, offset: number): { total: number; pages: PageListItem[] } {
  const rows = store.pages.list(limit, offset);
  return {
    total: store.pages.count(),
    pages: rows.map((r) => ({
      slug: r.slug,
      title: r.title,
      version: r.current_version,
      updatedAt: r.updated_at,
      updatedBy: r.updated_by,
      frontMatter: JSON.parse(r.front_matter) as FrontMatter,
    })),
  };
}

export function recentChanges(store: Store, limit: number): RecentChange[] {
  return store.pages.recentChanges(limit).map((r) => ({
    slug: r.slug,
    title: r.title,
    system: r.system,
    version: r.version,
    summary: r.summary,
    author: r.author,
    createdAt: r.created_at,
  }));
}

/** Whether a [[link]] to `slug` leads somewhere; archived pages are still there to read. */
export function pageExists(store: Store, slug: string): boolean {
  return store.pages.head(slug) !== undefined || store.renames.current(slug) !== undefined;
}

/**
 * Titles for label-less [[slug]] links, by slug. Only open pages: pages are cached per viewer class,
 * and a restricted page's title must not reach someone who cannot see it, so its link keeps the slug.
 */
export function linkTitles(store: Store, slugs: readonly string[]): Record<string, string> {
  const titles: Record<string, string> = {};
  for (const slug of slugs) {
    const head = store.pages.head(slug);
    if (head && !head.restricted_to) titles[slug] = head.title;
  }
  return titles;
}

export function backlinks(store: Store, slug: string): PageHeadRow[] {
  return store.pages.backlinks(slug).filter((p) => p.slug !== slug);
}

export interface PartyProfile {
  party: PartyRow;
  /** For a person: the teams they belong to; for a team: its members. */
  related: PartyRow[];
  /** The slice of directly owned pages asked for, by title. */
  owned: PageHeadRow[];
  /** How many pages the party owns directly, in all. */
  ownedTotal: number;
  /** Pages owned through a team (for a person): the first few, and how many in all (the team's page lists them). */
  ownedThroughTeams: { team: PartyRow; pages: PageHeadRow[]; total: number }[];
}

/** How many of a team's pages a person's profile shows before linking to the team's page. */
export const THROUGH_TEAM_SHOWN = 20;

/**
 * A person's or team's profile with one page of what it owns (`limit` from `offset`). Restricted pages
 * the viewer may not see are left out in the queries, so the counts are theirs too.
 */
export function partyProfile(store: Store, handle: string, kind: PartyRow['kind'], hidden: ReadonlySet<string> = new Set(), page: { limit: number; offset: number } = { limit: 100, offset: 0 }): PartyProfile {
  const party = store.parties.get(handle);
  if (!party || party.kind !== kind) throw new NotFoundError(`There is no ${kind} "${handle}".`);
  const owned = store.pages.ownedPage(handle, hidden, page.limit, page.offset);
  const ownedTotal = store.pages.ownedCount(handle, hidden);
  if (kind === 'team') {
    return { party, related: store.parties.members(handle), owned, ownedTotal, ownedThroughTeams: [] };
  }
  const teams = store.parties.teamsOf(handle);
  return {
    party,
    related: teams,
    owned,
    ownedTotal,
    ownedThroughTeams: teams
      .map((team) => ({ team, pages: store.pages.ownedPage(team.handle, hidden, THROUGH_TEAM_SHOWN, 0), total: store.pages.ownedCount(team.handle, hidden) }))
      .filter((t) => t.total > 0),
  };
}

/** The last instant of a calendar day, in UTC: "as it stood at the end of that day". */
export function endOfDay(date: string): string {
  return `${date}T23:59:59.999Z`;
}

/** Every page as it stood at the end of `date` (YYYY-MM-DD, UTC), archived ones left out. */
export function pagesAsOf(store: Store, date: string): PageVersion[] {
  return store.pages.listAsOf(endOfDay(date)).map(toPageVersion);
}

/** One page as it stood at the end of `date`; a page that did not exist yet is a 404 saying so. */
export function pageAsOf(store: Store, slug: string, date: string): PageVersion {
  const head = liveHead(store, slug);
  const row = store.pages.versionAsOf(head.id, endOfDay(date));
  if (!row) throw new NotFoundError(`The page "${slug}" did not exist yet on ${date}; it was created on ${head.created_at.slice(0, 10)}.`);
  return toPageVersion(row);
}
