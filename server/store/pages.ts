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
}

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
  private readonly updateHeadStmt;
  private readonly insertVersionStmt;
  private readonly versionStmt;
  private readonly versionsStmt;
  private readonly listStmt;
  private readonly countStmt;
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

  constructor(db: DB) {
    this.headBySlugStmt = db.prepare<[string], PageHeadRow>('SELECT * FROM pages WHERE slug = ?');
    this.insertHeadStmt = db.prepare<[Omit<PageHeadRow, 'id' | 'archived'>]>(
      `INSERT INTO pages (slug, current_version, title, system, module, status, created_at, updated_at, updated_by)
       VALUES (@slug, @current_version, @title, @system, @module, @status, @created_at, @updated_at, @updated_by)`,
    );
    this.updateHeadStmt = db.prepare<[Pick<PageHeadRow, 'id' | 'current_version' | 'title' | 'system' | 'module' | 'status' | 'archived' | 'updated_at' | 'updated_by'>]>(
      `UPDATE pages SET current_version = @current_version, title = @title, system = @system, module = @module,
         status = @status, archived = @archived, updated_at = @updated_at, updated_by = @updated_by
       WHERE id = @id`,
    );
    this.insertVersionStmt = db.prepare<[VersionRow]>(
      `INSERT INTO page_versions (page_id, version, slug, front_matter, body, summary, author, created_at, prev_hash, hash, archived)
       VALUES (@page_id, @version, @slug, @front_matter, @body, @summary, @author, @created_at, @prev_hash, @hash, @archived)`,
    );
    this.versionStmt = db.prepare<[number, number], VersionRow>('SELECT * FROM page_versions WHERE page_id = ? AND version = ?');
    this.versionsStmt = db.prepare<[number], VersionMetaRow>(
      `SELECT page_id, version, slug, front_matter, summary, author, created_at, prev_hash, hash, archived
       FROM page_versions WHERE page_id = ? ORDER BY version DESC`,
    );
    this.listStmt = db.prepare<[number, number], CurrentPageRow>(
      `SELECT p.*, v.front_matter FROM pages p JOIN page_versions v ON v.page_id = p.id AND v.version = p.current_version
       WHERE p.archived = 0 ORDER BY p.slug LIMIT ? OFFSET ?`,
    );
    this.countStmt = db.prepare<[], number>('SELECT count(*) FROM pages WHERE archived = 0').pluck();
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

  insertHead(row: Omit<PageHeadRow, 'id' | 'archived'>): number {
    return Number(this.insertHeadStmt.run(row).lastInsertRowid);
  }

  updateHead(row: Pick<PageHeadRow, 'id' | 'current_version' | 'title' | 'system' | 'module' | 'status' | 'archived' | 'updated_at' | 'updated_by'>): void {
    this.updateHeadStmt.run(row);
  }

  insertVersion(row: VersionRow): void {
    this.insertVersionStmt.run(row);
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
}
