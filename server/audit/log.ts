import type { Store } from '../store/index.js';
import type { AuditRow } from '../store/audit.js';
import { canonicalJson, chainHash } from '../pages/hash.js';

export type AuditAction =
  | 'page.created'
  | 'page.saved'
  | 'page.restored'
  | 'page.archived'
  | 'page.unarchived'
  | 'export.made'
  | 'page.status_changed'
  | 'signin.succeeded'
  | 'signin.failed'
  | 'signout'
  | 'user.created'
  | 'token.created'
  | 'store.seeded';

export interface AuditEvent {
  actor: string;
  action: AuditAction;
  target?: string | null;
  client?: string | null;
  details?: Record<string, unknown>;
  at?: string;
}

/**
 * Appends one event to the hash-chained audit log. Call it inside the same store transaction as the
 * change it records, so that neither exists without the other.
 */
export function recordAudit(store: Store, event: AuditEvent): AuditRow {
  const row = {
    at: event.at ?? new Date().toISOString(),
    actor: event.actor,
    action: event.action,
    target: event.target ?? null,
    client: event.client ?? null,
    details: canonicalJson(event.details ?? {}),
  };
  const prev_hash = store.audit.lastHash();
  const hash = chainHash(prev_hash, { ...row, details: event.details ?? {} });
  const id = store.audit.insert({ ...row, prev_hash, hash });
  return { id, ...row, prev_hash, hash };
}

/** Recomputes the audit chain; returns the id of the first event whose hash does not match, or null. */
export function verifyAuditChain(store: Store): number | null {
  let prev: string | null = null;
  for (const row of store.audit.all()) {
    const { id, hash, prev_hash, details, ...rest } = row;
    const expected = chainHash(prev, { ...rest, details: JSON.parse(details) as unknown });
    if (prev_hash !== prev || hash !== expected) return id;
    prev = hash;
  }
  return null;
}
