import { recordAudit } from '../../audit/log.js';
import { ValidationError } from '../../core/errors.js';
import { hashPassword, randomPassword } from '../passwords.js';
import { refuseUnlessAdmin, userOrFail, type AccountContext } from '../accounts.js';

export interface ResetPasswordInput {
  username: string;
}

/**
 * An admin resets a password: a temporary one, returned once to be handed over, that must be replaced
 * at the next sign-in. Every session of the account ends.
 */
export async function resetPassword(ctx: AccountContext, input: ResetPasswordInput): Promise<string> {
  refuseUnlessAdmin(ctx);
  const { store } = ctx;
  const { username } = input;
  const row = userOrFail(store, username);
  if (row.auth_source !== 'local') throw new ValidationError([{ field: 'password', message: `${row.username} signs in through ${row.auth_source === 'oidc' ? 'single sign-on' : 'the proxy'}; their password is kept there.` }]);
  const temporary = randomPassword();
  const hash = await hashPassword(temporary);
  const at = (ctx.at ?? new Date()).toISOString();
  store.transaction(() => {
    const current = userOrFail(store, username);
    store.users.update({ ...current, password_hash: hash, must_change_password: 1 });
    const ended = store.sessions.destroyForUser(current.id);
    recordAudit(store, { actor: ctx.actor.username, action: 'user.password_reset', target: `user:${current.username}`, client: ctx.client, at, details: { sessions_ended: ended } });
  });
  return temporary;
}
