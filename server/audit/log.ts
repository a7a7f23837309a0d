import type { Store } from '../store/index.js';
import type { AuditRow } from '../store/audit.js';
import { canonicalJson, chainHash } from '../core/hash.js';

export const AUDIT_ACTIONS = [
  'page.created', 'page.saved', 'page.restored', 'page.archived', 'page.unarchived', 'page.status_changed',
  'page.reviewed', 'page.ownership_moved', 'person.created', 'person.changed', 'person.departed', 'team.created', 'team.changed',
  'signin.succeeded', 'signin.failed', 'signin.refused', 'signout', 'user.created', 'user.changed', 'user.deactivated', 'user.reactivated',
  'user.password_reset', 'user.password_changed', 'role.changed', 'token.created', 'token.revoked',
  'phi.rule_added', 'phi.rule_retired', 'export.made', 'import.made', 'store.seeded',
] as const;

export type AuditAction =
  | 'page.created'
  | 'page.saved'
  | 'page.restored'
  | 'page.archived'
  | 'page.unarchived'
  | 'export.made'
  | 'import.made'
  | 'page.status_changed'
  | 'page.reviewed'
  | 'page.ownership_moved'
  | 'page.renamed'
  | 'template.created'
  | 'template.updated'
  | 'person.created'
  | 'person.changed'
  | 'person.departed'
  | 'team.created'
  | 'team.changed'
  | 'signin.succeeded'
  | 'signin.failed'
  | 'signin.refused'
  | 'signout'
  | 'user.created'
  | 'user.deactivated'
  | 'user.reactivated'
  | 'user.password_reset'
  | 'user.password_changed'
  | 'role.changed'
  | 'token.created'
  | 'token.revoked'
  | 'phi.rule_added'
  | 'phi.rule_retired'
  | 'store.seeded'
  | 'file.attached'
  | 'handover.opened'
  | 'handover.page_updated'
  | 'path.saved'
  | 'path.assigned'
  | 'path.step_read'
  | 'comment.created'
  | 'approval.requested';

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
