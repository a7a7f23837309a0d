import type { DB } from './db.js';
import type { AuditRow } from './audit.js';

/** How far each consumer of the audit log has read (see migration 008). */
export class OutboxStore {
  private readonly getStmt;
  private readonly setStmt;
  private readonly afterStmt;
  private readonly lastIdStmt;
  private readonly countAfterStmt;

  constructor(db: DB) {
    this.getStmt = db.prepare<[string], number>('SELECT last_event_id FROM outbox_cursors WHERE consumer = ?').pluck();
    this.setStmt = db.prepare<[string, number]>(
      `INSERT INTO outbox_cursors (consumer, last_event_id) VALUES (?, ?)
       ON CONFLICT(consumer) DO UPDATE SET last_event_id = excluded.last_event_id`,
    );
    this.afterStmt = db.prepare<[number, number], AuditRow>('SELECT * FROM audit_events WHERE id > ? ORDER BY id LIMIT ?');
    this.lastIdStmt = db.prepare<[], number>('SELECT coalesce(max(id), 0) FROM audit_events').pluck();
    this.countAfterStmt = db.prepare<[number], number>('SELECT count(*) FROM audit_events WHERE id > ?').pluck();
  }

  cursor(consumer: string): number | undefined {
    return this.getStmt.get(consumer) as number | undefined;
  }

  setCursor(consumer: string, lastEventId: number): void {
    this.setStmt.run(consumer, lastEventId);
  }

  /** Audit events after `id`, oldest first. */
  eventsAfter(id: number, limit: number): AuditRow[] {
    return this.afterStmt.all(id, limit);
  }

  /** How many events come after `id`: a consumer's backlog. */
  countAfter(id: number): number {
    return this.countAfterStmt.get(id) as number;
  }

  lastEventId(): number {
    return this.lastIdStmt.get() as number;
  }
}
