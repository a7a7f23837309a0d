import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { changeOwnPassword, recordSignOut, signIn, type SessionUser } from '../../auth/accounts.js';
import { ExternalSignInRefused, provisionExternalUser } from '../../auth/external.js';
import { OidcSignIn, OidcUnavailable } from '../../auth/oidc.js';
import { safeForLog } from '../../auth/log-safety.js';
import { recordAudit } from '../../audit/log.js';
import { ValidationError } from '../../core/errors.js';
import { PASSWORD_MIN } from '../../auth/password-policy.js';
import { sendError } from '../errors.js';
import { closedForm } from './forms.js';

/** Only local paths may be a sign-in destination, so the form cannot bounce a person to another site. */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

const LoginBody = closedForm({ username: Type.String({ maxLength: 200 }), password: Type.String({ maxLength: 1024 }), next: Type.Optional(Type.String({ maxLength: 2000 })) });
const PasswordBody = closedForm({ current: Type.String({ maxLength: 1024 }), password: Type.String({ maxLength: 1024 }), confirm: Type.String({ maxLength: 1024 }) });

const OIDC_FLOW_MS = 10 * 60 * 1000;

/** Starts a fresh session for a person who just proved who they are: a new id, so one planted earlier is worthless. */
async function beginSession(request: FastifyRequest, user: SessionUser): Promise<void> {
  await request.session.regenerate();
  request.session.set('userId', user.id);
  request.session.set('signedInAt', Date.now());
}

export async function authRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { auth } = app.config;
  const oidc = auth.mode === 'oidc' ? new OidcSignIn(auth.oidc!, `${app.config.publicUrl}/auth/oidc/callback`) : undefined;
  const loginView = (extra: Record<string, unknown>) => ({ title: 'Sign in', sso: auth.mode === 'oidc', proxy: auth.mode === 'proxy', ...extra });

  r.get('/login', { config: { access: 'public' }, schema: { querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) } }, async (request, reply) => {
    if (request.user) return reply.redirect(safeNext(request.query.next), 303);
    return reply.view('login', loginView({ next: safeNext(request.query.next) }));
  });

  const window = app.config.signinWindowMs;
  const accountLimiter = app.rateLimit({
    max: app.config.signinAttempts,
    timeWindow: window,
    groupId: 'signin-account',
    keyGenerator: (request) => `account:${String((request.body as { username?: unknown } | undefined)?.username ?? '').trim().toLowerCase().slice(0, 200)}`,
  });
  // @fastify/rate-limit runs one limiter per request (it marks the request once the address limit ran);
  // the account limit is a second, independent count, so the mark is cleared before it runs.
  const perAccount = async (request: FastifyRequest, reply: FastifyReply) => {
    for (const s of Object.getOwnPropertySymbols(request)) if (s.description === 'fastify.request.rateLimitRan') (request as unknown as Record<symbol, boolean>)[s] = false;
    return accountLimiter.call(app, request, reply);
  };
  r.post(
    '/login',
    {
      // Two limits: per client address (in onRequest, before any work), and per account name (once the body is read).
      config: { access: 'public', rateLimit: { max: app.config.signinAttemptsPerAddress, timeWindow: window, groupId: 'signin-address' } },
      preHandler: perAccount,
      schema: { body: LoginBody },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const next = safeNext(request.body.next);
      const user = username.trim() && password ? await signIn(app.store, username, password, request.ip) : null;
      if (!user) {
        reply.status(401);
        return reply.view('login', loginView({ next, username, error: 'That username and password do not match an active account.' }));
      }
      await beginSession(request, user);
      return reply.redirect(user.mustChangePassword ? '/account/password' : next, 303);
    },
  );

  r.post('/logout', { config: { access: 'read' } }, async (request, reply) => {
    recordSignOut(app.store, request.user!.username, request.ip);
    await request.session.destroy();
    return reply.redirect(auth.mode === 'proxy' ? '/signed-out' : '/login', 303);
  });

  r.get('/signed-out', { config: { access: 'public' } }, async (_request, reply) =>
    reply.view('signed-out', { title: 'Signed out', proxy: auth.mode === 'proxy' }),
  );

  // Choosing a new password: anyone signed in with a password here; forced after an admin's reset.
  const passwordView = (request: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    reply.view('account-password', { title: 'Change your password', forced: request.user!.mustChangePassword, min: PASSWORD_MIN, ...extra });
  r.get('/account/password', { config: { access: 'read' } }, async (request, reply) => {
    if (request.user!.source !== 'local') return sendError(request, reply, { statusCode: 400, error: 'Bad Request', message: 'You sign in through single sign-on: change your password there.' });
    return passwordView(request, reply);
  });
  r.post('/account/password', { config: { access: 'read' }, schema: { body: PasswordBody } }, async (request, reply) => {
    if (request.user!.source !== 'local') return sendError(request, reply, { statusCode: 400, error: 'Bad Request', message: 'You sign in through single sign-on: change your password there.' });
    const { current, password, confirm } = request.body;
    try {
      if (password !== confirm) throw new ValidationError([{ field: 'confirm', message: 'The two new passwords are not the same.' }]);
      await changeOwnPassword(app.store, request.user!.id, current, password, request.session.sessionId, request.ip);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      reply.status(400);
      return passwordView(request, reply, { errors: Object.fromEntries(e.errors.map((x) => [x.field, x.message])) });
    }
    // The other sessions are gone; this one gets a new id too.
    await beginSession(request, { ...request.user!, mustChangePassword: false });
    return reply.view('account-password', { title: 'Password changed', done: true });
  });

  // Single sign-on with OpenID Connect.
  r.get('/auth/oidc/login', { config: { access: 'public' }, schema: { querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) } }, async (request, reply) => {
    if (!oidc) return sendError(request, reply, { statusCode: 404, error: 'Not Found', message: 'Single sign-on is not configured here (WHYWIKI_AUTH=oidc).' });
    let flow;
    try {
      flow = await oidc.start();
    } catch (e) {
      if (!(e instanceof OidcUnavailable)) throw e;
      request.log.error({ err: e.message }, 'single sign-on unavailable');
      return sendError(request, reply, { statusCode: 503, error: 'Service Unavailable', message: `${e.message} Try again in a moment, or ask IT.` });
    }
    request.session.set('oidc', { state: flow.state, nonce: flow.nonce, verifier: flow.verifier, next: safeNext(request.query.next), at: Date.now() });
    return reply.redirect(flow.url, 303);
  });

  r.get('/auth/oidc/callback', { config: { access: 'public' }, schema: { querystring: Type.Record(Type.String(), Type.String({ maxLength: 4000 })) } }, async (request, reply) => {
    if (!oidc) return sendError(request, reply, { statusCode: 404, error: 'Not Found', message: 'Single sign-on is not configured here (WHYWIKI_AUTH=oidc).' });
    const flow = request.session.get('oidc');
    request.session.set('oidc', undefined);
    if (!flow || Date.now() - flow.at > OIDC_FLOW_MS) {
      return sendError(request, reply, { statusCode: 400, error: 'Bad Request', message: 'This sign-in was not started here, or took longer than 10 minutes. Sign in again.' });
    }
    const query = request.query as Record<string, string>;
    if (query.error) {
      return sendError(request, reply, { statusCode: 403, error: 'Forbidden', message: `The identity provider refused the sign-in: ${safeForLog(query.error_description ?? query.error, 200)}` });
    }
    let identity;
    try {
      identity = await oidc.finish(new URL(request.url, app.config.publicUrl), flow);
    } catch (e) {
      if (e instanceof OidcUnavailable) return sendError(request, reply, { statusCode: 503, error: 'Service Unavailable', message: e.message });
      request.log.warn({ reason: safeForLog((e as Error).message, 300) }, 'refused a single sign-on callback');
      app.store.transaction(() => recordAudit(app.store, { actor: 'anonymous', action: 'signin.failed', target: 'oidc', client: request.ip, details: { reason: safeForLog((e as Error).message, 200) } }));
      return sendError(request, reply, { statusCode: 403, error: 'Forbidden', message: 'The sign-in could not be verified (its state, nonce, issuer or audience did not match). Sign in again.' });
    }
    let user: SessionUser;
    try {
      user = provisionExternalUser(app.store, auth, { source: 'oidc', ...identity }, request.ip);
    } catch (e) {
      if (!(e instanceof ExternalSignInRefused)) throw e;
      return sendError(request, reply, { statusCode: 403, error: 'Forbidden', message: e.message });
    }
    app.store.transaction(() => {
      const row = app.store.users.byId(user.id)!;
      app.store.users.update({ ...row, last_signed_in_at: new Date().toISOString() });
      recordAudit(app.store, { actor: user.username, action: 'signin.succeeded', target: `user:${user.username}`, client: request.ip, details: { method: 'oidc' } });
    });
    await beginSession(request, user);
    return reply.redirect(flow.next, 303);
  });
}
