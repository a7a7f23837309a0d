import type { FastifyInstance, FastifyRequest } from 'fastify';
import { verifyPassword } from './passwords.js';
import { recordAudit } from '../audit/log.js';
import { ForbiddenError } from '../core/errors.js';

/** Why a password confirming an action was not accepted: the HTTP status and the words for the person. */
export class PasswordNotConfirmed extends Error {
  constructor(
    readonly statusCode: 401 | 429,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'PasswordNotConfirmed';
  }
}

/**
 * Re-authentication for an action that takes a person's word at that moment (signing a version, approving a
 * purge): the signed-in
 * account's own password, under the same limits as signing in, so a stolen session cannot be used to
 * guess it. A wrong password is audited as a failed sign-in and counts toward the limit.
 */
export async function confirmPassword(
  app: FastifyInstance,
  request: FastifyRequest,
  password: string,
  words: { audited: string; wrong: string } = { audited: 'wrong password confirming an action', wrong: 'That is not your password: nothing was changed. Enter the password you sign in with.' },
): Promise<void> {
  const user = request.user!;
  const row = app.store.users.byName(user.username);
  if (!row?.password_hash) throw new ForbiddenError('Your account signs in through single sign-on and has no password here, so it cannot confirm this; ask an admin with a local password.');
  const attempt = await app.signinLimits.begin(request);
  if (attempt.refused) {
    throw new PasswordNotConfirmed(429, `Too many wrong passwords. Wait ${attempt.retryAfterSeconds} seconds, then try again.`, attempt.retryAfterSeconds);
  }
  let ok = false;
  try {
    ok = password.length > 0 && row.active === 1 && (await verifyPassword(password, row.password_hash));
  } finally {
    await attempt.finish(!ok);
  }
  if (!ok) {
    const at = app.clock().toISOString();
    app.store.transaction(() => recordAudit(app.store, { actor: user.username, action: 'signin.failed', target: `user:${user.username}`, client: request.ip, at, details: { reason: words.audited } }));
    throw new PasswordNotConfirmed(401, words.wrong);
  }
}
