import type { Store } from '../store/index.js';
import type { PhiRuleRow } from '../store/phi-rules.js';
import { recordAudit } from '../audit/log.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import type { AuditContext } from '../core/context.js';
import { patternProblem } from './guard.js';

/** An admin adds a pattern the guard refuses, or a term it lets through; audited. */
export function addPhiRule(store: Store, input: { kind: PhiRuleRow['kind']; value: string; label?: string }, audit: AuditContext): number {
  const value = input.value.trim();
  const label = input.label?.trim() || null;
  const problem = input.kind === 'pattern' ? patternProblem(value) : value.length < 3 ? 'An allowed term is at least 3 characters, so it cannot wave through everything.' : null;
  if (problem) throw new ValidationError([{ field: input.kind, message: problem }]);
  return store.transaction(() => {
    const id = store.phiRules.insert({ kind: input.kind, value, label, created_by: audit.actor, created_at: new Date().toISOString() });
    recordAudit(store, { actor: audit.actor, action: 'phi.rule_added', target: `phi-rule:${id}`, client: audit.client, details: { kind: input.kind, value, label } });
    return id;
  });
}

export function retirePhiRule(store: Store, id: number, audit: AuditContext): void {
  store.transaction(() => {
    if (!store.phiRules.retire(id, audit.actor, new Date().toISOString())) throw new NotFoundError(`There is no active rule #${id}.`);
    recordAudit(store, { actor: audit.actor, action: 'phi.rule_retired', target: `phi-rule:${id}`, client: audit.client });
  });
}
