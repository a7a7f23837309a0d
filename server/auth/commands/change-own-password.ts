import { recordAudit } from '../../audit/log.js';
import { NotFoundError, ValidationError, type FieldError } from '../../core/errors.js';
import { hashPassword, verifyPassword } from '../passwords.js';
import { passwordProblem } from '../password-policy.js';
import type { AccountContext } from '../accounts.js';

export interface ChangeOwnPasswordInput {
  /** The signed-in account: a person changes only their own password. */
  userId: number;
  current: string;
  next: string;
  /** The session the change is made in, which stays signed in (the caller gives it a new id). */
  keepSession: string;
}

/**
 * A person changes their own password, proving the current one. Every other session of theirs ends;
 * the caller gives the current session a new id.
 */
export async function changeOwnPassword(ctx: AccountContext, input: ChangeOwnPasswordInput): Promise<void> {
  const { store } = ctx;
  const { userId, current, next, keepSession } = input;
  const row = store.users.byId(userId);
  if (!row || row.active !== 1) throw new NotFoundError('Your account is no longer active.');
  const errors: FieldError[] = [];
  if (!row.password_hash || !(await verifyPassword(current, row.password_hash))) errors.push({ field: 'current', message: 'Your current password is not right.' });
  const weak = passwordProblem(next, [row.username]);
  if (weak) errors.push({ field: 'password', message: weak });
  else if (row.password_hash && (await verifyPassword(next, row.password_hash))) errors.push({ field: 'password', message: 'Choose a password different from the current one.' });
  if (errors.length > 0) throw new ValidationError(errors);
  const hash = await hashPassword(next);
  const at = (ctx.at ?? new Date()).toISOString();
  store.transaction(() => {
    const fresh = store.users.byId(userId)!;
    store.users.update({ ...fresh, password_hash: hash, must_change_password: 0 });
    const ended = store.sessions.destroyForUser(userId, keepSession);
    recordAudit(store, { actor: row.username, action: 'user.password_changed', target: `user:${row.username}`, client: ctx.client, at, details: { other_sessions_ended: ended } });
  });
}
