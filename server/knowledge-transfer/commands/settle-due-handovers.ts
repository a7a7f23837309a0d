import type { CommandContext } from '../../core/context.js';
import type { FieldError } from '../../core/errors.js';
import { checkSuccessor } from '../../people/directory.js';
import { departPerson } from '../../people/commands/depart-person.js';

export interface SettleDueHandoversInput {
  /** The app's calendar date: plans whose leaving date is on or before it settle. */
  today: string;
}

/**
 * On the leaving date the departure happens as if an admin had recorded it: the person is marked departed
 * on that date (what was not accepted is orphaned exactly as today) and the plan closes as a record.
 * Run before requests are answered, with the app's clock, so nothing depends on a timer having fired.
 */
export function settleDueHandovers(ctx: CommandContext, input: SettleDueHandoversInput): number {
  const { today } = input;
  let settled = 0;
  for (const plan of ctx.store.transfer.dueHandovers(today)) {
    const p = ctx.store.parties.get(plan.person);
    const at = (ctx.at ?? new Date()).toISOString();
    ctx.store.transaction(() => {
      if (p && p.status === 'active') {
        const errors: FieldError[] = [];
        if (plan.successor) checkSuccessor(ctx.store, plan.successor, plan.person, 'successor', errors);
        departPerson(ctx, { handle: plan.person, date: plan.leaving_on, successor: errors.length === 0 ? plan.successor : null, reason: 'Left on the leaving date of the handover plan', today });
      }
      ctx.store.transfer.closeHandover(plan.id, at);
    });
    settled++;
  }
  return settled;
}
