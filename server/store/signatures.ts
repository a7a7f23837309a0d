import type { DB } from './db.js';
import type { AuditRow } from './audit.js';

export type SignatureMeaning = 'approved' | 'reviewed' | 'verified' | 'authored';

export interface SignatureRow {
  id: number;
  kind: 'page' | 'access_review';
  page_id: number | null;
  slug: string | null;
  version: number | null;
  content_hash: string;
  meaning: SignatureMeaning;
  signer: string;
  signer_name: string;
  signed_at: string;
  comment: string | null;
  hash: string;
  audit_event_id: number;
}

export interface ApprovalRequestRow {
  page_id: number;
  slug: string;
  title: string;
  version: number;
  requested_by: string;
  requested_at: string;
}

/** Signatures (only ever added: triggers refuse UPDATE and DELETE) and approval requests. */
export class SignatureStore {
  private readonly insertStmt;
  private readonly forPageStmt;
  private readonly ofKindStmt;
  private readonly allStmt;
  private readonly insertRequestStmt;
  private readonly awaitingStmt;
  private readonly eventStmt;
  private readonly signedEventsStmt;

  constructor(db: DB) {
    this.insertStmt = db.prepare<[Omit<SignatureRow, 'id'>]>(
      `INSERT INTO signatures (kind, page_id, slug, version, content_hash, meaning, signer, signer_name, signed_at, comment, hash, audit_event_id)
       VALUES (@kind, @page_id, @slug, @version, @content_hash, @meaning, @signer, @signer_name, @signed_at, @comment, @hash, @audit_event_id)`,
    );
    this.forPageStmt = db.prepare<[number], SignatureRow>("SELECT * FROM signatures WHERE kind = 'page' AND page_id = ? ORDER BY version DESC, id");
    this.ofKindStmt = db.prepare<[string], SignatureRow>('SELECT * FROM signatures WHERE kind = ? ORDER BY id DESC');
    this.allStmt = db.prepare<[], SignatureRow>('SELECT * FROM signatures ORDER BY id');
    this.insertRequestStmt = db.prepare<[number, number, string, string, string]>(
      'INSERT INTO approval_requests (page_id, version, requested_by, requested_at, approver) VALUES (?, ?, ?, ?, ?)',
    );
    // Requests for a page's current version that this approver has not yet signed as approved.
    this.awaitingStmt = db.prepare<[string, string], ApprovalRequestRow>(
      `SELECT p.id AS page_id, p.slug, p.title, r.version, r.requested_by, max(r.requested_at) AS requested_at
       FROM approval_requests r JOIN pages p ON p.id = r.page_id
       WHERE r.approver = ? AND r.version = p.current_version AND p.archived = 0
         AND NOT EXISTS (SELECT 1 FROM signatures s WHERE s.kind = 'page' AND s.page_id = r.page_id AND s.version = r.version AND s.meaning = 'approved' AND s.signer = ?)
       GROUP BY p.id, r.version ORDER BY requested_at`,
    );
    this.eventStmt = db.prepare<[number], AuditRow>('SELECT * FROM audit_events WHERE id = ?');
    this.signedEventsStmt = db.prepare<[], AuditRow>("SELECT * FROM audit_events WHERE action = 'signature.added' ORDER BY id");
  }

  /** The audit event that recorded a signature, for verify. */
  event(id: number): AuditRow | undefined {
    return this.eventStmt.get(id);
  }

  /** Every `signature.added` event, so verify can tell a removed signature row. */
  signedEvents(): AuditRow[] {
    return this.signedEventsStmt.all();
  }

  insert(row: Omit<SignatureRow, 'id'>): number {
    return Number(this.insertStmt.run(row).lastInsertRowid);
  }

  forPage(pageId: number): SignatureRow[] {
    return this.forPageStmt.all(pageId);
  }

  ofKind(kind: SignatureRow['kind']): SignatureRow[] {
    return this.ofKindStmt.all(kind);
  }

  all(): SignatureRow[] {
    return this.allStmt.all();
  }

  addRequest(pageId: number, version: number, requestedBy: string, at: string, approver: string): void {
    this.insertRequestStmt.run(pageId, version, requestedBy, at, approver);
  }

  awaiting(approver: string): ApprovalRequestRow[] {
    return this.awaitingStmt.all(approver, approver);
  }
}
