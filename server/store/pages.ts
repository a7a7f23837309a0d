import type { DB } from './db.js';

export interface PageHeadRow {
  id: number;
  slug: string;
  current_version: number;
  title: string;
  system: string;
  module: string | null;
  status: string;
  archived: number;
  created_at: string;
  updated_at: string;
  updated_by: string;
  last_reviewed_at: string | null;
  last_reviewed_by: string | null;
  /** JSON array of team handles when the current version restricts the page; null when open. */
  restricted_to?: string | null;
}

export interface ReviewRow {
  id: number;
  page_id: number;
  version: number;
  reviewer: string;
  reviewed_at: string;
  note: string | null;
}

/** Versions written in one week of a range, per system and module; `week` counts from 0 at the range's start. */
export interface WeeklyEdits {
  system: string;
  module: string | null;
  week: number;
  n: number;
}

export interface VersionRow {
  page_id: number;
  version: number;
  slug: string;
  front_matter: string;
  body: string;
  summary: string;
  author: string;
  created_at: string;
  prev_hash: string | null;
  hash: string;
  /** 1 when the page was archived from this version on. */
  archived: number;
  /** JSON array of the sha256 digests of the files the version references; null when none. */
  files: string | null;
  /** 2 when the hash seals the digests of the content fields; 1 (written before digests) when it seals the fields. */
  record_form?: number;
  /** JSON of the field digests (core/hash.ts FieldDigests); kept so a purged field can still be checked. */
  digests?: string | null;
  /** Form 1 only: the audit event that sealed this version's digests. */
  sealed_by?: number | null;
}

export type NewHead = Omit<PageHeadRow, 'id' | 'archived' | 'last_reviewed_at' | 'last_reviewed_by'>;

export type VersionMetaRow = Omit<VersionRow, 'body'>;

export interface ChangeRow extends VersionMetaRow {
  title: string;
  system: string;
}

export interface CurrentPageRow extends PageHeadRow {
  front_matter: string;
}

/** Page heads, their immutable versions, and the owner and link rows derived from the current version. */
export class PageStore {
  private readonly headBySlugStmt;
  private readonly insertHeadStmt;
  private readonly restrictionsStmt;
  private readonly allHeadsStmt;
  private readonly chainStmt;
  private readonly setRestrictionStmt;
  private readonly updateHeadStmt;
  private readonly insertVersionStmt;
  private readonly insertSearchTextStmt;
  private readonly changedSinceStmt;
  private readonly versionStmt;
  private readonly versionsStmt;
  private readonly listStmt;
  private readonly countStmt;
  private readonly openCountStmt;
  private readonly recentStmt;
  private readonly ownedByStmt;
  private readonly clearOwnersStmt;
  private readonly addOwnerStmt;
  private readonly clearLinksStmt;
  private readonly addLinkStmt;
  private readonly slugsStmt;
  private readonly backlinksStmt;
  private readonly versionAsOfStmt;
  private readonly listAsOfStmt;
  private readonly allVersionsStmt;
  private readonly insertReviewStmt;
  private readonly setReviewedStmt;
  private readonly reviewsStmt;
  private readonly currentAllStmt;
  private readonly ownersAllStmt;
  private readonly weeklyEditsStmt;
  private readonly missingLinksStmt;
  private readonly ownerPagesStmt;
  private readonly ownersOfStmt;
  private readonly hasReviewStmt;
  private readonly recentByStmt;
  private readonly listAfterStmt;
  private readonly listPageStmt;
  private readonly ownedPageStmt;
  private readonly ownedCountStmt;
  private readonly ownedCountsStmt;
  private readonly ownedCountsAmongStmt;
  private readonly visibleCountStmt;
  private readonly moduleCountsStmt;
  private readonly inSystemStmt;
  private readonly recentVisibleStmt;

  constructor(db: DB) {
    this.allHeadsStmt = db.prepare<[], PageHeadRow>('SELECT * FROM pages ORDER BY id');
    this.chainStmt = db.prepare<[number], VersionRow>('SELECT * FROM page_versions WHERE page_id = ? ORDER BY version');
    this.restrictionsStmt = db.prepare<[], { slug: string; restricted_to: string }>('SELECT slug, restricted_to FROM pages WHERE restricted_to IS NOT NULL');
    this.setRestrictionStmt = db.prepare<[string | null, number]>('UPDATE pages SET restricted_to = ? WHERE id = ?');
    this.headBySlugStmt = db.prepare<[string], PageHeadRow>('SELECT * FROM pages WHERE slug = ?');
    this.insertHeadStmt = db.prepare<[NewHead]>(
      `INSERT INTO pages (slug, current_version, title, system, module, status, created_at, updated_at, updated_by)
       VALUES (@slug, @current_version, @title, @system, @module, @status, @created_at, @updated_at, @updated_by)`,
    );
    this.updateHeadStmt = db.prepare<[Pick<PageHeadRow, 'id' | 'current_version' | 'title' | 'system' | 'module' | 'status' | 'archived' | 'updated_at' | 'updated_by'>]>(
      `UPDATE pages SET current_version = @current_version, title = @title, system = @system, module = @module,
         status = @status, archived = @archived, updated_at = @updated_at, updated_by = @updated_by
       WHERE id = @id`,
    );
    this.insertSearchTextStmt = db.prepare<[{ page_id: number; version: number; why: string; body: string }]>(
      'INSERT OR REPLACE INTO search_text (page_id, version, why, body) VALUES (@page_id, @version, @why, @body)',
    );
    this.changedSinceStmt = db.prepare<[number], string>('SELECT DISTINCT slug FROM page_versions WHERE rowid > ?').pluck();
    this.insertVersionStmt = db.prepare<[VersionRow]>(
      `INSERT INTO page_versions (page_id, version, slug, front_matter, body, summary, author, created_at, prev_hash, hash, archived, files, record_form, digests, sealed_by)
       VALUES (@page_id, @version, @slug, @front_matter, @body, @summary, @author, @created_at, @prev_hash, @hash, @archived, @files, @record_form, @digests, @sealed_by)`,
    );
    this.versionStmt = db.prepare<[number, number], VersionRow>('SELECT * FROM page_versions WHERE page_id = ? AND version = ?');
    this.versionsStmt = db.prepare<[number], VersionMetaRow>(
      `SELECT page_id, version, slug, front_matter, summary, author, created_at, prev_hash, hash, archived, files
       FROM page_versions WHERE page_id = ? ORDER BY version DESC`,
    );
    this.listStmt = db.prepare<[number, number], CurrentPageRow>(
      `SELECT p.*, v.front_matter FROM pages p JOIN page_versions v ON v.page_id = p.id AND v.version = p.current_version
       WHERE p.archived = 0 ORDER BY p.slug LIMIT ? OFFSET ?`,
    );
    this.countStmt = db.prepare<[], number>('SELECT count(*) FROM pages WHERE archived = 0').pluck();
    this.openCountStmt = db.prepare<[], number>('SELECT count(*) FROM pages WHERE archived = 0 AND restricted_to IS NULL').pluck();
    this.recentStmt = db.prepare<[number], ChangeRow>(
      `SELECT v.page_id, v.version, v.slug, v.front_matter, v.summary, v.author, v.created_at, v.prev_hash, v.hash, v.archived, p.title, p.system
       FROM page_versions v JOIN pages p ON p.id = v.page_id WHERE p.archived = 0
       ORDER BY v.created_at DESC, v.rowid DESC LIMIT ?`,
    );
    this.ownedByStmt = db.prepare<[string], PageHeadRow>(
      `SELECT p.* FROM page_owners o JOIN pages p ON p.id = o.page_id WHERE o.owner = ? AND p.archived = 0 ORDER BY p.title`,
    );
    this.clearOwnersStmt = db.prepare<[number]>('DELETE FROM page_owners WHERE page_id = ?');
    this.addOwnerStmt = db.prepare<[number, string]>('INSERT OR IGNORE INTO page_owners (page_id, owner) VALUES (?, ?)');
    this.clearLinksStmt = db.prepare<[number]>('DELETE FROM page_links WHERE page_id = ?');
    this.addLinkStmt = db.prepare<[number, string]>('INSERT OR IGNORE INTO page_links (page_id, target_slug) VALUES (?, ?)');
    this.slugsStmt = db.prepare<[], string>('SELECT slug FROM pages WHERE archived = 0').pluck();
    this.backlinksStmt = db.prepare<[string], PageHeadRow>(
      `SELECT p.* FROM page_links l JOIN pages p ON p.id = l.page_id WHERE l.target_slug = ? AND p.archived = 0 ORDER BY p.title`,
    );
    this.versionAsOfStmt = db.prepare<[number, string], VersionRow>(
      'SELECT * FROM page_versions WHERE page_id = ? AND created_at <= ? ORDER BY version DESC LIMIT 1',
    );
    this.listAsOfStmt = db.prepare<[string], VersionRow>(
      `SELECT v.* FROM pages p JOIN page_versions v ON v.page_id = p.id
       WHERE v.version = (SELECT max(version) FROM page_versions WHERE page_id = p.id AND created_at <= ?)
         AND v.archived = 0
       ORDER BY p.slug`,
    );
    this.allVersionsStmt = db.prepare<[], VersionRow>('SELECT * FROM page_versions ORDER BY page_id, version');
    this.insertReviewStmt = db.prepare<[Omit<ReviewRow, 'id'>]>(
      'INSERT INTO page_reviews (page_id, version, reviewer, reviewed_at, note) VALUES (@page_id, @version, @reviewer, @reviewed_at, @note)',
    );
    this.setReviewedStmt = db.prepare<[string, string, number]>('UPDATE pages SET last_reviewed_at = ?, last_reviewed_by = ? WHERE id = ?');
    this.reviewsStmt = db.prepare<[number, number], ReviewRow>('SELECT * FROM page_reviews WHERE page_id = ? ORDER BY reviewed_at DESC, id DESC LIMIT ?');
    this.currentAllStmt = db.prepare<[], CurrentPageRow>(
      `SELECT p.*, v.front_matter FROM pages p JOIN page_versions v ON v.page_id = p.id AND v.version = p.current_version
       WHERE p.archived = 0 ORDER BY p.title`,
    );
    this.ownersAllStmt = db.prepare<[], { page_id: number; owner: string }>('SELECT page_id, owner FROM page_owners');
    // Counted in SQL: the health report needs a dozen numbers per module, not one row per version. The week
    // is whole milliseconds since the range's start divided by a week's, as Date.parse would reckon it.
    this.weeklyEditsStmt = db.prepare<[number, string, string, string], WeeklyEdits>(
      `SELECT p.system, p.module, (CAST(round(unixepoch(v.created_at, 'subsec') * 1000) AS INTEGER) - CAST(? AS INTEGER)) / 604800000 AS week, count(*) AS n
       FROM page_versions v JOIN pages p ON p.id = v.page_id
       WHERE v.created_at >= ? AND v.created_at < ? AND p.archived = 0 AND p.slug NOT IN (SELECT value FROM json_each(?))
       GROUP BY p.system, p.module, week`,
    );
    this.missingLinksStmt = db.prepare<[], { target_slug: string; slug: string; title: string }>(
      `SELECT l.target_slug, p.slug, p.title FROM page_links l JOIN pages p ON p.id = l.page_id
       WHERE p.archived = 0 AND NOT EXISTS (SELECT 1 FROM pages t WHERE t.slug = l.target_slug)
       ORDER BY l.target_slug, p.title`,
    );
    this.hasReviewStmt = db.prepare<[number, string, string], number>('SELECT count(*) FROM page_reviews WHERE page_id = ? AND reviewer = ? AND reviewed_at = ?').pluck();
    this.ownersOfStmt = db.prepare<[number], string>('SELECT owner FROM page_owners WHERE page_id = ?').pluck();
    this.recentByStmt = db.prepare<[string, number], ChangeRow>(
      `SELECT v.page_id, v.version, v.slug, v.front_matter, v.summary, v.author, v.created_at, v.prev_hash, v.hash, v.archived, p.title, p.system
       FROM page_versions v JOIN pages p ON p.id = v.page_id
       WHERE v.author IN (SELECT value FROM json_each(?)) ORDER BY v.created_at DESC LIMIT ?`,
    );
    // Paged lists leave out the pages a reader may not see in the query itself (`hidden`: a JSON array of
    // slugs), so totals and pages are right and each query stays bounded whoever reads.
    this.listAfterStmt = db.prepare<[string, string, number], CurrentPageRow>(
      `SELECT p.*, v.front_matter FROM pages p JOIN page_versions v ON v.page_id = p.id AND v.version = p.current_version
       WHERE p.archived = 0 AND p.slug > ? AND p.slug NOT IN (SELECT value FROM json_each(?)) ORDER BY p.slug LIMIT ?`,
    );
    // The offset is walked on the slug index alone; only the rows of the page read their front matter.
    this.listPageStmt = db.prepare<[string, number, number], CurrentPageRow>(
      `WITH slice AS (SELECT id FROM pages WHERE archived = 0 AND slug NOT IN (SELECT value FROM json_each(?)) ORDER BY slug LIMIT ? OFFSET ?)
       SELECT p.*, v.front_matter FROM slice JOIN pages p ON p.id = slice.id JOIN page_versions v ON v.page_id = p.id AND v.version = p.current_version
       ORDER BY p.slug`,
    );
    this.ownedPageStmt = db.prepare<[string, string, number, number], PageHeadRow>(
      `SELECT p.* FROM page_owners o JOIN pages p ON p.id = o.page_id
       WHERE o.owner = ? AND p.archived = 0 AND p.slug NOT IN (SELECT value FROM json_each(?)) ORDER BY p.title, p.slug LIMIT ? OFFSET ?`,
    );
    this.ownedCountStmt = db.prepare<[string, string], number>(
      `SELECT count(*) FROM page_owners o JOIN pages p ON p.id = o.page_id
       WHERE o.owner = ? AND p.archived = 0 AND p.slug NOT IN (SELECT value FROM json_each(?))`,
    ).pluck();
    this.ownedCountsStmt = db.prepare<[string], { owner: string; n: number }>(
      `SELECT o.owner, count(*) AS n FROM page_owners o JOIN pages p ON p.id = o.page_id
       WHERE p.archived = 0 AND p.slug NOT IN (SELECT value FROM json_each(?)) GROUP BY o.owner`,
    );
    this.ownedCountsAmongStmt = db.prepare<[string], { owner: string; n: number }>(
      `SELECT o.owner, count(*) AS n FROM pages p JOIN page_owners o ON o.page_id = p.id
       WHERE p.archived = 0 AND p.slug IN (SELECT value FROM json_each(?)) GROUP BY o.owner`,
    );
    this.visibleCountStmt = db.prepare<[string], number>('SELECT count(*) FROM pages WHERE archived = 0 AND slug NOT IN (SELECT value FROM json_each(?))').pluck();
    this.moduleCountsStmt = db.prepare<[string], { system: string; module: string; n: number }>(
      `SELECT system, coalesce(module, 'General') AS module, count(*) AS n FROM pages
       WHERE archived = 0 AND slug NOT IN (SELECT value FROM json_each(?))
       GROUP BY system, coalesce(module, 'General') COLLATE NOCASE ORDER BY system, coalesce(module, 'General') COLLATE NOCASE`,
    );
    this.inSystemStmt = db.prepare<[string, string, number, number], PageHeadRow>(
      `SELECT * FROM pages INDEXED BY pages_home
       WHERE archived = 0 AND system = ? AND slug NOT IN (SELECT value FROM json_each(?))
       ORDER BY coalesce(module, 'General') COLLATE NOCASE, title COLLATE NOCASE, slug LIMIT ? OFFSET ?`,
    );
    this.recentVisibleStmt = db.prepare<[string, number], ChangeRow>(
      `SELECT v.page_id, v.version, v.slug, v.front_matter, v.summary, v.author, v.created_at, v.prev_hash, v.hash, v.archived, p.title, p.system
       FROM page_versions v JOIN pages p ON p.id = v.page_id WHERE p.archived = 0 AND p.slug NOT IN (SELECT value FROM json_each(?))
       ORDER BY v.created_at DESC, v.rowid DESC LIMIT ?`,
    );
    this.ownerPagesStmt = db.prepare<[string], PageHeadRow>(
      `SELECT p.* FROM page_owners o JOIN pages p ON p.id = o.page_id WHERE o.owner = ? ORDER BY p.title`,
    );
  }

  /** Records a review and moves the head's last-reviewed mark; call inside the transaction that audits it. */
  recordReview(row: Omit<ReviewRow, 'id'>): void {
    this.insertReviewStmt.run(row);
    this.setReviewedStmt.run(row.reviewed_at, row.reviewer, row.page_id);
  }

  reviews(pageId: number, limit = 20): ReviewRow[] {
    return this.reviewsStmt.all(pageId, limit);
  }

  /** Every listed page with its current front matter, for reports. */
  allCurrent(): CurrentPageRow[] {
    return this.currentAllStmt.all();
  }

  /** Owner handles of every page, by page id. */
  ownersByPage(): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const r of this.ownersAllStmt.iterate()) {
      const list = out.get(r.page_id);
      if (list) list.push(r.owner);
      else out.set(r.page_id, [r.owner]);
    }
    return out;
  }

  /** Versions written from `start` up to `end`, counted per system, module and week, hidden pages left out. */
  weeklyEdits(start: Date, end: Date, hidden: ReadonlySet<string>): WeeklyEdits[] {
    return this.weeklyEditsStmt.all(start.getTime(), start.toISOString(), end.toISOString(), JSON.stringify([...hidden]));
  }

  /** [[links]] to slugs that no page has, with the page that links. */
  missingLinks(): { target_slug: string; slug: string; title: string }[] {
    return this.missingLinksStmt.all();
  }

  hasReview(pageId: number, reviewer: string, at: string): boolean {
    return (this.hasReviewStmt.get(pageId, reviewer, at) as number) > 0;
  }

  ownersOf(pageId: number): string[] {
    return this.ownersOfStmt.all(pageId) as string[];
  }

  /** The latest versions written by any of these authors (a person's handle and their account's name). */
  recentBy(authors: string[], limit: number): ChangeRow[] {
    return this.recentByStmt.all(JSON.stringify(authors), limit);
  }

  /** Pages a party owns directly, archived ones included (they keep their owners). */
  ownedByIncludingArchived(handle: string): PageHeadRow[] {
    return this.ownerPagesStmt.all(handle);
  }

  /** The version that was current at the instant `at` (ISO time), if the page existed then. */
  versionAsOf(pageId: number, at: string): VersionRow | undefined {
    return this.versionAsOfStmt.get(pageId, at);
  }

  /** Every page as it stood at `at`, leaving out pages archived by then. */
  listAsOf(at: string): VersionRow[] {
    return this.listAsOfStmt.all(at);
  }

  /** Every version of every page, in chain order, for verification. */
  *allVersions(): IterableIterator<VersionRow> {
    yield* this.allVersionsStmt.iterate();
  }

  head(slug: string): PageHeadRow | undefined {
    return this.headBySlugStmt.get(slug);
  }

  insertHead(row: NewHead): number {
    return Number(this.insertHeadStmt.run(row).lastInsertRowid);
  }

  updateHead(row: Pick<PageHeadRow, 'id' | 'current_version' | 'title' | 'system' | 'module' | 'status' | 'archived' | 'updated_at' | 'updated_by'>): void {
    this.updateHeadStmt.run(row);
  }

  insertVersion(row: VersionRow): void {
    this.insertVersionStmt.run({ ...row, record_form: row.record_form ?? 1, digests: row.digests ?? null, sealed_by: row.sealed_by ?? null });
  }

  /** The plain text the search index holds for a version, extracted when it is written. */
  insertSearchText(row: { page_id: number; version: number; why: string; body: string }): void {
    this.insertSearchTextStmt.run(row);
  }

  /** Slugs with versions written after `rowid` (a search watermark): what search has yet to pick up. */
  slugsChangedSince(rowid: number): string[] {
    return this.changedSinceStmt.all(rowid);
  }

  version(pageId: number, version: number): VersionRow | undefined {
    return this.versionStmt.get(pageId, version);
  }

  versions(pageId: number): VersionMetaRow[] {
    return this.versionsStmt.all(pageId);
  }

  list(limit: number, offset: number): CurrentPageRow[] {
    return this.listStmt.all(limit, offset);
  }

  count(): number {
    return this.countStmt.get() as number;
  }

  /** Pages in the lists that are not restricted to any team. */
  openCount(): number {
    return this.openCountStmt.get() as number;
  }

  /** Listed pages in slug order after `after` ('' from the start), leaving out `hidden` slugs. */
  listAfter(after: string, hidden: ReadonlySet<string>, limit: number): CurrentPageRow[] {
    return this.listAfterStmt.all(after, JSON.stringify([...hidden]), limit);
  }

  /** Listed pages in slug order from `offset`, leaving out `hidden` slugs. */
  listPage(hidden: ReadonlySet<string>, limit: number, offset: number): CurrentPageRow[] {
    return this.listPageStmt.all(JSON.stringify([...hidden]), limit, offset);
  }

  /** A slice of the listed pages a party owns directly, by title, leaving out `hidden` slugs. */
  ownedPage(handle: string, hidden: ReadonlySet<string>, limit: number, offset: number): PageHeadRow[] {
    return this.ownedPageStmt.all(handle, JSON.stringify([...hidden]), limit, offset);
  }

  /** How many listed pages a party owns directly, leaving out `hidden` slugs. */
  /** How many visible pages each person and team owns directly, in one query; an owner of none is absent. */
  ownedCounts(hidden: ReadonlySet<string>): Map<string, number> {
    return new Map(this.ownedCountsStmt.all(JSON.stringify([...hidden])).map((r) => [r.owner, r.n]));
  }

  /** ownedCounts over the listed pages among `slugs` alone: a seek per slug, for taking hidden pages out of whole counts. */
  ownedCountsAmong(slugs: ReadonlySet<string>): Map<string, number> {
    return new Map(this.ownedCountsAmongStmt.all(JSON.stringify([...slugs])).map((r) => [r.owner, r.n]));
  }

  ownedCount(handle: string, hidden: ReadonlySet<string>): number {
    return this.ownedCountStmt.get(handle, JSON.stringify([...hidden])) as number;
  }

  /** Listed pages, leaving out `hidden` slugs. */
  visibleCount(hidden: ReadonlySet<string>): number {
    return this.visibleCountStmt.get(JSON.stringify([...hidden])) as number;
  }

  /** How many listed pages each system and module has ("General" for none), leaving out `hidden` slugs. */
  moduleCounts(hidden: ReadonlySet<string>): { system: string; module: string; n: number }[] {
    return this.moduleCountsStmt.all(JSON.stringify([...hidden]));
  }

  /** A slice of one system's listed pages in home-page order (module, then title), leaving out `hidden` slugs. */
  inSystem(system: string, hidden: ReadonlySet<string>, limit: number, offset: number): PageHeadRow[] {
    return this.inSystemStmt.all(system, JSON.stringify([...hidden]), limit, offset);
  }

  /** The latest versions of listed pages, leaving out `hidden` slugs. */
  recentVisible(hidden: ReadonlySet<string>, limit: number): ChangeRow[] {
    return this.recentVisibleStmt.all(JSON.stringify([...hidden]), limit);
  }

  recentChanges(limit: number): ChangeRow[] {
    return this.recentStmt.all(limit);
  }

  ownedBy(handle: string): PageHeadRow[] {
    return this.ownedByStmt.all(handle);
  }

  replaceOwners(pageId: number, owners: string[]): void {
    this.clearOwnersStmt.run(pageId);
    for (const owner of owners) this.addOwnerStmt.run(pageId, owner);
  }

  replaceLinks(pageId: number, targets: string[]): void {
    this.clearLinksStmt.run(pageId);
    for (const target of targets) this.addLinkStmt.run(pageId, target);
  }

  liveSlugs(): string[] {
    return this.slugsStmt.all() as string[];
  }

  backlinks(slug: string): PageHeadRow[] {
    return this.backlinksStmt.all(slug);
  }

  /** Every page head, archived ones too, in the order pages were created. */
  allHeads(): PageHeadRow[] {
    return this.allHeadsStmt.all();
  }

  /** Every version of one page, bodies included, oldest first. */
  chain(pageId: number): VersionRow[] {
    return this.chainStmt.all(pageId);
  }

  /** Every restricted page and the teams it is limited to. Few rows: an index holds only these. */
  restrictions(): { slug: string; teams: string[] }[] {
    return this.restrictionsStmt.all().map((r) => ({ slug: r.slug, teams: JSON.parse(r.restricted_to) as string[] }));
  }

  setRestriction(pageId: number, teams: string[] | undefined): void {
    this.setRestrictionStmt.run(teams?.length ? JSON.stringify(teams) : null, pageId);
  }
}
