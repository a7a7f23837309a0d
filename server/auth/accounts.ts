import type { Store } from '../store/index.js';
import { ROLES, type Role, type UserRow } from '../store/users.js';
import { recordAudit } from '../audit/log.js';
import { NotFoundError, ValidationError, type FieldError } from '../core/errors.js';
import { HANDLE_PATTERN } from '../core/rules.js';
import { refuseIfPhi, type PhiGuard } from '../phi/guard.js';
import { decoyHash, hashPassword, randomPassword, verifyPassword } from './passwords.js';
import { passwordProblem } from './password-policy.js';
import { safeForLog } from './log-safety.js';
import { hashToken, newToken } from './tokens.js';

export { PASSWORD_MIN, PASSWORD_MAX } from './password-policy.js';

/** The signed-in user as routes and views see it. */
export interface SessionUser {
  id: number;
  username: string;
  role: Role;
  person: string | null;
  /** An admin reset the password: nothing but choosing a new one is allowed until then. */
  mustChangePassword: boolean;
  source: UserRow['auth_source'];
}

export function toSessionUser(row: UserRow): SessionUser {
  return { id: row.id, username: row.username, role: row.role, person: row.person, mustChangePassword: row.must_change_password === 1, source: row.auth_source };
}

export interface NewUser {
  username: string;
  password: string;
  role: string;
  person?: string | null;
  /** The password is a temporary one the admin hands over: the first sign-in must replace it. */
  mustChangePassword?: boolean;
}

export type { AuditContext } from '../core/context.js';
import type { AuditContext } from '../core/context.js';

export async function createUser(store: Store, input: NewUser, audit: AuditContext): Promise<SessionUser> {
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
  return store.transaction(() => {
    if (store.users.byName(username)) throw new ValidationError([{ field: 'username', message: `The user "${username}" already exists.` }], 409);
    const created_at = new Date().toISOString();
    const id = store.users.insert({ username, password_hash, role: input.role as Role, person: input.person ?? null, created_at, must_change_password: input.mustChangePassword ? 1 : 0 });
    if (input.person) store.users.linkPerson(id, input.person);
    recordAudit(store, { actor: audit.actor, action: 'user.created', target: `user:${username}`, client: audit.client, details: { role: input.role, ...(input.person ? { person: input.person } : {}) } });
    return toSessionUser(store.users.byId(id)!);
  });
}

/** Why a sign-in did not succeed, as the audit log records it (the person is told none of this). */
export type SigninFailure = 'unknown account' | 'wrong password' | 'no password here (single sign-on)' | 'deactivated';
export type SigninResult = { user: SessionUser } | { user: null; reason: SigninFailure };

/**
 * Checks a username and password. An unknown user costs the same scrypt work as a wrong password,
 * so the two cannot be told apart by timing. Every attempt is audited: a success as signin.succeeded, bad
 * credentials as signin.failed, a deactivated account as signin.refused, each failure with its reason.
 */
export async function attemptSignIn(store: Store, username: string, password: string, client: string | null, now: Date = new Date()): Promise<SigninResult> {
  const row = store.users.byName(username.trim());
  // Accounts from single sign-on have no password here; they cost the same work as any other miss.
  const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash()));
  const reason: SigninFailure | null = !row ? 'unknown account' : !row.password_hash ? 'no password here (single sign-on)' : !ok ? 'wrong password' : row.active !== 1 ? 'deactivated' : null;
  store.transaction(() => {
    if (!reason) store.users.update({ ...row!, last_signed_in_at: now.toISOString() });
    recordAudit(store, {
      actor: reason ? 'anonymous' : row!.username,
      action: !reason ? 'signin.succeeded' : reason === 'deactivated' ? 'signin.refused' : 'signin.failed',
      target: `user:${safeForLog(username.trim().toLowerCase(), 64)}`,
      client,
      at: now.toISOString(),
      ...(reason ? { details: { reason } } : {}),
    });
  });
  return reason ? { user: null, reason } : { user: toSessionUser(row!) };
}

/** The signed-in user, or null: attemptSignIn without the reason. */
export async function signIn(store: Store, username: string, password: string, client: string | null): Promise<SessionUser | null> {
  return (await attemptSignIn(store, username, password, client)).user;
}

/** A sign-in refused before its password was checked (too many failures); never the password itself. */
export function recordSigninRefused(store: Store, username: string, client: string | null, reason: string, now: Date = new Date()): void {
  store.transaction(() =>
    recordAudit(store, { actor: 'anonymous', action: 'signin.refused', target: `user:${safeForLog(username.trim().toLowerCase(), 64)}`, client, at: now.toISOString(), details: { reason } }),
  );
}

export function recordSignOut(store: Store, username: string, client: string | null): void {
  store.transaction(() => recordAudit(store, { actor: username, action: 'signout', target: `user:${username}`, client }));
}

/** `phi` checks the label, which is shown to admins and kept in the audit trail; absent only for trusted callers (tests). */
export function createApiToken(store: Store, username: string, label: string | null, audit: AuditContext, phi?: PhiGuard): string {
  refuseIfPhi(phi, { label });
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

export function userForToken(store: Store, token: string, at: Date = new Date()): SessionUser | null {
  const row = store.users.byTokenHash(hashToken(token));
  if (!row || row.active !== 1) return null;
  // "Last used" is for people reviewing tokens, to the minute: recording every request would make
  // each API read a disk write.
  const now = at.getTime();
  if (!row.token_last_used_at || now - Date.parse(row.token_last_used_at) > TOKEN_TOUCH_MS) store.users.touchToken(row.token_id, at.toISOString());
  return toSessionUser(row);
}

export function userById(store: Store, id: number): SessionUser | null {
  const row = store.users.byId(id);
  return row && row.active === 1 ? toSessionUser(row) : null;
}

function userOrFail(store: Store, username: string): UserRow {
  const row = store.users.byName(username);
  if (!row) throw new NotFoundError(`There is no user "${username}".`);
  return row;
}

/** Keeps at least one active admin, so the wiki can always be administered. */
function keepAnAdmin(store: Store, row: UserRow, field: string): void {
  if (row.role === 'admin' && row.active === 1 && store.users.activeAdmins() <= 1) {
    throw new ValidationError([{ field, message: `${row.username} is the only active admin: make someone else an admin first.` }]);
  }
}

export function changeRole(store: Store, username: string, role: string, audit: AuditContext): void {
  if (!(ROLES as readonly string[]).includes(role)) throw new ValidationError([{ field: 'role', message: `Role must be one of: ${ROLES.join(', ')}.` }]);
  store.transaction(() => {
    const row = userOrFail(store, username);
    if (row.role === role) return;
    if (role !== 'admin') keepAnAdmin(store, row, 'role');
    store.users.update({ ...row, role: role as Role });
    recordAudit(store, { actor: audit.actor, action: 'role.changed', target: `user:${row.username}`, client: audit.client, details: { from: row.role, to: role } });
  });
}

/** Deactivating ends every session and stops every token of the account at once; nothing is deleted. */
export function setUserActive(store: Store, username: string, active: boolean, audit: AuditContext): void {
  store.transaction(() => {
    const row = userOrFail(store, username);
    if ((row.active === 1) === active) return;
    if (!active) {
      if (row.username === audit.actor) throw new ValidationError([{ field: 'active', message: 'You cannot deactivate your own account.' }]);
      keepAnAdmin(store, row, 'active');
    }
    store.users.update({ ...row, active: active ? 1 : 0 });
    const ended = active ? 0 : store.sessions.destroyForUser(row.id);
    recordAudit(store, { actor: audit.actor, action: active ? 'user.reactivated' : 'user.deactivated', target: `user:${row.username}`, client: audit.client, details: active ? {} : { sessions_ended: ended } });
  });
}

/**
 * An admin resets a password: a temporary one, returned once to be handed over, that must be replaced
 * at the next sign-in. Every session of the account ends.
 */
export async function resetPassword(store: Store, username: string, audit: AuditContext): Promise<string> {
  const row = userOrFail(store, username);
  if (row.auth_source !== 'local') throw new ValidationError([{ field: 'password', message: `${row.username} signs in through ${row.auth_source === 'oidc' ? 'single sign-on' : 'the proxy'}; their password is kept there.` }]);
  const temporary = randomPassword();
  const hash = await hashPassword(temporary);
  store.transaction(() => {
    const current = userOrFail(store, username);
    store.users.update({ ...current, password_hash: hash, must_change_password: 1 });
    const ended = store.sessions.destroyForUser(current.id);
    recordAudit(store, { actor: audit.actor, action: 'user.password_reset', target: `user:${current.username}`, client: audit.client, details: { sessions_ended: ended } });
  });
  return temporary;
}

/**
 * A person changes their own password, proving the current one. Every other session of theirs ends;
 * the caller gives the current session a new id.
 */
export async function changeOwnPassword(store: Store, userId: number, current: string, next: string, keepSession: string, client: string | null): Promise<void> {
  const row = store.users.byId(userId);
  if (!row || row.active !== 1) throw new NotFoundError('Your account is no longer active.');
  const errors: FieldError[] = [];
  if (!row.password_hash || !(await verifyPassword(current, row.password_hash))) errors.push({ field: 'current', message: 'Your current password is not right.' });
  const weak = passwordProblem(next, [row.username]);
  if (weak) errors.push({ field: 'password', message: weak });
  else if (row.password_hash && (await verifyPassword(next, row.password_hash))) errors.push({ field: 'password', message: 'Choose a password different from the current one.' });
  if (errors.length > 0) throw new ValidationError(errors);
  const hash = await hashPassword(next);
  store.transaction(() => {
    const fresh = store.users.byId(userId)!;
    store.users.update({ ...fresh, password_hash: hash, must_change_password: 0 });
    const ended = store.sessions.destroyForUser(userId, keepSession);
    recordAudit(store, { actor: row.username, action: 'user.password_changed', target: `user:${row.username}`, client, details: { other_sessions_ended: ended } });
  });
}

export function revokeApiToken(store: Store, username: string, tokenId: number, audit: AuditContext): void {
  store.transaction(() => {
    const row = userOrFail(store, username);
    if (!store.users.revokeToken(row.id, tokenId, new Date().toISOString())) throw new NotFoundError(`${row.username} has no live token #${tokenId}.`);
    recordAudit(store, { actor: audit.actor, action: 'token.revoked', target: `user:${row.username}`, client: audit.client, details: { token_id: tokenId } });
  });
}
