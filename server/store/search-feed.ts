import Database from 'better-sqlite3';
import type { DB } from './db.js';

/** One page version as the search index reads it, with where its page stands now. */
export interface VersionFeedRow {
  /** rowid in page_versions: only grows, so it marks how far the index has read. */
  seq: number;
  slug: string;
  version: number;
  front_matter: string;
  body: string;
  summary: string;
  author: string;
  created_at: string;
  head_version: number;
  head_archived: number;
  /** The names (split into words) and text (document text, OCR of images) of the files the version shows. */
  attachments?: string | null;
  /** How many purges removed text from this version: text extracted from it before then is stale. */
  purges?: number;
  /** The why and body as plain text, extracted when the version was written; null for versions written before that was kept. */
  why_text?: string | null;
  body_text?: string | null;
}

/**
 * A read-only connection to the store file, for the search worker and the rebuild process: they
 * read alongside the server's own connection and never write.
 */
export function openReadOnlyDatabase(file: string): DB {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

/** What the search index reads from the store: versions, current pages, owner names and restrictions. Works on a read-only connection. */
export class SearchFeedStore {
  private readonly names;
  private readonly watermarkStmt;
  private readonly sinceStmt;
  private readonly currentStmt;
  private readonly historyStmt;
  private readonly headStmt;
  private readonly countSinceStmt;
  private readonly restrictionsStmt;
  private readonly sameSlugsStmt;

  constructor(readonly db: DB) {
    this.countSinceStmt = db.prepare<[number], number>('SELECT count(*) FROM page_versions WHERE rowid > ?').pluck();
    this.names = db.prepare<[], { handle: string; name: string }>('SELECT handle, name FROM parties');
    // A renamed page's earlier slugs are restricted like it: its older versions are indexed under them.
    this.restrictionsStmt = db.prepare<[], { slug: string; restricted_to: string }>(
      `SELECT slug, restricted_to FROM pages WHERE restricted_to IS NOT NULL
       UNION ALL SELECT r.old_slug, p.restricted_to FROM page_renames r JOIN pages p ON p.id = r.page_id WHERE p.restricted_to IS NOT NULL`,
    );
    this.sameSlugsStmt = db.prepare<[{ slug: string }], string>(
      `WITH page(id) AS (SELECT coalesce((SELECT id FROM pages WHERE slug = @slug), (SELECT page_id FROM page_renames WHERE old_slug = @slug)))
       SELECT slug FROM pages WHERE id = (SELECT id FROM page) UNION SELECT old_slug FROM page_renames WHERE page_id = (SELECT id FROM page)`,
    ).pluck();
    this.watermarkStmt = db.prepare<[], number | null>('SELECT max(rowid) FROM page_versions').pluck();
    const cols = `v.rowid AS seq, v.slug, v.version, v.front_matter, v.summary, v.author, v.created_at, p.current_version AS head_version, p.archived AS head_archived,
      (SELECT why FROM search_text st WHERE st.page_id = v.page_id AND st.version = v.version) AS why_text`;
    const bodyText = `(SELECT body FROM search_text st WHERE st.page_id = v.page_id AND st.version = v.version) AS body_text`;
    // Files a version shows are searchable by their name and by the text read from them.
    const files = `(SELECT group_concat(replace(replace(replace(coalesce(pf.name, ''), '.', ' '), '_', ' '), '-', ' ') || ' ' || coalesce(f.text, ''), char(10))
      FROM json_each(coalesce(v.files, '[]')) j JOIN files f ON f.sha256 = j.value
      LEFT JOIN page_files pf ON pf.slug = v.slug AND pf.sha256 = j.value) AS attachments`;
    this.sinceStmt = db.prepare<[number, number], VersionFeedRow>(`SELECT ${cols}, v.body, ${bodyText}, ${files} FROM page_versions v JOIN pages p ON p.id = v.page_id WHERE v.rowid > ? ORDER BY v.rowid LIMIT ?`);
    // A purged file the version shows counts too: its text must not be reused from an earlier build, on
    // whichever page shows it.
    const purges = `((SELECT count(*) FROM page_purges u WHERE u.page_id = v.page_id AND u.version = v.version AND u.status = 'applied')
      + (SELECT count(*) FROM json_each(coalesce(v.files, '[]')) j JOIN files f ON f.sha256 = j.value WHERE f.purged_by IS NOT NULL)) AS purges`;
    this.currentStmt = db.prepare<[], VersionFeedRow>(`SELECT ${cols}, v.body, ${bodyText}, ${files}, ${purges} FROM pages p JOIN page_versions v ON v.page_id = p.id AND v.version = p.current_version WHERE p.archived = 0 ORDER BY p.id`);
    this.historyStmt = db.prepare<[], Omit<VersionFeedRow, 'body'>>(`SELECT ${cols} FROM page_versions v JOIN pages p ON p.id = v.page_id ORDER BY v.rowid`);
    this.headStmt = db.prepare<[string], VersionFeedRow>(`SELECT ${cols}, v.body, ${bodyText}, ${files} FROM pages p JOIN page_versions v ON v.page_id = p.id AND v.version = p.current_version WHERE p.slug = ?`);
  }

  /** Runs `fn` in one read transaction, so everything it reads belongs to the same moment. */
  reading<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  ownerNames(): { handle: string; name: string }[] {
    return this.names.all();
  }

  /** Every restricted page and the teams its current version limits it to. */
  restrictions(): { slug: string; teams: string[] }[] {
    return this.restrictionsStmt.all().map((r) => ({ slug: r.slug, teams: JSON.parse(r.restricted_to) as string[] }));
  }

  countSince(watermark: number): number {
    return this.countSinceStmt.get(watermark) ?? 0;
  }

  watermark(): number {
    return this.watermarkStmt.get() ?? 0;
  }

  /** Versions written after `watermark`, oldest first, at most `limit`. */
  versionsSince(watermark: number, limit: number): VersionFeedRow[] {
    return this.sinceStmt.all(watermark, limit);
  }

  /** Every slug of the page that has or had `slug`: its current one and those it had before a rename. */
  slugsOfPage(slug: string): string[] {
    return this.sameSlugsStmt.all({ slug }) as string[];
  }

  /** A page's current version, archived or not. */
  head(slug: string): VersionFeedRow | undefined {
    return this.headStmt.get(slug);
  }

  /** The current version of every page that is not archived. */
  currentVersions(): IterableIterator<VersionFeedRow> {
    return this.currentStmt.iterate();
  }

  /** Every version, without bodies, oldest first. */
  allVersions(): IterableIterator<Omit<VersionFeedRow, 'body'>> {
    return this.historyStmt.iterate();
  }
}
