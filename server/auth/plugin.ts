import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import proxyAddr from 'proxy-addr';
import { userById, userForToken, type SessionUser } from './accounts.js';
import { provisionExternalUser, ExternalSignInRefused } from './external.js';
import { hiddenSlugs, NOBODY, NOTHING_HIDDEN, viewerFor, type Viewer } from './visibility.js';
import { safeForLog } from './log-safety.js';
import { AuthCache } from './auth-cache.js';
import { SqliteSessionStore } from './session-store.js';
import { hashToken } from './tokens.js';
import { NotFoundError } from '../core/errors.js';
import { roleAllows, type Access } from '../core/permissions.js';
import { sendError, wantsJson } from '../routes/errors.js';
import { handBackUnsaved } from '../routes/html/unsaved.js';

// Who may call a route: every route must declare an Access; the app refuses to start otherwise.
export { roleAllows, type Access };

declare module 'fastify' {
  interface FastifyRequest {
    user: SessionUser | null;
    /** Set when a posted form cannot be accepted but its text must be handed back. */
    unsaved?: 'signed-out' | 'expired';
    authMethod: 'session' | 'token' | 'proxy' | null;
    /** Who is looking, for restricted pages; and the restricted pages this viewer may not see. */
    viewer: Viewer;
    hidden: Set<string>;
  }
  interface FastifyContextConfig {
    access?: Access;
    /** The form was shown to someone not yet signed in: its CSRF token comes from SigninCsrf. */
    signinForm?: boolean;
  }
  interface FastifyInstance {
    /** Every route with its access level, as registered: for tests and the API reference. */
    routeTable: { method: string; url: string; access: Access }[];
  }
  interface Session {
    userId?: number;
    /** When this session signed in (ms since the epoch): the absolute timeout counts from here. */
    signedInAt?: number;
    /** OpenID Connect's state, nonce and PKCE verifier between the redirect and the callback. */
    oidc?: { state: string; nonce: string; verifier: string; next: string; at: number };
  }
}

/**
 * A restricted page does not exist for those outside its teams: not the page, not its history, not its
 * diffs. Checked once the address and body have passed the same checks a missing page's would, and
 * answered with a missing page's own error, so that hidden and missing look alike byte for byte.
 */
async function hideRestricted(request: FastifyRequest): Promise<void> {
  const slug = (request.params as { slug?: unknown } | undefined)?.slug;
  if (typeof slug === 'string' && request.hidden?.has(slug)) throw new NotFoundError(`There is no page "${slug}".`);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A token's "last used" is recorded to the minute (see userForToken): a remembered token is looked up again this often. */
const TOKEN_RECHECK_MS = 60_000;

/** What a session or token resolved to: the account, and what it may see. */
interface Resolved {
  user: SessionUser;
  viewer: Viewer;
  hidden: Set<string>;
  at: number;
}

/** What a person who must choose a new password may still reach. */
const WHILE_PASSWORD_MUST_CHANGE = new Set(['/account/password', '/logout', '/healthz']);

/**
 * Prefixes whose routes are registered by plugins that take no route config: @fastify/static's assets
 * (public) and the API reference pages of @fastify/swagger-ui (signed-in users).
 */
const PREFIX_ACCESS: [prefix: string, access: Access][] = [['/assets/', 'public'], ['/api/docs', 'read']];

async function authorization(app: FastifyInstance): Promise<void> {
  app.decorateRequest('user', null);
  app.decorateRequest('authMethod', null);
  app.decorateRequest('viewer', null as unknown as Viewer);
  app.decorateRequest('hidden', null as unknown as Set<string>);
  app.decorate('routeTable', []);

  app.addHook('onRoute', (route) => {
    const preset = PREFIX_ACCESS.find(([p]) => route.url === p || route.url.startsWith(p.endsWith('/') ? p : `${p}/`))?.[1];
    if (preset) route.config = { ...(route.config as object), access: preset };
    if (preset === 'public') return;
    const access = (route.config as { access?: Access } | undefined)?.access;
    if (!access) throw new Error(`Route ${String(route.method)} ${route.url} declares no access level`);
    // Last of the route's own steps, after every app-wide one (the view's user menu included).
    if (route.url.includes(':slug')) route.preHandler = [...(route.preHandler ? [route.preHandler].flat() : []), hideRestricted];
    for (const method of [route.method].flat()) app.routeTable.push({ method, url: route.url, access });
  });

  const resolved = new AuthCache<Resolved>();
  const resolve = (user: SessionUser, at: number): Resolved => {
    const viewer = viewerFor(app.store, user);
    return { user, viewer, hidden: hiddenSlugs(app.store, viewer), at };
  };

  const proxy = app.config.auth.mode === 'proxy' ? app.config.auth.proxy! : undefined;
  const trustedProxy = proxy ? proxyAddr.compile(proxy.trusted) : undefined;

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const remoteUser = proxy ? request.headers[proxy.userHeader] : undefined;
    // Read once per request, before anything it guards: the sign-in resolved below is remembered under it.
    const generation = app.store.authGenerationAt(request.storeVersion());
    let known: Resolved | undefined;
    if (header?.startsWith('Bearer ')) {
      const token = header.slice(7).trim();
      const key = `t:${hashToken(token)}`;
      const now = app.clock();
      known = resolved.get(key, generation);
      if (!known || now.getTime() - known.at >= TOKEN_RECHECK_MS) {
        const user = userForToken(app.store, token, now);
        known = user ? resolve(user, now.getTime()) : undefined;
        if (known) resolved.set(key, known, generation);
        else resolved.delete(key);
      }
      request.user = known?.user ?? null;
      request.authMethod = request.user ? 'token' : null;
      if (!request.user) return sendError(request, reply, { statusCode: 401, error: 'Unauthorized', message: 'The API token is unknown, revoked, or belongs to a deactivated user.' });
    } else if (proxy && typeof remoteUser === 'string' && remoteUser.trim() !== '') {
      // The header is only believed from the proxy itself; from anywhere else it is someone pretending.
      if (!trustedProxy!(request.socket.remoteAddress ?? '', 0)) {
        request.log.warn({ from: request.socket.remoteAddress, header: proxy.userHeader }, 'ignored a user header from an address that is not a trusted proxy');
      } else {
        try {
          const groupsHeader = proxy.rolesHeader ? request.headers[proxy.rolesHeader] : undefined;
          const groups = proxy.rolesHeader ? String(groupsHeader ?? '').split(/[,;]/).map((g) => g.trim()).filter(Boolean) : undefined;
          request.user = provisionExternalUser(app.store, app.config.auth, { source: 'proxy', subject: remoteUser.trim(), username: remoteUser.trim(), groups }, request.ip);
        } catch (e) {
          if (!(e instanceof ExternalSignInRefused)) throw e;
          return sendError(request, reply, { statusCode: 403, error: 'Forbidden', message: e.message });
        }
        request.authMethod = 'proxy';
        // The proxy vouches for every request; the session only carries the CSRF secret, and follows the person.
        if (request.session.userId !== request.user.id) {
          if (request.session.userId !== undefined) await request.session.regenerate();
          request.session.set('userId', request.user.id);
          request.session.set('signedInAt', app.clock().getTime());
        }
      }
    } else if (request.session?.userId !== undefined) {
      const signedInAt = request.session.signedInAt ?? 0;
      if (app.clock().getTime() - signedInAt > app.config.sessionMaxMs) {
        // The absolute timeout: however active, a session ends this long after its sign-in.
        await request.session.destroy();
      } else {
        const key = `s:${request.session.sessionId}`;
        known = resolved.get(key, generation);
        if (!known || known.user.id !== request.session.userId) {
          const user = userById(app.store, request.session.userId);
          known = user ? resolve(user, app.clock().getTime()) : undefined;
          if (known) resolved.set(key, known, generation);
        }
        request.user = known?.user ?? null;
        request.authMethod = request.user ? 'session' : null;
        // Moving the expiry: saved now, so the cookie goes out with the answer (a changed session is saved anyway).
        if (request.user && request.sessionStore instanceof SqliteSessionStore && request.sessionStore.dueToRoll(request.session.sessionId)) {
          request.session.touch();
          await request.session.save();
        }
      }
    }
    const access = request.routeOptions.config.access ?? 'read';
    if (access === 'public') {
      // Sign-in pages and assets list no pages: nothing to look up.
      request.viewer = NOBODY;
      request.hidden = NOTHING_HIDDEN as Set<string>;
      return;
    }
    if (known) {
      request.viewer = known.viewer;
      request.hidden = known.hidden;
    } else {
      request.viewer = viewerFor(app.store, request.user);
      request.hidden = hiddenSlugs(app.store, request.viewer);
    }
    if (!request.user) {
      if (wantsJson(request)) {
        return sendError(request, reply, { statusCode: 401, error: 'Unauthorized', message: 'Sign in, or send an API token as "Authorization: Bearer <token>".' });
      }
      // A form posted after the session ended still carries the person's text: answer once the body
      // is parsed (preHandler), so it can be handed back instead of lost.
      if (request.method === 'POST' && request.routeOptions.url !== '/logout') {
        request.unsaved = 'signed-out';
        return;
      }
      return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    }
    if (request.user.mustChangePassword && request.authMethod === 'session' && !WHILE_PASSWORD_MUST_CHANGE.has(request.routeOptions.url ?? '')) {
      if (wantsJson(request)) return sendError(request, reply, { statusCode: 403, error: 'Forbidden', message: 'Choose a new password first: an administrator reset yours. Open /account/password.' });
      return reply.redirect('/account/password', 303);
    }
    if (!roleAllows(request.user.role, access)) {
      const need = access === 'write' ? 'an editor or admin' : access === 'audit' ? 'an auditor or admin' : access === 'admin' ? 'an admin' : 'signed in';
      return sendError(request, reply, { statusCode: 403, error: 'Forbidden', message: `Your role (${request.user.role}) cannot do this: you must be ${need}.` });
    }
  });

  // Browsers send cookies by themselves, so every cookie-authenticated write must prove it came from our
  // own form or script. Token clients are not browsers and need no CSRF token.
  // Before the body is validated: a refused or signed-out request is answered as such, not with a field error.
  app.addHook('preValidation', (request, reply, done) => {
    if (SAFE_METHODS.has(request.method) || request.authMethod === 'token') return done();
    // The Origin check comes before handing a form's text back: a page on another site must not be able
    // to post text and have this site show it.
    const foreign = foreignOrigin(request, app.config.publicUrl);
    if (foreign) {
      request.log.warn({ origin: safeForLog(foreign) }, 'refused a write sent from another site');
      return void sendError(request, reply, { statusCode: 403, error: 'Forbidden', message: `This request came from another site (${safeForLog(foreign, 200)}); Whywiki only accepts changes sent from its own pages.` }).then(() => done(), done);
    }
    if (request.unsaved) return void handBackUnsaved(request, reply, request.unsaved).then(() => done(), done);
    // The sign-in form is shown before there is a session: its token is checked against its own cookie.
    if (request.routeOptions.config.signinForm && app.signinCsrf.verify(request)) return done();
    // A refused token is answered by the error handler, which hands a form's text back.
    app.csrfProtection(request, reply, done);
  });

  app.addHook('onSend', async (request, reply) => {
    if (request.user) reply.header('Cache-Control', 'no-store');
  });
}

/**
 * The site a browser says a write came from, when it is not this one. Browsers send Origin on every
 * POST; `Sec-Fetch-Site` covers the few that leave it out. Without WHYWIKI_PUBLIC_URL the host named
 * in the request is the reference (the scheme is not compared: a TLS proxy in front changes it).
 */
function foreignOrigin(request: FastifyRequest, publicUrl: string | undefined): string | null {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (origin === 'null') return 'null';
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return origin;
    }
    if (publicUrl) return url.origin === new URL(publicUrl).origin ? null : origin;
    return url.host === normalHost(request.headers.host) ? null : origin;
  }
  return request.headers['sec-fetch-site'] === 'cross-site' ? 'another site' : null;
}

/** A Host header as URL.host writes it: default ports left out. */
function normalHost(host: string | undefined): string {
  if (!host) return '';
  try {
    return new URL(`http://${host}`).host.replace(/:443$/, '');
  } catch {
    return host;
  }
}

export const authorizationPlugin = fp(authorization, { name: 'authorization', dependencies: ['@fastify/session', '@fastify/csrf-protection'] });
