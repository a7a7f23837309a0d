import type { DB } from './db.js';
import type { CurrentPageRow } from './pages.js';

/**
 * How far the reports' knowledge snapshot has read: the newest version and review, and how many purges have
 * been applied (a purge rewrites a version in place, so it has no position of its own).
 */
export interface KnowledgeMarks {
  version: number;
  review: number;
  purges: number;
}

/** What the reports' snapshot reads: everything once, then only the pages written since its marks. */
export class KnowledgeFeedStore {
  private readonly marksStmt;
  private readonly currentAllStmt;
  private readonly changedStmt;
  private readonly currentOfStmt;
  private readonly ownersAllStmt;
  private readonly ownersOfStmt;

  constructor(private readonly db: DB) {
    this.marksStmt = db.prepare<[], KnowledgeMarks>(
      `SELECT (SELECT coalesce(max(rowid), 0) FROM page_versions) AS version, (SELECT coalesce(max(id), 0) FROM page_reviews) AS review,
              (SELECT count(*) FROM page_purges WHERE status = 'applied') AS purges`,
    );
    // Ordered by title, then id: the same order whether read whole or merged page by page.
    const current = `SELECT p.*, v.front_matter FROM pages p JOIN page_versions v ON v.page_id = p.id AND v.version = p.current_version WHERE p.archived = 0`;
    this.currentAllStmt = db.prepare<[], CurrentPageRow>(`${current} ORDER BY p.title, p.id`);
    this.currentOfStmt = db.prepare<[string], CurrentPageRow>(`${current} AND p.id IN (SELECT value FROM json_each(?)) ORDER BY p.title, p.id`);
    this.changedStmt = db.prepare<[number, number], number>('SELECT page_id FROM page_versions WHERE rowid > ? UNION SELECT page_id FROM page_reviews WHERE id > ?').pluck();
    this.ownersAllStmt = db.prepare<[], { page_id: number; owner: string }>('SELECT page_id, owner FROM page_owners');
    this.ownersOfStmt = db.prepare<[string], { page_id: number; owner: string }>('SELECT page_id, owner FROM page_owners WHERE page_id IN (SELECT value FROM json_each(?))');
  }

  /** Runs `fn` in one read transaction, so the marks and the rows read belong to the same moment. */
  reading<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  marks(): KnowledgeMarks {
    return this.marksStmt.get()!;
  }

  /** Every listed page with its current front matter, by title then id. */
  allCurrent(): CurrentPageRow[] {
    return this.currentAllStmt.all();
  }

  /** Ids of the pages with a version or review written after `since` (archived ones included). */
  changedSince(since: KnowledgeMarks): number[] {
    return this.changedStmt.all(since.version, since.review);
  }

  /** The listed ones among `ids`, with their current front matter, by title then id. */
  currentOf(ids: readonly number[]): CurrentPageRow[] {
    return this.currentOfStmt.all(JSON.stringify(ids));
  }

  /** Owner handles by page id: of every page, or of `ids` only. */
  owners(ids?: readonly number[]): Map<number, string[]> {
    const out = new Map<number, string[]>();
    for (const r of ids ? this.ownersOfStmt.iterate(JSON.stringify(ids)) : this.ownersAllStmt.iterate()) {
      const list = out.get(r.page_id);
      if (list) list.push(r.owner);
      else out.set(r.page_id, [r.owner]);
    }
    return out;
  }
}
