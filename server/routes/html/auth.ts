import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { attemptSignIn, recordSigninRefused, recordSignOut, type SessionUser } from '../../auth/accounts.js';
import { changeOwnPassword } from '../../auth/commands/change-own-password.js';
import { ExternalSignInRefused, provisionExternalUser } from '../../auth/external.js';
import { OidcSignIn, OidcUnavailable } from '../../auth/oidc.js';
import { safeForLog } from '../../auth/log-safety.js';
import { recordAudit } from '../../audit/log.js';
import { ForbiddenError, InvalidError, NotFoundError, UnavailableError, ValidationError } from '../../core/errors.js';
import { PASSWORD_MIN } from '../../auth/password-policy.js';
import { closedForm } from './forms.js';
import { commandContext } from '../command-context.js';
import { reshowForm, type FormProblem } from './form-reshow.js';

const LOCAL = 'http://wiki.invalid';

/**
 * Only paths on this site may be a sign-in destination, so a link cannot bounce a person to another site.
 * Browsers drop tabs and newlines from a URL and read a backslash as a slash, so `/\t/evil.example`
 * would leave the site: any of those, anywhere, sends the person home instead. What is kept is the URL
 * parser's own spelling, percent-encoded, so a non-ASCII path is a valid Location header.
 */
export function safeNext(next: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const unsafe = /[\u0000-\u001f\u007f\\]/;
  if (!next || unsafe.test(next) || !next.startsWith('/') || next.startsWith('//')) return '/';
  let url: URL;
  try {
    url = new URL(next, LOCAL);
  } catch {
    return '/';
  }
  const path = `${url.pathname}${url.search}${url.hash}`;
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return '/';
  }
  if (url.origin !== LOCAL || !path.startsWith('/') || path.startsWith('//') || unsafe.test(decoded) || decoded.startsWith('//')) return '/';
  return path;
}

const LoginBody = closedForm({ username: Type.String({ maxLength: 200 }), password: Type.String({ maxLength: 1024 }), next: Type.Optional(Type.String({ maxLength: 2000 })) });
const PasswordBody = closedForm({ current: Type.String({ maxLength: 1024 }), password: Type.String({ maxLength: 1024 }), confirm: Type.String({ maxLength: 1024 }) });

const OIDC_FLOW_MS = 10 * 60 * 1000;

/** Starts a fresh session for a person who just proved who they are: a new id, so one planted earlier is worthless. */
async function beginSession(request: FastifyRequest, user: SessionUser, now: Date): Promise<void> {
  await request.session.regenerate();
  request.session.set('userId', user.id);
  request.session.set('signedInAt', now.getTime());
}

export async function authRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { auth } = app.config;
  const oidc = auth.mode === 'oidc' ? new OidcSignIn(auth.oidc!, `${app.config.publicUrl}/auth/oidc/callback`) : undefined;
  const loginView = (extra: { next: string } & Record<string, unknown>) => ({ title: 'Sign in', sso: auth.mode === 'oidc', proxy: auth.mode === 'proxy', nextParam: encodeURIComponent(extra.next), ...extra });

  r.get('/login', { config: { access: 'public' }, schema: { querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) } }, async (request, reply) => {
    if (request.user) return reply.redirect(safeNext(request.query.next), 303);
    return reply.view('login', loginView({ next: safeNext(request.query.next) }));
  });

  // Shared with re-authentication (signing), so a wrong password there counts toward the same limit.
  const limits = app.signinLimits;
  r.post('/login', { config: { access: 'public', signinForm: true }, schema: { body: LoginBody } }, async (request, reply) => {
    const { username, password } = request.body;
    const next = safeNext(request.body.next);
    if (!username.trim() || !password) {
      reply.status(401);
      return reply.view('login', loginView({ next, username, error: 'Enter your username and password.' }));
    }
    // Checked before the password, so a locked account costs no scrypt work.
    const attempt = await limits.begin(request);
    if (attempt.refused) {
      // One record per account or address and window: a flood of refused tries does not flood the log.
      if (attempt.first) recordSigninRefused(app.store, username, request.ip, attempt.refused, app.clock());
      reply.status(429).header('Retry-After', String(attempt.retryAfterSeconds));
      return reply.view('login', loginView({ next, username, error: `Too many sign-in attempts. Wait ${attempt.retryAfterSeconds} seconds, then try again.` }));
    }
    let result;
    try {
      result = await attemptSignIn(app.store, username, password, request.ip, app.clock());
    } finally {
      await attempt.finish(!result?.user);
    }
    if (!result.user) {
      reply.status(401);
      return reply.view('login', loginView({ next, username, error: 'That username and password do not match an active account.' }));
    }
    await beginSession(request, result.user, app.clock());
    return reply.redirect(result.user.mustChangePassword ? '/account/password' : next, 303);
  });

  r.post('/logout', { config: { access: 'read' } }, async (request, reply) => {
    recordSignOut(app.store, request.user!.username, request.ip);
    await request.session.destroy();
    return reply.redirect(auth.mode === 'proxy' ? '/signed-out' : '/login', 303);
  });

  r.get('/signed-out', { config: { access: 'public' } }, async (_request, reply) =>
    reply.view('signed-out', { title: 'Signed out', proxy: auth.mode === 'proxy' }),
  );

  // Choosing a new password: anyone signed in with a password here; forced after an admin's reset.
  const passwordView = (request: FastifyRequest, reply: FastifyReply, problem?: FormProblem) =>
    reply.view('account-password', { title: 'Change your password', forced: request.user!.mustChangePassword, min: PASSWORD_MIN, errors: problem?.errors ?? {}, problem });
  r.get('/account/password', { config: { access: 'read' } }, async (request, reply) => {
    if (request.user!.source !== 'local') throw new InvalidError('You sign in through single sign-on: change your password there.');
    return passwordView(request, reply);
  });
  r.post('/account/password', { config: { access: 'read' }, schema: { body: PasswordBody } }, async (request, reply) => {
    if (request.user!.source !== 'local') throw new InvalidError('You sign in through single sign-on: change your password there.');
    const { current, password, confirm } = request.body;
    try {
      if (password !== confirm) throw new ValidationError([{ field: 'confirm', message: 'The two new passwords are not the same.' }]);
      await changeOwnPassword(commandContext(app, request), { userId: request.user!.id, current, next: password, keepSession: request.session.sessionId });
    } catch (e) {
      // Passwords are never handed back into a page: the form comes back empty, with what was wrong.
      return reshowForm(reply, e, (problem) => passwordView(request, reply, problem));
    }
    // The other sessions are gone; this one gets a new id too.
    await beginSession(request, { ...request.user!, mustChangePassword: false }, app.clock());
    return reply.view('account-password', { title: 'Password changed', done: true });
  });

  // Single sign-on with OpenID Connect.
  r.get('/auth/oidc/login', { config: { access: 'public' }, schema: { querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })), fresh: Type.Optional(Type.Literal('1')) }) } }, async (request, reply) => {
    if (!oidc) throw new NotFoundError('Single sign-on is not configured here (WHYWIKI_AUTH=oidc).');
    const fresh = request.query.fresh === '1';
    let flow;
    try {
      flow = await oidc.start(fresh);
    } catch (e) {
      if (!(e instanceof OidcUnavailable)) throw e;
      request.log.error({ err: e.message }, 'single sign-on unavailable');
      throw new UnavailableError(`${e.message} Try again in a moment, or ask IT.`);
    }
    request.session.set('oidc', { state: flow.state, nonce: flow.nonce, verifier: flow.verifier, next: safeNext(request.query.next), at: app.clock().getTime() });
    request.session.set('oidcFresh', fresh);
    return reply.redirect(flow.url, 303);
  });

  r.get('/auth/oidc/callback', { config: { access: 'public' }, schema: { querystring: Type.Record(Type.String(), Type.String({ maxLength: 4000 })) } }, async (request, reply) => {
    if (!oidc) throw new NotFoundError('Single sign-on is not configured here (WHYWIKI_AUTH=oidc).');
    const flow = request.session.get('oidc');
    const fresh = request.session.get('oidcFresh') === true;
    request.session.set('oidc', undefined);
    request.session.set('oidcFresh', undefined);
    if (!flow || app.clock().getTime() - flow.at > OIDC_FLOW_MS) {
      throw new InvalidError('This sign-in was not started here, or took longer than 10 minutes. Sign in again.');
    }
    const query = request.query as Record<string, string>;
    if (query.error) {
      throw new ForbiddenError(`The identity provider refused the sign-in: ${safeForLog(query.error_description ?? query.error, 200)}`);
    }
    let identity;
    try {
      identity = await oidc.finish(new URL(request.url, app.config.publicUrl), { ...flow, fresh });
    } catch (e) {
      if (e instanceof OidcUnavailable) throw new UnavailableError(e.message);
      request.log.warn({ reason: safeForLog((e as Error).message, 300) }, 'refused a single sign-on callback');
      app.store.transaction(() => recordAudit(app.store, { actor: 'anonymous', action: 'signin.failed', target: 'oidc', client: request.ip, details: { reason: safeForLog((e as Error).message, 200) } }));
      throw new ForbiddenError('The sign-in could not be verified (its state, nonce, issuer or audience did not match). Sign in again.');
    }
    let user: SessionUser;
    try {
      user = provisionExternalUser(app.store, auth, { source: 'oidc', ...identity }, request.ip);
    } catch (e) {
      if (!(e instanceof ExternalSignInRefused)) throw e;
      recordSigninRefused(app.store, identity.username, request.ip, e.message, app.clock());
      throw new ForbiddenError(e.message);
    }
    app.store.transaction(() => {
      const row = app.store.users.byId(user.id)!;
      const now = app.clock().toISOString();
      app.store.users.update({ ...row, last_signed_in_at: now });
      recordAudit(app.store, { actor: user.username, action: 'signin.succeeded', target: `user:${user.username}`, client: request.ip, at: now, details: { method: 'oidc' } });
    });
    await beginSession(request, user, app.clock());
    // A sign-in the identity provider just made the person repeat: good for one signature, briefly.
    if (fresh) request.session.set('freshSigninAt', app.clock().getTime());
    return reply.redirect(flow.next, 303);
  });
}
