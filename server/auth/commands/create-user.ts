import { ROLES, type Role } from '../../store/users.js';
import { recordAudit } from '../../audit/log.js';
import { ValidationError, type FieldError } from '../../core/errors.js';
import { HANDLE_PATTERN } from '../../core/rules.js';
import { hashPassword } from '../passwords.js';
import { passwordProblem } from '../password-policy.js';
import { refuseUnlessAdmin, toSessionUser, type AccountContext, type NewUser, type SessionUser } from '../accounts.js';

export type CreateUserInput = NewUser;

/** An admin (or the operator) adds an account with a password; one audit event. */
export async function createUser(ctx: AccountContext, input: CreateUserInput): Promise<SessionUser> {
  refuseUnlessAdmin(ctx);
  const { store } = ctx;
  const errors: FieldError[] = [];
  const username = input.username.trim().toLowerCase();
  if (!new RegExp(HANDLE_PATTERN).test(username)) {
    errors.push({ field: 'username', message: 'A username is 1 to 40 lowercase letters, digits, dots, dashes or underscores.' });
  }
  if (!(ROLES as readonly string[]).includes(input.role)) errors.push({ field: 'role', message: `Role must be one of: ${ROLES.join(', ')}.` });
  const weak = passwordProblem(input.password, [username]);
  if (weak) errors.push({ field: 'password', message: weak });
  if (input.person && !store.parties.get(input.person)) errors.push({ field: 'person', message: `There is no person "${input.person}".` });
  if (errors.length > 0) throw new ValidationError(errors);
  const password_hash = await hashPassword(input.password);
  const at = (ctx.at ?? new Date()).toISOString();
  return store.transaction(() => {
    if (store.users.byName(username)) throw new ValidationError([{ field: 'username', message: `The user "${username}" already exists.` }], 409);
    const id = store.users.insert({ username, password_hash, role: input.role as Role, person: input.person ?? null, created_at: at, must_change_password: input.mustChangePassword ? 1 : 0 });
    if (input.person) store.users.linkPerson(id, input.person);
    recordAudit(store, { actor: ctx.actor.username, action: 'user.created', target: `user:${username}`, client: ctx.client, at, details: { role: input.role, ...(input.person ? { person: input.person } : {}) } });
    return toSessionUser(store.users.byId(id)!);
  });
}
