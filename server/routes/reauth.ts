import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { confirmPassword, PasswordNotConfirmed } from '../auth/confirm-password.js';
import { ForbiddenError } from '../core/errors.js';
import { FRESH_SIGNIN_SECONDS } from '../auth/oidc.js';

declare module 'fastify' {
  interface Session {
    /** The sign-in being started asks the identity provider to authenticate the person again (for signing). */
    oidcFresh?: boolean;
    /** When the identity provider last made this person sign in again (ms): one signature may follow, briefly. */
    freshSigninAt?: number;
  }
}

/** Why a signer was not re-authenticated; the route answers with the status, in JSON or on the form. */
export class ReauthRefused extends Error {
  constructor(
    readonly statusCode: 401 | 403 | 429,
    message: string,
    readonly retryAfterSeconds?: number,
    /** Where a single-sign-on signer goes to sign in again before signing. */
    readonly freshSignin?: string,
  ) {
    super(message);
    this.name = 'ReauthRefused';
  }
}

/**
 * A signature is executed by the signer proving again, at that moment, who they are (21 CFR 11.200):
 * their password, checked as a sign-in is, and counted toward the same per-account and per-address
 * limits, so signing cannot be used to guess a password. Accounts from single sign-on hold no password here.
 */
export async function reauthenticate(app: FastifyInstance, request: FastifyRequest, password: string | undefined): Promise<void> {
  const user = request.user!;
  if (user.source !== 'local') {
    // Whywiki holds no password for these accounts: the identity provider proves who signs, just before.
    if (user.source !== 'oidc' || request.authMethod !== 'session') {
      throw new ForbiddenError('You sign in through single sign-on, so Whywiki holds no password of yours to check: sign from the page in your browser, which sends you through a fresh sign-in with your identity provider.');
    }
    const at = request.session.get('freshSigninAt');
    request.session.set('freshSigninAt', undefined);
    if (at === undefined || app.clock().getTime() - at > FRESH_SIGNIN_SECONDS * 1000) {
      throw new ReauthRefused(401, `Sign in again with your identity provider to sign, then sign within ${FRESH_SIGNIN_SECONDS / 60} minutes.`, undefined, '/auth/oidc/login?fresh=1');
    }
    return;
  }
  if (!password) throw new ReauthRefused(401, 'Enter your password to sign: a signature needs you to prove again who you are.');
  try {
    await confirmPassword(app, request, password, { audited: 'wrong password when signing', wrong: 'That password is not right: nothing was signed.' });
  } catch (e) {
    if (e instanceof PasswordNotConfirmed) throw new ReauthRefused(e.statusCode, e.message, e.retryAfterSeconds);
    throw e;
  }
}

/** A refused re-authentication as a JSON error answer. */
export function sendReauthRefused(reply: FastifyReply, e: ReauthRefused): FastifyReply {
  if (e.retryAfterSeconds) reply.header('Retry-After', String(e.retryAfterSeconds));
  const error = e.statusCode === 401 ? 'Unauthorized' : e.statusCode === 429 ? 'Too Many Requests' : 'Forbidden';
  return reply.status(e.statusCode).send({ statusCode: e.statusCode, error, message: e.message, field: 'password' });
}
