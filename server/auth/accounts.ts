import type { Store } from '../store/index.js';
import { ROLES, type Role, type UserRow } from '../store/users.js';
import { recordAudit } from '../audit/log.js';
import { ValidationError, type FieldError } from '../pages/errors.js';
import { HANDLE_PATTERN } from '../pages/schema.js';
import { decoyHash, hashPassword, verifyPassword } from './passwords.js';
import { hashToken, newToken } from './tokens.js';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

/** The signed-in user as routes and views see it. */
export interface SessionUser {
  id: number;
  username: string;
  role: Role;
  person: string | null;
}

export function toSessionUser(row: UserRow): SessionUser {
  return { id: row.id, username: row.username, role: row.role, person: row.person };
}

export interface NewUser {
  username: string;
  password: string;
  role: string;
  person?: string | null;
}

export interface AuditContext {
  actor: string;
  client?: string | null;
}

export async function createUser(store: Store, input: NewUser, audit: AuditContext): Promise<SessionUser> {
  const errors: FieldError[] = [];
  const username = input.username.trim().toLowerCase();
  if (!new RegExp(HANDLE_PATTERN).test(username)) {
    errors.push({ field: 'username', message: 'A username is 1 to 40 lowercase letters, digits, dots, dashes or underscores.' });
  }
  if (!(ROLES as readonly string[]).includes(input.role)) errors.push({ field: 'role', message: `Role must be one of: ${ROLES.join(', ')}.` });
  if (input.password.length < PASSWORD_MIN || input.password.length > PASSWORD_MAX) {
    errors.push({ field: 'password', message: `A password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long.` });
  }
  if (input.person && !store.parties.get(input.person)) errors.push({ field: 'person', message: `There is no person "${input.person}".` });
  if (errors.length > 0) throw new ValidationError(errors);
  const password_hash = await hashPassword(input.password);
  return store.transaction(() => {
    if (store.users.byName(username)) throw new ValidationError([{ field: 'username', message: `The user "${username}" already exists.` }], 409);
    const created_at = new Date().toISOString();
    const id = store.users.insert({ username, password_hash, role: input.role as Role, person: input.person ?? null, created_at });
    recordAudit(store, { actor: audit.actor, action: 'user.created', target: `user:${username}`, client: audit.client, details: { role: input.role } });
    return toSessionUser(store.users.byId(id)!);
  });
}

/**
 * Checks a username and password. An unknown user costs the same scrypt work as a wrong password,
 * so the two cannot be told apart by timing. Every attempt is audited.
 */
export async function signIn(store: Store, username: string, password: string, client: string | null): Promise<SessionUser | null> {
  const row = store.users.byName(username.trim());
  const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash()));
  const user = row && row.active === 1 && ok ? row : undefined;
  store.transaction(() =>
    recordAudit(store, {
      actor: user ? user.username : 'anonymous',
      action: user ? 'signin.succeeded' : 'signin.failed',
      target: `user:${username.trim().toLowerCase().slice(0, 64)}`,
      client,
    }),
  );
  return user ? toSessionUser(user) : null;
}

export function recordSignOut(store: Store, username: string, client: string | null): void {
  store.transaction(() => recordAudit(store, { actor: username, action: 'signout', target: `user:${username}`, client }));
}

export function createApiToken(store: Store, username: string, label: string | null, audit: AuditContext): string {
  const { token, hash } = newToken();
  store.transaction(() => {
    const user = store.users.byName(username);
    if (!user) throw new ValidationError([{ field: 'username', message: `There is no user "${username}".` }]);
    const id = store.users.insertToken(user.id, hash, label, new Date().toISOString());
    recordAudit(store, { actor: audit.actor, action: 'token.created', target: `user:${user.username}`, client: audit.client, details: { token_id: id, label } });
  });
  return token;
}

const TOKEN_TOUCH_MS = 60_000;

export function userForToken(store: Store, token: string): SessionUser | null {
  const row = store.users.byTokenHash(hashToken(token));
  if (!row || row.active !== 1) return null;
  // "Last used" is for people reviewing tokens, to the minute: recording every request would make
  // each API read a disk write.
  const now = Date.now();
  if (!row.token_last_used_at || now - Date.parse(row.token_last_used_at) > TOKEN_TOUCH_MS) store.users.touchToken(row.token_id, new Date(now).toISOString());
  return toSessionUser(row);
}

export function userById(store: Store, id: number): SessionUser | null {
  const row = store.users.byId(id);
  return row && row.active === 1 ? toSessionUser(row) : null;
}
