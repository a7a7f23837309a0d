import type { CommandContext } from '../../core/context.js';
import { NotFoundError } from '../../core/errors.js';
import { recordAudit } from '../../audit/log.js';
import { integrationView, type IntegrationView } from '../manage.js';

export interface RemoveIntegrationInput {
  id: number;
}

/** Disconnects it: nothing more is sent, pending deliveries are withheld; its delivery log stays readable. */
export function removeIntegration(ctx: CommandContext, input: RemoveIntegrationInput): IntegrationView {
  const { id } = input;
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => {
    const row = ctx.store.integrations.get(id);
    if (!row || !ctx.store.integrations.remove(id, at)) throw new NotFoundError(`There is no connected integration ${id}.`);
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'integration.removed', target: `integration:${id}`, client: ctx.client, at, details: { kind: row.kind, label: row.label } });
  });
  return integrationView(ctx.store.integrations.get(id)!);
}
