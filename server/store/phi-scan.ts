import type { DB } from './db.js';

/** One stored version as the retro-scan reads it, named by the page's current slug. */
export interface ScanVersionRow {
  rowid: number;
  slug: string;
  version: number;
  front_matter: string;
  body: string;
  summary: string;
}

/** A stored file's extracted text, with every page (and name) it was added to as JSON. */
export interface ScanFileRow {
  rowid: number;
  sha256: string;
  text: string;
  /** JSON array of {slug, name}. */
  places: string;
}

export interface ScanCommentRow {
  rowid: number;
  id: number;
  slug: string;
  version: number;
  author: string;
  body: string;
}

export interface ScanDraftRow {
  rowid: number;
  username: string;
  slug: string;
  fields: string;
}

/**
 * Reads everything that holds free text, in rowid order and in batches, for the PHI retro-scan: a scan that
 * runs beside requests cannot hold one statement open across its pauses, so it asks for the rows after the
 * last one it saw.
 */
export class PhiScanStore {
  private readonly versionsStmt;
  private readonly filesStmt;
  private readonly draftsStmt;
  private readonly commentsStmt;

  constructor(db: DB) {
    this.versionsStmt = db.prepare<[number, number], ScanVersionRow>(
      `SELECT v.rowid AS rowid, p.slug AS slug, v.version AS version, v.front_matter AS front_matter, v.body AS body, v.summary AS summary
       FROM page_versions v JOIN pages p ON p.id = v.page_id WHERE v.rowid > ? ORDER BY v.rowid LIMIT ?`,
    );
    this.filesStmt = db.prepare<[number, number], ScanFileRow>(
      `SELECT f.rowid AS rowid, f.sha256 AS sha256, f.text AS text,
         (SELECT json_group_array(json_object('slug', pf.slug, 'name', pf.name)) FROM page_files pf WHERE pf.sha256 = f.sha256) AS places
       FROM files f WHERE f.rowid > ? AND f.text IS NOT NULL AND f.text <> '' ORDER BY f.rowid LIMIT ?`,
    );
    this.commentsStmt = db.prepare<[number, number], ScanCommentRow>(
      `SELECT c.rowid AS rowid, c.id AS id, p.slug AS slug, c.version AS version, c.author AS author, c.body AS body
       FROM comments c JOIN pages p ON p.id = c.page_id WHERE c.rowid > ? ORDER BY c.rowid LIMIT ?`,
    );
    this.draftsStmt = db.prepare<[number, number], ScanDraftRow>('SELECT rowid, username, slug, fields FROM drafts WHERE rowid > ? ORDER BY rowid LIMIT ?');
  }

  versionsAfter(rowid: number, limit: number): ScanVersionRow[] {
    return this.versionsStmt.all(rowid, limit);
  }

  filesAfter(rowid: number, limit: number): ScanFileRow[] {
    return this.filesStmt.all(rowid, limit);
  }

  commentsAfter(rowid: number, limit: number): ScanCommentRow[] {
    return this.commentsStmt.all(rowid, limit);
  }

  draftsAfter(rowid: number, limit: number): ScanDraftRow[] {
    return this.draftsStmt.all(rowid, limit);
  }
}
