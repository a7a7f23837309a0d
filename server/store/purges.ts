import type { DB } from './db.js';
import type { AuditRow } from './audit.js';

export type PurgeStatus = 'awaiting approval' | 'applied' | 'withdrawn';

export interface PurgeRow {
  id: number;
  page_id: number;
  version: number;
  reason: string;
  text_salt: string;
  text_digest: string;
  /** JSON {field: occurrences}. */
  fields: string;
  /** The text to remove, only while the purge awaits approval. */
  pending_text: string | null;
  status: PurgeStatus;
  requested_by: string;
  requested_at: string;
  approved_by: string | null;
  approved_at: string | null;
  /** JSON: copies made since the version that still hold the text. */
  copies: string | null;
  /** For a purge of an attachment: the file's sha256 (its bytes go, the digest stays); NULL for text. */
  file: string | null;
}

/** A purge with the page it concerns, as lists show it. */
export interface PurgeListRow extends Omit<PurgeRow, 'pending_text'> {
  slug: string;
}

export interface SealRow {
  page_id: number;
  version: number;
  hash: string;
  front_matter: string;
  body: string;
  summary: string;
}

export interface DraftTextRow {
  username: string;
  slug: string;
  fields: string;
}

/** Purge requests, the narrow content updates a purge applies, and the digests sealed for old versions. */
/** Versions without digests, read at every start: answered from the partial index page_versions_unsealed. */
export const UNSEALED_SQL = 'SELECT page_id, version, hash, front_matter, body, summary FROM page_versions WHERE digests IS NULL ORDER BY page_id, version';

export class PurgeStore {
  private readonly insertStmt;
  private readonly getStmt;
  private readonly listStmt;
  private readonly forVersionStmt;
  private readonly appliedStmt;
  private readonly withdrawStmt;
  private readonly contentStmt;
  private readonly unsealedStmt;
  private readonly sealStmt;
  private readonly draftsStmt;
  private readonly draftSetStmt;
  private readonly exportsSinceStmt;
  private readonly listedStmt;
  private readonly screenStmt;
  private readonly beforeStmt;
  private readonly countStmt;
  private readonly awaitingCountStmt;
  private readonly slugStmt;
  private readonly eventsForStmt;
  private readonly markEventStmt;
  private readonly eventDetailsStmt;

  constructor(private readonly db: DB) {
    this.insertStmt = db.prepare<[Omit<PurgeRow, 'id' | 'approved_by' | 'approved_at' | 'copies'>]>(
      `INSERT INTO page_purges (page_id, version, reason, text_salt, text_digest, fields, pending_text, status, requested_by, requested_at, file)
       VALUES (@page_id, @version, @reason, @text_salt, @text_digest, @fields, @pending_text, @status, @requested_by, @requested_at, @file)`,
    );
    this.getStmt = db.prepare<[number], PurgeRow>('SELECT * FROM page_purges WHERE id = ?');
    const listCols = `u.id, u.page_id, u.version, u.reason, u.text_salt, u.text_digest, u.fields, u.status, u.requested_by, u.requested_at, u.approved_by, u.approved_at, u.copies, u.file, p.slug`;
    this.listStmt = db.prepare<[number], PurgeListRow>(`SELECT ${listCols} FROM page_purges u JOIN pages p ON p.id = u.page_id ORDER BY u.id DESC LIMIT ?`);
    // The admin screen: requests awaiting approval first, then the rest, newest first; one screen at a time.
    this.screenStmt = db.prepare<[number, number], PurgeListRow>(
      `SELECT ${listCols} FROM page_purges u JOIN pages p ON p.id = u.page_id ORDER BY u.status <> 'awaiting approval', u.id DESC LIMIT ? OFFSET ?`,
    );
    this.beforeStmt = db.prepare<[number, number], PurgeListRow>(`SELECT ${listCols} FROM page_purges u JOIN pages p ON p.id = u.page_id WHERE u.id < ? ORDER BY u.id DESC LIMIT ?`);
    this.countStmt = db.prepare<[], number>('SELECT count(*) FROM page_purges').pluck();
    this.awaitingCountStmt = db.prepare<[], number>("SELECT count(*) FROM page_purges WHERE status = 'awaiting approval'").pluck();
    this.listedStmt = db.prepare<[number], PurgeListRow>(`SELECT ${listCols} FROM page_purges u JOIN pages p ON p.id = u.page_id WHERE u.id = ?`);
    this.eventsForStmt = db.prepare<[string, string], AuditRow>("SELECT * FROM audit_events WHERE target IN (SELECT value FROM json_each(?)) AND instr(details, ?) > 0 ORDER BY id");
    this.markEventStmt = db.prepare<[number, number]>('INSERT OR IGNORE INTO purged_audit_events (event_id, purge_id) VALUES (?, ?)');
    this.eventDetailsStmt = db.prepare<[string, number]>('UPDATE audit_events SET details = ? WHERE id = ?');
    this.slugStmt = db.prepare<[number], string>('SELECT slug FROM pages WHERE id = ?').pluck();
    this.forVersionStmt = db.prepare<[number, number], PurgeListRow>(`SELECT ${listCols} FROM page_purges u JOIN pages p ON p.id = u.page_id WHERE u.page_id = ? AND u.version = ? AND u.status = 'applied' ORDER BY u.id`);
    this.appliedStmt = db.prepare<[{ id: number; approved_by: string; approved_at: string; copies: string }]>(
      `UPDATE page_purges SET status = 'applied', approved_by = @approved_by, approved_at = @approved_at, copies = @copies, pending_text = NULL WHERE id = @id AND status = 'awaiting approval'`,
    );
    this.withdrawStmt = db.prepare<[number]>(`UPDATE page_purges SET status = 'withdrawn', pending_text = NULL WHERE id = ? AND status = 'awaiting approval'`);
    this.contentStmt = db.prepare<[{ page_id: number; version: number; front_matter: string; body: string; summary: string }]>(
      'UPDATE page_versions SET front_matter = @front_matter, body = @body, summary = @summary WHERE page_id = @page_id AND version = @version',
    );
    this.unsealedStmt = db.prepare<[], SealRow>(UNSEALED_SQL);
    this.sealStmt = db.prepare<[{ page_id: number; version: number; digests: string; sealed_by: number }]>(
      'UPDATE page_versions SET digests = @digests, sealed_by = @sealed_by WHERE page_id = @page_id AND version = @version AND digests IS NULL',
    );
    this.draftsStmt = db.prepare<[string], DraftTextRow>('SELECT username, slug, fields FROM drafts WHERE slug = ?');
    this.draftSetStmt = db.prepare<[string, string, string]>('UPDATE drafts SET fields = ? WHERE username = ? AND slug = ?');
    this.exportsSinceStmt = db.prepare<[string], AuditRow>(`SELECT * FROM audit_events WHERE action = 'export.made' AND at >= ? ORDER BY id`);
  }

  insert(row: Omit<PurgeRow, 'id' | 'approved_by' | 'approved_at' | 'copies' | 'file'> & { file?: string | null }): number {
    return Number(this.insertStmt.run({ ...row, file: row.file ?? null }).lastInsertRowid);
  }

  get(id: number): PurgeRow | undefined {
    return this.getStmt.get(id);
  }

  /** One purge as lists show it (without its pending text). */
  listed(id: number): PurgeListRow | undefined {
    return this.listedStmt.get(id);
  }

  /** Audit events about these targets whose details contain `needle` (as it appears in JSON). */
  eventsContaining(targets: string[], needle: string): AuditRow[] {
    return this.eventsForStmt.all(JSON.stringify(targets), needle);
  }

  /** Replaces an event's details; the table's trigger allows it only for an event a purge named first. */
  replaceEventDetails(eventId: number, purgeId: number, details: string): void {
    this.markEventStmt.run(eventId, purgeId);
    this.eventDetailsStmt.run(details, eventId);
  }

  /** The current slug of a page. */
  slugOf(pageId: number): string | undefined {
    return this.slugStmt.get(pageId) as string | undefined;
  }

  list(limit = 500): PurgeListRow[] {
    return this.listStmt.all(limit);
  }

  /** Newest first, `limit` purges older than purge `beforeId` (or the newest). */
  listBefore(limit: number, beforeId?: number): PurgeListRow[] {
    return beforeId === undefined ? this.listStmt.all(limit) : this.beforeStmt.all(beforeId, limit);
  }

  /** One screen: those awaiting approval first, then the rest, each newest first. */
  screen(limit: number, offset: number): PurgeListRow[] {
    return this.screenStmt.all(limit, offset);
  }

  count(): number {
    return this.countStmt.get() as number;
  }

  awaitingCount(): number {
    return this.awaitingCountStmt.get() as number;
  }

  /** The purges applied to one version, oldest first. */
  appliedTo(pageId: number, version: number): PurgeListRow[] {
    return this.forVersionStmt.all(pageId, version);
  }

  /** Marks the purge applied and forgets its text; false when it was no longer awaiting approval. */
  markApplied(row: { id: number; approved_by: string; approved_at: string; copies: string }): boolean {
    return this.appliedStmt.run(row).changes === 1;
  }

  withdraw(id: number): boolean {
    return this.withdrawStmt.run(id).changes === 1;
  }

  /** Replaces a version's content fields; the table's trigger allows it only for a version with an applied purge. */
  replaceContent(row: { page_id: number; version: number; front_matter: string; body: string; summary: string }): void {
    this.contentStmt.run(row);
  }

  /** Versions whose digests were never computed: those written before digests existed. */
  unsealed(): SealRow[] {
    return this.unsealedStmt.all();
  }

  seal(row: { page_id: number; version: number; digests: string; sealed_by: number }): void {
    this.sealStmt.run(row);
  }

  draftsOf(slug: string): DraftTextRow[] {
    return this.draftsStmt.all(slug);
  }

  setDraftFields(username: string, slug: string, fields: string): void {
    this.draftSetStmt.run(fields, username, slug);
  }

  /** Exports recorded at or after `at`: copies that may hold a version written then. */
  exportsSince(at: string): AuditRow[] {
    return this.exportsSinceStmt.all(at);
  }

  /**
   * Removed text must not linger in the database file's free pages or in the write-ahead log: SQLite
   * overwrites what it frees while secure_delete is on, and a checkpoint moves the log into the file.
   */
  scrubbing<T>(fn: () => T): T {
    const before = this.db.pragma('secure_delete', { simple: true }) as number;
    this.db.pragma('secure_delete = ON');
    try {
      return fn();
    } finally {
      this.db.pragma(`secure_delete = ${before ? 'ON' : 'OFF'}`);
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    }
  }
}
