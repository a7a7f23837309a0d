import { recordAudit } from '../../audit/log.js';
import { NotFoundError } from '../../core/errors.js';
import type { CommandContext } from '../../core/context.js';
import { refuseUnlessAdmin } from '../rules.js';

export interface RetirePhiRuleInput {
  id: number;
}

/** Retires an active rule: it stays on record, and the guard stops applying it. */
export function retirePhiRule(ctx: CommandContext, input: RetirePhiRuleInput): void {
  refuseUnlessAdmin(ctx);
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => {
    if (!ctx.store.phiRules.retire(input.id, ctx.actor.username, at)) throw new NotFoundError(`There is no active rule #${input.id}.`);
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'phi.rule_retired', target: `phi-rule:${input.id}`, client: ctx.client, at });
  });
}
