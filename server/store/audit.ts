import type { Statement } from 'better-sqlite3';
import type { DB } from './db.js';

export interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  client: string | null;
  details: string;
  prev_hash: string | null;
  hash: string;
}

export interface AuditFilter {
  /** Targets (restricted page slugs) left out: for the viewer they do not exist. */
  hiddenTargets?: string[];
  actor?: string;
  action?: string;
  /** A page slug (the event's target). */
  page?: string;
  /** Events whose target is a page of this system. */
  system?: string;
  /** Inclusive ISO bounds. */
  from?: string;
  to?: string;
}

/** The append-only audit log table (triggers refuse UPDATE and DELETE). */
export class AuditStore {
  private readonly lastStmt;
  private readonly insertStmt;
  private readonly allStmt;
  private readonly forTargetStmt;
  private readonly countAllStmt;
  private readonly atPositionStmt;
  private readonly ofActionsStmt;

  constructor(private readonly db: DB) {
    this.lastStmt = db.prepare<[], { hash: string }>('SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1');
    this.insertStmt = db.prepare<[Omit<AuditRow, 'id'>]>(
      `INSERT INTO audit_events (at, actor, action, target, client, details, prev_hash, hash)
       VALUES (@at, @actor, @action, @target, @client, @details, @prev_hash, @hash)`,
    );
    this.allStmt = db.prepare<[], AuditRow>('SELECT * FROM audit_events ORDER BY id');
    this.forTargetStmt = db.prepare<[string], AuditRow>('SELECT * FROM audit_events WHERE target = ? ORDER BY id');
    this.countAllStmt = db.prepare<[], number>('SELECT count(*) FROM audit_events').pluck();
    this.ofActionsStmt = db.prepare<[string], AuditRow>('SELECT * FROM audit_events WHERE action IN (SELECT value FROM json_each(?)) ORDER BY id');
    this.atPositionStmt = db.prepare<[number], AuditRow>('SELECT * FROM audit_events ORDER BY id LIMIT 1 OFFSET ?');
  }

  lastHash(): string | null {
    return this.lastStmt.get()?.hash ?? null;
  }

  insert(row: Omit<AuditRow, 'id'>): number {
    return Number(this.insertStmt.run(row).lastInsertRowid);
  }

  all(): AuditRow[] {
    return this.allStmt.all();
  }

  /** Every event in chain order, one row at a time: verification holds one event, not the whole log. */
  *each(): IterableIterator<AuditRow> {
    yield* this.allStmt.iterate();
  }

  /** The events of these actions in chain order, one row at a time. */
  *ofActions(actions: string[]): IterableIterator<AuditRow> {
    yield* this.ofActionsStmt.iterate(JSON.stringify(actions));
  }

  /** How many events the log holds. */
  size(): number {
    return this.countAllStmt.get() as number;
  }

  /** The event at a 1-based position in chain order (the anchor names a position, not an id). */
  atPosition(position: number): AuditRow | undefined {
    return position < 1 ? undefined : this.atPositionStmt.get(position - 1);
  }

  forTarget(target: string): AuditRow[] {
    return this.forTargetStmt.all(target);
  }

  /** One prepared statement per filter combination (at most 128 with the keyset bound), made on first use. */
  private readonly filtered = new Map<string, Statement<unknown[]>>();
  private statement(sql: string): Statement<unknown[]> {
    let stmt = this.filtered.get(sql);
    if (!stmt) this.filtered.set(sql, (stmt = this.db.prepare<unknown[]>(sql)));
    return stmt;
  }

  /** Builds a WHERE clause from fixed fragments; every value is a bound parameter. */
  private where(f: AuditFilter): { sql: string; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    if (f.actor) { clauses.push('actor = ?'); params.push(f.actor); }
    if (f.action) { clauses.push('action = ?'); params.push(f.action); }
    if (f.page) { clauses.push('target = ?'); params.push(f.page); }
    if (f.system) { clauses.push('target IN (SELECT slug FROM pages WHERE system = ?)'); params.push(f.system); }
    if (f.from) { clauses.push('at >= ?'); params.push(f.from); }
    if (f.to) { clauses.push('at <= ?'); params.push(f.to); }
    if (f.hiddenTargets?.length) { clauses.push('(target IS NULL OR target NOT IN (SELECT value FROM json_each(?)))'); params.push(JSON.stringify(f.hiddenTargets)); }
    return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
  }

  search(f: AuditFilter, limit: number, offset: number): AuditRow[] {
    const w = this.where(f);
    return this.statement(`SELECT * FROM audit_events ${w.sql} ORDER BY id DESC LIMIT ? OFFSET ?`).all(...w.params, limit, offset) as AuditRow[];
  }

  /** The filtered events older than event `beforeId`, newest first (keyset: no rows skipped by offset). */
  searchBefore(f: AuditFilter, beforeId: number, limit: number): AuditRow[] {
    const w = this.where(f);
    const sql = w.sql ? `${w.sql} AND id < ?` : 'WHERE id < ?';
    return this.statement(`SELECT * FROM audit_events ${sql} ORDER BY id DESC LIMIT ?`).all(...w.params, beforeId, limit) as AuditRow[];
  }

  /** Whether event `id` is among those the filter keeps (an `after` cursor must name one). */
  matches(f: AuditFilter, id: number): boolean {
    const w = this.where(f);
    const sql = w.sql ? `${w.sql} AND id = ?` : 'WHERE id = ?';
    return (this.statement(`SELECT count(*) AS n FROM audit_events ${sql}`).get(...w.params, id) as { n: number }).n > 0;
  }

  count(f: AuditFilter): number {
    const w = this.where(f);
    return (this.statement(`SELECT count(*) AS n FROM audit_events ${w.sql}`).get(...w.params) as { n: number }).n;
  }

  actors(): string[] {
    return this.db.prepare<[], string>('SELECT DISTINCT actor FROM audit_events ORDER BY actor').pluck().all() as string[];
  }
}
