import { ROLES, type Role } from '../../store/users.js';
import { recordAudit } from '../../audit/log.js';
import { ValidationError } from '../../core/errors.js';
import { keepAnAdmin, refuseUnlessAdmin, userOrFail, type AccountContext } from '../accounts.js';

export interface ChangeRoleInput {
  username: string;
  role: string;
}

/** Gives an account another role; the same role again changes nothing and records nothing. */
export function changeRole(ctx: AccountContext, input: ChangeRoleInput): void {
  refuseUnlessAdmin(ctx);
  const { store } = ctx;
  const { username, role } = input;
  if (!(ROLES as readonly string[]).includes(role)) throw new ValidationError([{ field: 'role', message: `Role must be one of: ${ROLES.join(', ')}.` }]);
  const at = (ctx.at ?? new Date()).toISOString();
  store.transaction(() => {
    const row = userOrFail(store, username);
    if (row.role === role) return;
    if (role !== 'admin') keepAnAdmin(store, row, 'role');
    store.users.update({ ...row, role: role as Role });
    recordAudit(store, { actor: ctx.actor.username, action: 'role.changed', target: `user:${row.username}`, client: ctx.client, at, details: { from: row.role, to: role } });
  });
}
