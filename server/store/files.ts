import type { DB } from './db.js';

export interface FileRow {
  sha256: string;
  size: number;
  type: string;
  bytes: Buffer;
  text: string | null;
  width: number | null;
  height: number | null;
  thumbnail: Buffer | null;
  created_at: string;
}

export type FileMetaRow = Omit<FileRow, 'bytes' | 'thumbnail'> & { has_thumbnail: number; purged_by: number | null };

/** Who removed a purged file's bytes, and why: what its URL and the pages showing it say instead. */
export interface FileRemovalRow {
  purge: number;
  requested_by: string;
  approved_by: string;
  approved_at: string;
  reason: string;
}

export interface PageFileRow {
  slug: string;
  sha256: string;
  name: string;
  alt: string | null;
  added_by: string;
  added_at: string;
  size: number;
  type: string;
  width: number | null;
  height: number | null;
}

/** Content-addressed file bytes and the pages they were added to. Rows are only ever inserted. */
export class FileStore {
  private readonly insertFileStmt;
  private readonly insertPageFileStmt;
  private readonly bytesStmt;
  private readonly thumbnailStmt;
  private readonly metaStmt;
  private readonly forPageStmt;
  private readonly onPageStmt;
  private readonly inVersionsStmt;
  private readonly allStmt;
  private readonly textForPageStmt;
  private readonly purgeStmt;
  private readonly removalStmt;
  private readonly slugsStmt;

  constructor(private readonly db: DB) {
    this.insertFileStmt = db.prepare<[FileRow]>(
      `INSERT INTO files (sha256, size, type, bytes, text, width, height, thumbnail, created_at)
       VALUES (@sha256, @size, @type, @bytes, @text, @width, @height, @thumbnail, @created_at) ON CONFLICT(sha256) DO NOTHING`,
    );
    this.insertPageFileStmt = db.prepare<[Omit<PageFileRow, 'size' | 'type' | 'width' | 'height'>]>(
      `INSERT INTO page_files (slug, sha256, name, alt, added_by, added_at) VALUES (@slug, @sha256, @name, @alt, @added_by, @added_at)
       ON CONFLICT(slug, sha256, name) DO NOTHING`,
    );
    this.bytesStmt = db.prepare<[string], { bytes: Buffer; type: string; size: number }>('SELECT bytes, type, size FROM files WHERE sha256 = ?');
    this.thumbnailStmt = db.prepare<[string], Buffer | null>('SELECT thumbnail FROM files WHERE sha256 = ?').pluck();
    this.metaStmt = db.prepare<[string], FileMetaRow>(
      'SELECT sha256, size, type, text, width, height, created_at, thumbnail IS NOT NULL AS has_thumbnail, purged_by FROM files WHERE sha256 = ?',
    );
    this.forPageStmt = db.prepare<[string], PageFileRow>(
      `SELECT pf.slug, pf.sha256, pf.name, pf.alt, pf.added_by, pf.added_at, f.size, f.type, f.width, f.height
       FROM page_files pf JOIN files f ON f.sha256 = pf.sha256 WHERE pf.slug = ? ORDER BY pf.added_at, pf.name`,
    );
    this.onPageStmt = db.prepare<[string, string], number>('SELECT 1 FROM page_files WHERE slug = ? AND sha256 = ? LIMIT 1').pluck();
    this.inVersionsStmt = db.prepare<[string, string], number>(
      `SELECT 1 FROM page_versions v, json_each(v.files) j WHERE v.slug = ? AND v.files IS NOT NULL AND j.value = ? LIMIT 1`,
    ).pluck();
    this.allStmt = db.prepare<[], Omit<FileRow, 'thumbnail'> & { purged_by: number | null }>('SELECT sha256, size, type, bytes, text, width, height, created_at, purged_by FROM files ORDER BY sha256');
    this.textForPageStmt = db.prepare<[string], { name: string; text: string | null }>(
      'SELECT pf.name, f.text FROM page_files pf JOIN files f ON f.sha256 = pf.sha256 WHERE pf.slug = ? ORDER BY pf.added_at',
    );
    // An empty blob rather than NULL: the column is NOT NULL, and the trigger allows only this update.
    this.purgeStmt = db.prepare<[{ sha256: string; purge: number }]>("UPDATE files SET bytes = x'', thumbnail = NULL, text = NULL, purged_by = @purge WHERE sha256 = @sha256");
    this.removalStmt = db.prepare<[string], FileRemovalRow>(
      `SELECT u.id AS purge, u.requested_by, u.approved_by, u.approved_at, u.reason FROM files f JOIN page_purges u ON u.id = f.purged_by WHERE f.sha256 = ? AND u.status = 'applied'`,
    );
    this.slugsStmt = db.prepare<[{ sha256: string }], string>(
      `SELECT slug FROM page_files WHERE sha256 = @sha256
       UNION SELECT p.slug FROM page_versions v JOIN pages p ON p.id = v.page_id, json_each(v.files) j WHERE v.files IS NOT NULL AND j.value = @sha256 ORDER BY 1`,
    ).pluck();
  }

  /** Empties a file's bytes, thumbnail and text for an applied purge; its digest, size and type stay. */
  purge(sha256: string, purge: number): void {
    this.purgeStmt.run({ sha256, purge });
  }

  /** Who removed the file and why, when an applied purge removed its bytes. */
  removal(sha256: string): FileRemovalRow | undefined {
    return this.removalStmt.get(sha256);
  }

  /** Every page the file was added to or that a version of shows: a purge removes it from all of them. */
  pagesWith(sha256: string): string[] {
    return this.slugsStmt.all({ sha256 });
  }

  /** Stores the bytes unless a file with the same digest is there already (the bytes are then the same). */
  put(row: FileRow): void {
    this.insertFileStmt.run(row);
  }

  addToPage(row: Omit<PageFileRow, 'size' | 'type' | 'width' | 'height'>): void {
    this.insertPageFileStmt.run(row);
  }

  bytes(sha256: string): { bytes: Buffer; type: string; size: number } | undefined {
    return this.bytesStmt.get(sha256);
  }

  thumbnail(sha256: string): Buffer | null {
    return this.thumbnailStmt.get(sha256) ?? null;
  }

  meta(sha256: string): FileMetaRow | undefined {
    return this.metaStmt.get(sha256);
  }

  forPage(slug: string): PageFileRow[] {
    return this.forPageStmt.all(slug);
  }

  /** Names and document text of a page's files, for search. */
  textForPage(slug: string): { name: string; text: string | null }[] {
    return this.textForPageStmt.all(slug);
  }

  /** Whether a page may serve this file: it was added to the page, or a version of the page references it. */
  belongsTo(slug: string, sha256: string): boolean {
    return this.onPageStmt.get(slug, sha256) !== undefined || this.inVersionsStmt.get(slug, sha256) !== undefined;
  }

  /** Every stored file with its bytes, one at a time, for export and verification. */
  *all(): IterableIterator<Omit<FileRow, 'thumbnail'> & { purged_by: number | null }> {
    yield* this.allStmt.iterate();
  }
}
