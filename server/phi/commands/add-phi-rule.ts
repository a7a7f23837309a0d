import type { PhiRuleRow } from '../../store/phi-rules.js';
import { recordAudit } from '../../audit/log.js';
import { ValidationError } from '../../core/errors.js';
import type { CommandContext } from '../../core/context.js';
import { patternProblem } from '../guard.js';
import { refuseUnlessAdmin } from '../rules.js';

export interface AddPhiRuleInput {
  /** A pattern the guard refuses, or a term it lets through. */
  kind: PhiRuleRow['kind'];
  value: string;
  label?: string;
}

/** An admin adds a pattern the guard refuses, or a term it lets through; audited. Returns the rule's id. */
export function addPhiRule(ctx: CommandContext, input: AddPhiRuleInput): number {
  refuseUnlessAdmin(ctx);
  const value = input.value.trim();
  const label = input.label?.trim() || null;
  const problem = input.kind === 'pattern' ? patternProblem(value) : value.length < 3 ? 'An allowed term is at least 3 characters, so it cannot wave through everything.' : null;
  if (problem) throw new ValidationError([{ field: input.kind, message: problem }]);
  const at = (ctx.at ?? new Date()).toISOString();
  return ctx.store.transaction(() => {
    const id = ctx.store.phiRules.insert({ kind: input.kind, value, label, created_by: ctx.actor.username, created_at: at });
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'phi.rule_added', target: `phi-rule:${id}`, client: ctx.client, at, details: { kind: input.kind, value, label } });
    return id;
  });
}
