import { recordAudit } from '../../audit/log.js';
import { ValidationError } from '../../core/errors.js';
import { keepAnAdmin, refuseUnlessAdmin, userOrFail, type AccountContext } from '../accounts.js';

export interface SetUserActiveInput {
  username: string;
  active: boolean;
}

/** Deactivating ends every session and stops every token of the account at once; nothing is deleted. */
export function setUserActive(ctx: AccountContext, input: SetUserActiveInput): void {
  refuseUnlessAdmin(ctx);
  const { store } = ctx;
  const { username, active } = input;
  const at = (ctx.at ?? new Date()).toISOString();
  store.transaction(() => {
    const row = userOrFail(store, username);
    if ((row.active === 1) === active) return;
    if (!active) {
      if (row.username === ctx.actor.username) throw new ValidationError([{ field: 'active', message: 'You cannot deactivate your own account.' }]);
      keepAnAdmin(store, row, 'active');
    }
    store.users.update({ ...row, active: active ? 1 : 0 });
    const ended = active ? 0 : store.sessions.destroyForUser(row.id);
    recordAudit(store, { actor: ctx.actor.username, action: active ? 'user.reactivated' : 'user.deactivated', target: `user:${row.username}`, client: ctx.client, at, details: active ? {} : { sessions_ended: ended } });
  });
}
