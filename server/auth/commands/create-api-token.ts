import { recordAudit } from '../../audit/log.js';
import { ValidationError } from '../../core/errors.js';
import { refuseIfPhi } from '../../phi/guard.js';
import { newToken } from '../tokens.js';
import { refuseUnlessAdmin, type AccountContext } from '../accounts.js';

export interface CreateApiTokenInput {
  username: string;
  /** What the token is for; shown to admins and kept in the audit trail, so it passes the PHI guard. */
  label: string | null;
}

/** Makes an API token for an account and returns it: the one time it is shown. Only its hash is kept. */
export function createApiToken(ctx: AccountContext, input: CreateApiTokenInput): string {
  refuseUnlessAdmin(ctx);
  const { store } = ctx;
  const { username, label } = input;
  refuseIfPhi(ctx.phi, { label });
  const { token, hash } = newToken();
  const at = (ctx.at ?? new Date()).toISOString();
  store.transaction(() => {
    const user = store.users.byName(username);
    if (!user) throw new ValidationError([{ field: 'username', message: `There is no user "${username}".` }]);
    const id = store.users.insertToken(user.id, hash, label, at);
    recordAudit(store, { actor: ctx.actor.username, action: 'token.created', target: `user:${user.username}`, client: ctx.client, at, details: { token_id: id, label } });
  });
  return token;
}
