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

/** The append-only audit log table (triggers refuse UPDATE and DELETE). */
export class AuditStore {
  private readonly lastStmt;
  private readonly insertStmt;
  private readonly allStmt;
  private readonly forTargetStmt;

  constructor(db: DB) {
    this.lastStmt = db.prepare<[], { hash: string }>('SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1');
    this.insertStmt = db.prepare<[Omit<AuditRow, 'id'>]>(
      `INSERT INTO audit_events (at, actor, action, target, client, details, prev_hash, hash)
       VALUES (@at, @actor, @action, @target, @client, @details, @prev_hash, @hash)`,
    );
    this.allStmt = db.prepare<[], AuditRow>('SELECT * FROM audit_events ORDER BY id');
    this.forTargetStmt = db.prepare<[string], AuditRow>('SELECT * FROM audit_events WHERE target = ? ORDER BY id');
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

  forTarget(target: string): AuditRow[] {
    return this.forTargetStmt.all(target);
  }
}
