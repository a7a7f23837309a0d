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
