import type { DB } from './db.js';

export type IntegrationKind = 'webhook' | 'slack' | 'teams';
export type DeliveryState = 'pending' | 'delivered' | 'failed' | 'withheld';

export interface IntegrationRow {
  id: number;
  kind: IntegrationKind;
  label: string;
  url: string;
  secret: string | null;
  /** JSON array of event names. */
  events: string;
  team: string | null;
  system: string | null;
  created_at: string;
  created_by: string;
  removed_at: string | null;
}

export interface DeliveryRow {
  id: number;
  delivery_id: string;
  integration_id: number;
  event_id: number;
  event: string;
  slug: string | null;
  body: string;
  state: DeliveryState;
  attempts: number;
  next_attempt_at: string;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface DeliveryLogRow extends DeliveryRow {
  label: string;
  kind: IntegrationKind;
}

export interface CitingPageRow {
  slug: string;
  title: string;
  system: string;
  status: string;
  version: number;
  value: string;
}

/** Webhooks and chat channels, their deliveries and each attempt (migration 011). */
export class IntegrationStore {
  private readonly insertStmt;
  private readonly removeStmt;
  private readonly getStmt;
  private readonly activeStmt;
  private readonly insertDeliveryStmt;
  private readonly dueStmt;
  private readonly deliveryStmt;
  private readonly updateDeliveryStmt;
  private readonly insertAttemptStmt;
  private readonly recentStmt;
  private readonly forIntegrationStmt;
  private readonly citingTicketStmt;
  private readonly citingRecordStmt;
  private readonly replaceTextStmt;
  private readonly logPageStmt;
  private readonly logAfterStmt;
  private readonly logCountStmt;
  private readonly allPageStmt;
  private readonly allCountStmt;
  private readonly byDeliveryIdStmt;
  private readonly cutoffStmt;
  private readonly prunableStmt;
  private readonly pruneAttemptsStmt;
  private readonly pruneDeliveriesStmt;

  constructor(db: DB) {
    this.insertStmt = db.prepare<[Omit<IntegrationRow, 'id' | 'removed_at'>]>(
      `INSERT INTO integrations (kind, label, url, secret, events, team, system, created_at, created_by)
       VALUES (@kind, @label, @url, @secret, @events, @team, @system, @created_at, @created_by)`,
    );
    this.removeStmt = db.prepare<[string, number]>('UPDATE integrations SET removed_at = ? WHERE id = ? AND removed_at IS NULL');
    this.getStmt = db.prepare<[number], IntegrationRow>('SELECT * FROM integrations WHERE id = ?');
    this.activeStmt = db.prepare<[], IntegrationRow>('SELECT * FROM integrations WHERE removed_at IS NULL ORDER BY id');
    this.insertDeliveryStmt = db.prepare<[Omit<DeliveryRow, 'id' | 'attempts' | 'last_status' | 'last_error' | 'delivered_at'>]>(
      `INSERT OR IGNORE INTO integration_deliveries (delivery_id, integration_id, event_id, event, slug, body, state, next_attempt_at, created_at)
       VALUES (@delivery_id, @integration_id, @event_id, @event, @slug, @body, @state, @next_attempt_at, @created_at)`,
    );
    this.replaceTextStmt = db.prepare<[{ slugs: string; text: string; marker: string }]>(
      `UPDATE integration_deliveries SET body = replace(body, @text, @marker)
       WHERE slug IN (SELECT value FROM json_each(@slugs)) AND instr(body, @text) > 0`,
    );
    this.dueStmt = db.prepare<[string, number], DeliveryRow>(
      "SELECT * FROM integration_deliveries WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?",
    );
    this.deliveryStmt = db.prepare<[number], DeliveryRow>('SELECT * FROM integration_deliveries WHERE id = ?');
    this.updateDeliveryStmt = db.prepare<[Pick<DeliveryRow, 'id' | 'state' | 'attempts' | 'next_attempt_at' | 'last_status' | 'last_error' | 'delivered_at'>]>(
      `UPDATE integration_deliveries SET state = @state, attempts = @attempts, next_attempt_at = @next_attempt_at,
         last_status = @last_status, last_error = @last_error, delivered_at = @delivered_at WHERE id = @id`,
    );
    this.insertAttemptStmt = db.prepare<[{ delivery: number; attempt: number; at: string; status: number | null; error: string | null }]>(
      'INSERT INTO integration_attempts (delivery, attempt, at, status, error) VALUES (@delivery, @attempt, @at, @status, @error)',
    );
    this.recentStmt = db.prepare<[number], DeliveryLogRow>(
      `SELECT d.*, i.label, i.kind FROM integration_deliveries d JOIN integrations i ON i.id = d.integration_id ORDER BY d.id DESC LIMIT ?`,
    );
    this.forIntegrationStmt = db.prepare<[number, number], DeliveryLogRow>(
      `SELECT d.*, i.label, i.kind FROM integration_deliveries d JOIN integrations i ON i.id = d.integration_id WHERE d.integration_id = ? ORDER BY d.id DESC LIMIT ?`,
    );
    // The delivery log read a page at a time (index integration_deliveries_log, migration 023).
    const logCols = 'd.*, i.label, i.kind FROM integration_deliveries d JOIN integrations i ON i.id = d.integration_id';
    this.logPageStmt = db.prepare<[number, number], DeliveryLogRow>(`SELECT ${logCols} WHERE d.integration_id = ? ORDER BY d.id DESC LIMIT ?`);
    this.logAfterStmt = db.prepare<[number, number, number], DeliveryLogRow>(`SELECT ${logCols} WHERE d.integration_id = ? AND d.id < ? ORDER BY d.id DESC LIMIT ?`);
    this.logCountStmt = db.prepare<[number], number>('SELECT count(*) FROM integration_deliveries WHERE integration_id = ?').pluck();
    this.allPageStmt = db.prepare<[number, number], DeliveryLogRow>(`SELECT ${logCols} ORDER BY d.id DESC LIMIT ? OFFSET ?`);
    this.allCountStmt = db.prepare<[], number>('SELECT count(*) FROM integration_deliveries').pluck();
    this.byDeliveryIdStmt = db.prepare<[string], DeliveryRow>('SELECT * FROM integration_deliveries WHERE delivery_id = ?');
    // Pruning walks the same index: the id of the newest delivery past the kept number, then the oldest
    // settled ones up to it, a bounded batch at a time. Pending deliveries are never pruned: they are still to be sent.
    this.cutoffStmt = db.prepare<[number, number], number>('SELECT id FROM integration_deliveries WHERE integration_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?').pluck();
    this.prunableStmt = db.prepare<[number, number, number], number>(
      "SELECT id FROM integration_deliveries WHERE integration_id = ? AND id <= ? AND state <> 'pending' ORDER BY id LIMIT ?",
    ).pluck();
    this.pruneAttemptsStmt = db.prepare<[string]>('DELETE FROM integration_attempts WHERE delivery IN (SELECT value FROM json_each(?))');
    this.pruneDeliveriesStmt = db.prepare<[string]>('DELETE FROM integration_deliveries WHERE id IN (SELECT value FROM json_each(?))');
    // page_citations (migration 011) holds each ID keyed loosely (case and ASCII spaces, dashes,
    // underscores ignored); the caller re-checks each with the search index's own normalization.
    const citing = (field: 'tickets' | 'records') =>
      db.prepare<[string], CitingPageRow>(
        `SELECT p.slug, p.title, p.system, p.status, p.current_version AS version, c.value
           FROM page_citations c JOIN pages p ON p.id = c.page_id
          WHERE c.field = '${field}' AND c.key = ? AND p.archived = 0
          ORDER BY p.title, p.slug`,
      );
    this.citingTicketStmt = citing('tickets');
    this.citingRecordStmt = citing('records');
  }

  insert(row: Omit<IntegrationRow, 'id' | 'removed_at'>): number {
    return Number(this.insertStmt.run(row).lastInsertRowid);
  }

  /** Marks it removed; false when there was no such integration still connected. */
  remove(id: number, at: string): boolean {
    return this.removeStmt.run(at, id).changes === 1;
  }

  get(id: number): IntegrationRow | undefined {
    return this.getStmt.get(id);
  }

  active(): IntegrationRow[] {
    return this.activeStmt.all();
  }

  insertDelivery(row: Omit<DeliveryRow, 'id' | 'attempts' | 'last_status' | 'last_error' | 'delivered_at'>): void {
    this.insertDeliveryStmt.run(row);
  }

  /**
   * Deletes up to `batch` of this integration's oldest settled deliveries (and their attempts) beyond the
   * newest `keep`; the caller runs it in the transaction that writes a delivery. Answers how many went.
   */
  pruneDeliveries(integrationId: number, keep: number, batch: number): number {
    const cutoff = this.cutoffStmt.get(integrationId, keep) as number | undefined;
    if (cutoff === undefined) return 0;
    const ids = this.prunableStmt.all(integrationId, cutoff, batch) as number[];
    if (ids.length === 0) return 0;
    const json = JSON.stringify(ids);
    this.pruneAttemptsStmt.run(json);
    return this.pruneDeliveriesStmt.run(json).changes;
  }

  /** One answer of an integration's delivery log, newest first: `limit` deliveries older than the row `beforeId`, or the newest. */
  deliveryLog(integrationId: number, limit: number, beforeId?: number): DeliveryLogRow[] {
    return beforeId === undefined ? this.logPageStmt.all(integrationId, limit) : this.logAfterStmt.all(integrationId, beforeId, limit);
  }

  deliveryCount(integrationId?: number): number {
    return (integrationId === undefined ? this.allCountStmt.get() : this.logCountStmt.get(integrationId)) as number;
  }

  /** Every integration's deliveries, newest first, one screen at a time. */
  deliveriesPage(limit: number, offset: number): DeliveryLogRow[] {
    return this.allPageStmt.all(limit, offset);
  }

  /** A delivery by its X-Whywiki-Delivery id. */
  byDeliveryId(deliveryId: string): DeliveryRow | undefined {
    return this.byDeliveryIdStmt.get(deliveryId);
  }

  /** Pending deliveries whose next attempt is due at `now`, oldest first. */
  /**
   * Replaces `text` (as it appears inside the JSON bodies) with `marker` in the deliveries about these
   * pages (a purge). Bodies are signed when sent, so a delivery still pending goes out without it.
   */
  replaceText(slugs: string[], text: string, marker: string): number {
    return this.replaceTextStmt.run({ slugs: JSON.stringify(slugs), text, marker }).changes;
  }

  due(now: string, limit: number): DeliveryRow[] {
    return this.dueStmt.all(now, limit);
  }

  delivery(id: number): DeliveryRow | undefined {
    return this.deliveryStmt.get(id);
  }

  updateDelivery(row: Pick<DeliveryRow, 'id' | 'state' | 'attempts' | 'next_attempt_at' | 'last_status' | 'last_error' | 'delivered_at'>): void {
    this.updateDeliveryStmt.run(row);
  }

  recordAttempt(row: { delivery: number; attempt: number; at: string; status: number | null; error: string | null }): void {
    this.insertAttemptStmt.run(row);
  }

  /** The newest deliveries, of one integration or of all. */
  recentDeliveries(limit: number, integrationId?: number): DeliveryLogRow[] {
    return integrationId === undefined ? this.recentStmt.all(limit) : this.forIntegrationStmt.all(integrationId, limit);
  }

  /** Current, unarchived pages whose tickets (or records) hold an ID matching `loose` loosely (see above). */
  citing(field: 'tickets' | 'records', loose: string): CitingPageRow[] {
    return (field === 'tickets' ? this.citingTicketStmt : this.citingRecordStmt).all(loose);
  }
}
