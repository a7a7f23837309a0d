import { recordAudit } from '../../audit/log.js';
import { NotFoundError } from '../../core/errors.js';
import { refuseUnlessAdmin, userOrFail, type AccountContext } from '../accounts.js';

export interface RevokeApiTokenInput {
  username: string;
  tokenId: number;
}

/** Stops a live token at once; the row stays, so the audit trail can still name it. */
export function revokeApiToken(ctx: AccountContext, input: RevokeApiTokenInput): void {
  refuseUnlessAdmin(ctx);
  const { store } = ctx;
  const { username, tokenId } = input;
  const at = (ctx.at ?? new Date()).toISOString();
  store.transaction(() => {
    const row = userOrFail(store, username);
    if (!store.users.revokeToken(row.id, tokenId, at)) throw new NotFoundError(`${row.username} has no live token #${tokenId}.`);
    recordAudit(store, { actor: ctx.actor.username, action: 'token.revoked', target: `user:${row.username}`, client: ctx.client, at, details: { token_id: tokenId } });
  });
}
