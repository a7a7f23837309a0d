import type { DB } from './db.js';

export type CommentKind = 'comment' | 'wrong';

export interface CommentRow {
  id: number;
  page_id: number;
  /** The thread's root; null for a root. */
  thread_id: number | null;
  kind: CommentKind;
  author: string;
  body: string;
  version: number;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
  /** The page's slug now (joined: a renamed page keeps its comments). */
  slug: string;
}

export type NewComment = Omit<CommentRow, 'id' | 'resolved_at' | 'resolved_by' | 'slug'>;

/** An open "wrong" flag with the page it is on, for the owners' queue and the flagged report. */
export interface FlagRow extends CommentRow {
  title: string;
  current_version: number;
}

/** Comments on pages (migration 009). Rows are only added; resolving sets or clears the resolved mark. */
export class CommentStore {
  private readonly insertStmt;
  private readonly byIdStmt;
  private readonly ofPageStmt;
  private readonly setResolvedStmt;
  private readonly openFlagsStmt;
  private readonly authoredStmt;

  constructor(db: DB) {
    this.insertStmt = db.prepare<[NewComment]>(
      `INSERT INTO comments (page_id, thread_id, kind, author, body, version, created_at)
       VALUES (@page_id, @thread_id, @kind, @author, @body, @version, @created_at)`,
    );
    this.byIdStmt = db.prepare<[number], CommentRow>('SELECT c.*, p.slug FROM comments c JOIN pages p ON p.id = c.page_id WHERE c.id = ?');
    this.ofPageStmt = db.prepare<[number], CommentRow>('SELECT c.*, p.slug FROM comments c JOIN pages p ON p.id = c.page_id WHERE c.page_id = ? ORDER BY c.id');
    this.setResolvedStmt = db.prepare<[string | null, string | null, number]>('UPDATE comments SET resolved_at = ?, resolved_by = ? WHERE id = ?');
    this.openFlagsStmt = db.prepare<[], FlagRow>(
      `SELECT c.*, p.slug, p.title, p.current_version FROM comments c JOIN pages p ON p.id = c.page_id
       WHERE c.kind = 'wrong' AND c.resolved_at IS NULL AND p.archived = 0 ORDER BY c.created_at, c.id`,
    );
    this.authoredStmt = db.prepare<[number, string], number>('SELECT id FROM comments WHERE page_id = ? AND author = ? ORDER BY id').pluck();
  }

  insert(row: NewComment): number {
    return Number(this.insertStmt.run(row).lastInsertRowid);
  }

  get(id: number): CommentRow | undefined {
    return this.byIdStmt.get(id);
  }

  /** Every comment on a page, oldest first. */
  ofPage(pageId: number): CommentRow[] {
    return this.ofPageStmt.all(pageId);
  }

  /** Marks a comment resolved (`at` and `by`), or open again (both null). */
  setResolved(id: number, at: string | null, by: string | null): void {
    this.setResolvedStmt.run(at, by, id);
  }

  /** Open "wrong" flags on pages that are not archived, oldest first. */
  openFlags(): FlagRow[] {
    return this.openFlagsStmt.all();
  }

  /** The ids of a page's comments written by one account. */
  authoredBy(pageId: number, author: string): number[] {
    return this.authoredStmt.all(pageId, author) as number[];
  }
}
