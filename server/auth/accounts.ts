import type { Store } from '../store/index.js';
import type { Role, UserRow } from '../store/users.js';
import { recordAudit } from '../audit/log.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../core/errors.js';
import { decoyHash, verifyPassword } from './passwords.js';
import { safeForLog } from './log-safety.js';
import { hashToken } from './tokens.js';

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

import type { CommandContext } from '../core/context.js';
import { roleAllows } from '../core/permissions.js';

/** Who changes accounts: the command context's store, actor, client, clock and PHI guard. */
export type AccountContext = Pick<CommandContext, 'store' | 'actor' | 'client' | 'at' | 'phi'>;

/** Only an admin manages other people's accounts. An actor without a role is the operator (CLI, setup). */
export function refuseUnlessAdmin(ctx: Pick<CommandContext, 'actor'>): void {
  if (ctx.actor.role !== undefined && !roleAllows(ctx.actor.role, 'admin')) throw new ForbiddenError('Only an admin can manage accounts.');
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

export function userOrFail(store: Store, username: string): UserRow {
  const row = store.users.byName(username);
  if (!row) throw new NotFoundError(`There is no user "${username}".`);
  return row;
}

/** Keeps at least one active admin, so the wiki can always be administered. */
export function keepAnAdmin(store: Store, row: UserRow, field: string): void {
  if (row.role === 'admin' && row.active === 1 && store.users.activeAdmins() <= 1) {
    throw new ValidationError([{ field, message: `${row.username} is the only active admin: make someone else an admin first.` }]);
  }
}





