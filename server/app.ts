import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import sensible from '@fastify/sensible';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import handlebars from 'handlebars';
import type { Config } from './config.js';
import type { Store } from './store/index.js';
import { PageEvents } from './core/events.js';
import { SqliteSessionStore } from './auth/session-store.js';
import { sessionWithReadPath } from './auth/session-read-path.js';
import { SigninCsrf } from './auth/signin-csrf.js';
import { clockedRateLimitStore, SigninLimits, signinAccountKey } from './auth/signin-limits.js';
import { authorizationPlugin } from './auth/plugin.js';
import { ValidationError } from './core/errors.js';
import { sendError, storageProblem, toErrorBody } from './routes/errors.js';
import { handBackUnsaved, isHandBackCandidate } from './routes/html/unsaved.js';
import { registerHelpers, loadPartials } from './view-helpers.js';
import { ROOT, VIEWS_DIR } from './paths.js';
import fs from 'node:fs';
import { htmlRoutes } from './routes/html/index.js';
import { apiRoutes } from './routes/api/index.js';
import { turnoverApiRoutes } from './routes/api/turnover.js';
import { knowledgeTransferApiRoutes, settleHandovers } from './routes/api/knowledge-transfer.js';
import { fileRoutes } from './routes/files.js';
import { registerApiDocs } from './routes/api/openapi.js';
import { redirectRenamedPages } from './routes/renamed.js';
import { writingApiRoutes } from './routes/api/writing.js';
import { commentApiRoutes } from './routes/api/comments.js';
import { signoffApiRoutes } from './routes/api/signoff.js';
import { purgeApiRoutes } from './routes/api/purges.js';
import { SearchService, type SearchServiceOptions } from './search/client.js';
import { pageCachesPlugin } from './plugins/page-caches.js';
import { readsPass, withReadsPassing } from './plugins/write-hooks.js';
import { knowledgePlugin } from './plugins/knowledge.js';
import { commandContextPlugin } from './plugins/command-context.js';
import { integrationsPlugin } from './plugins/integrations.js';
import { integrationApiRoutes } from './routes/api/integrations.js';
import { phiScanPlugin } from './plugins/phi-scan.js';
import { syslogPlugin } from './plugins/syslog.js';
import { securityHeadersPlugin } from './plugins/security-headers.js';
import { standbyPlugin } from './plugins/standby.js';
import { storeVersionPlugin } from './plugins/store-version.js';
import { standbyApiRoutes } from './routes/api/standby.js';
import { notificationApiRoutes } from './routes/api/notifications.js';
import { notificationsPlugin } from './plugins/notifications.js';

export interface AppOptions {
  config: Config;
  store: Store;
  /** Start the search worker at once (the server does); otherwise it starts on the first search. */
  startSearch?: boolean;
  /** Fastify logger options; tests pass false. */
  logger?: FastifyServerOptions['logger'];
  /** The time, for review due dates and recorded changes; tests inject a fixed clock. */
  clock?: () => Date;
  /** Search worker settings; tests set `pollMs: 0` to decide themselves when other processes' pages are picked up. */
  search?: Pick<SearchServiceOptions, 'pollMs' | 'deltaMax' | 'backgroundBuildAbove'>;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    store: Store;
    events: PageEvents;
    searchIndex: SearchService;
    clock: () => Date;
    /** Failed passwords, at sign-in and when re-entered to sign, counted per account and per address. */
    signinLimits: SigninLimits;
  }
}

const require = createRequire(import.meta.url);
/** @fastify/multipart's request hooks. */
const MULTIPART_HOOKS: ReadonlySet<string> = new Set(['onRequest', 'preValidation', 'onResponse']);

/** The session-signing secret lives in the store, so sessions survive restarts without a config value. */
function sessionSecret(store: Store): string {
  let secret = store.getMeta('session_secret');
  if (!secret) {
    secret = randomBytes(48).toString('base64url');
    store.setMeta('session_secret', secret);
  }
  return secret;
}

/** Builds the whole application as a Fastify instance; never listens, so tests drive it with inject(). */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, store } = options;
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'] },
    bodyLimit: config.maxBodyBytes * 2 + 64 * 1024,
    // Only the configured proxies' X-Forwarded-* headers are believed; with none, nobody's are.
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('config', config);
  app.decorate('store', store);
  app.decorate('clock', options.clock ?? (() => new Date()));
  app.decorate('events', new PageEvents());
  // App services, each a small named plugin under server/plugins/.
  await app.register(storeVersionPlugin);
  await app.register(pageCachesPlugin);
  await app.register(knowledgePlugin);
  await app.register(commandContextPlugin);
  await app.register(notificationsPlugin);
  await app.register(integrationsPlugin);
  await app.register(phiScanPlugin);
  await app.register(syslogPlugin);
  app.decorate('searchIndex', new SearchService({ ...options.search, dbFile: store.file, log: app.log.child({ component: 'search' }) }));
  app.addHook('onClose', async () => app.searchIndex.close());
  if (options.startSearch) app.searchIndex.start();

  await app.register(sensible);
  await app.register(securityHeadersPlugin);
  await app.register(formbody);
  // Uploads arrive whole in the body (one file, within the attachment limit), beside the form's other
  // fields, so the CSRF check and a form's hand-back see them like any form. A file over the limit is
  // marked truncated rather than failing the request, so the form's text is not lost.
  // Its request hooks (parse, clean-up, a close listener) have nothing to do on a GET or HEAD (their
  // bodies are not parsed), so those pass them at once; the hooks keep their place before the CSRF check.
  const multipartOptions: Parameters<typeof multipart>[1] = {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: { fileSize: config.maxAttachmentBytes, files: 1, fields: 80, parts: 100, fieldSize: config.maxBodyBytes * 2 + 64 * 1024 },
    async onFile(part) {
      const data = await part.toBuffer();
      (part as unknown as { value: unknown }).value = { filename: part.filename, data, truncated: part.file.truncated };
    },
  };
  await app.register(
    fp((instance: FastifyInstance, _opts: unknown, done: (err?: Error) => void) => multipart(withReadsPassing(instance, MULTIPART_HOOKS), multipartOptions, done), {
      name: '@fastify/multipart',
      fastify: '5.x',
    }),
  );
  await app.register(cookie);
  const secret = sessionSecret(store);
  await app.register(sessionWithReadPath, {
    secret,
    cookieName: config.secureCookies ? '__Host-whywiki' : 'whywiki_session',
    store: new SqliteSessionStore(store.sessions, config.sessionIdleMs, () => app.clock().getTime(), () => store.users.authGeneration()),
    // Page views (routes declaring readOnlySession) take the session from memory; see session-read-path.ts.
    maxMs: config.sessionMaxMs,
    now: () => app.clock().getTime(),
    enabled: config.auth.mode !== 'proxy',
    saveUninitialized: false,
    // The session ends after the idle timeout without requests (and, checked by the authorization plugin,
    // after the absolute timeout whatever happens). Its expiry is moved by the authorization plugin once
    // the store says it is due (SqliteSessionStore.dueToRoll), not on every request: a page view that
    // changed nothing sends no cookie and costs no write.
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.secureCookies, path: '/', maxAge: config.sessionIdleMs },
  });
  // Only sign-in is limited, by the limiters it creates; the counts live in memory, per process.
  await app.register(rateLimit, { global: false, store: clockedRateLimitStore(() => app.clock()) });
  app.decorate('signinLimits', new SigninLimits(app, signinAccountKey, { perAccount: config.signinAttempts, perAddress: config.signinAttemptsPerAddress, windowMs: config.signinWindowMs }));
  await app.register(csrf, { sessionPlugin: '@fastify/session' });
  app.decorate('signinCsrf', new SigninCsrf(secret, config.secureCookies));
  await app.register(authorizationPlugin);
  await app.register(standbyPlugin);

  registerHelpers(handlebars, config);
  await app.register(view, {
    engine: { handlebars },
    root: VIEWS_DIR,
    layout: 'layout.hbs',
    viewExt: 'hbs',
    // Templates are compiled once; without this @fastify/view recompiles them on every request.
    production: true,
    options: { partials: loadPartials(path.join(VIEWS_DIR, 'partials')) },
  });

  await app.register(fastifyStatic, { root: path.join(VIEWS_DIR, 'assets'), prefix: '/assets/', maxAge: '1h' });
  await app.register(fastifyStatic, {
    root: path.dirname(require.resolve('@picocss/pico/css/pico.min.css')),
    prefix: '/assets/pico/',
    decorateReply: false,
    maxAge: '1d',
  });
  // Themes for the server-side syntax highlighting, served from the package rather than a CDN.
  await app.register(fastifyStatic, {
    root: path.dirname(require.resolve('highlight.js/styles/a11y-light.css')),
    prefix: '/assets/hljs/',
    decorateReply: false,
    maxAge: '1d',
  });

  app.setErrorHandler(async (error, request, reply) => {
    const body = toErrorBody(error as Error);
    if (body.statusCode >= 500 && !storageProblem(error)) request.log.error({ err: error }, 'request failed');
    const code = (error as { code?: string }).code;
    if ((code === 'FST_CSRF_INVALID_TOKEN' || code === 'FST_CSRF_MISSING_SECRET') && isHandBackCandidate(request)) {
      return handBackUnsaved(request, reply, 'expired');
    }
    const storage = storageProblem(error);
    if (storage) {
      request.log.error({ code }, storage === 'disk-full' ? 'a write failed: the disk is full' : 'a write timed out waiting for the store lock');
      if (isHandBackCandidate(request)) return handBackUnsaved(request, reply, storage);
      if (storage === 'busy') reply.header('Retry-After', '2');
    }
    return sendError(request, reply, body);
  });
  app.setNotFoundHandler(async (request, reply) =>
    sendError(request, reply, { statusCode: 404, error: 'Not Found', message: `Nothing lives at ${request.url.split('?')[0]}.` }),
  );

  // A handover whose leaving date has passed becomes the departure before anything is read.
  // A failure here (a busy or full disk) must not stop pages being served: the next request tries again.
  // The day (UTC, as a day number: no date formatted per request) and store version at which no handover
  // was left to settle: until either moves, none is.
  // A callback hook: all of it is synchronous, so a page view pays no promise or tick for it.
  let settled = '';
  app.addHook('onRequest', (request, _reply, done) => {
    settle(request);
    done();
  });
  const settle = (request: FastifyRequest): void => {
    // A standby records nothing of its own: the departure arrives from the primary.
    if (store.followedPrimary(request.storeVersion())) return;
    try {
      const now = `${Math.floor(app.clock().getTime() / 86_400_000)}\u0000${request.storeVersion()}`;
      if (now === settled) return;
      settleHandovers(app);
      // A departure recorded here must be seen by this request's own look-ups too.
      request.storeVersionChanged();
      settled = `${Math.floor(app.clock().getTime() / 86_400_000)}\u0000${request.storeVersion()}`;
    } catch (err) {
      request.log.error({ err }, 'recording a departure on its leaving date failed; will retry on the next request');
    }
  };

  // Ajv's coercion turns a string such as "1e400" or "Infinity" into a number that passes `integer`,
  // `minimum` and `maximum` unchecked (ajv-validator/ajv#2212, unfixed upstream); such a number would
  // reach SQLite or a pager and fail there. Refused here, after validation, for every route at once.
  app.addHook('preHandler', async (request) => {
    for (const part of [request.query, request.params, request.body]) {
      if (part === null || typeof part !== 'object' || Buffer.isBuffer(part)) continue;
      for (const [field, value] of Object.entries(part as Record<string, unknown>)) {
        const values: unknown[] = Array.isArray(value) ? value : [value];
        if (values.some((v) => typeof v === 'number' && !Number.isFinite(v))) {
          throw new ValidationError([{ field, message: `${field} must be a finite number.` }]);
        }
      }
    }
  });

  // Before any documented route, so the API reference sees them all.
  await registerApiDocs(app, (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  redirectRenamedPages(app);
  await app.register(htmlRoutes);
  await app.register(apiRoutes);
  await app.register(turnoverApiRoutes);
  await app.register(knowledgeTransferApiRoutes);
  await app.register(writingApiRoutes);
  await app.register(commentApiRoutes);
  await app.register(integrationApiRoutes);
  await app.register(signoffApiRoutes);
  await app.register(purgeApiRoutes);
  await app.register(notificationApiRoutes);
  await app.register(fileRoutes);
  await app.register(standbyApiRoutes);
  return app;
}
