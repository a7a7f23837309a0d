import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import session, { type FastifySessionOptions } from '@fastify/session';
import { Signer } from '@fastify/cookie';
import { LRUCache } from 'lru-cache';
import type { SqliteSessionStore } from './session-store.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A GET or HEAD of this route only reads the session (a page view): a session this process holds in
     * memory is used as it is, without @fastify/session restoring, re-signing and hashing it.
     */
    readOnlySession?: boolean;
  }
}

export interface SessionReadPathOptions extends FastifySessionOptions {
  secret: string;
  cookieName: string;
  store: SqliteSessionStore;
  /** The absolute timeout (ms after sign-in); an older session takes the full path, which ends it. */
  maxMs: number;
  /** The app's clock, in ms. */
  now: () => number;
  /** Off where every request may change the session (a proxy's user header follows the person). */
  enabled: boolean;
}

const READS = new Set(['GET', 'HEAD']);

/**
 * The session of a read-only request: the stored values as own properties (what routes and
 * @fastify/csrf-protection read), `get` and `set`. A value a route changes anyway (a flash shown once, a
 * first CSRF secret) is written through the session store when the answer is sent; the expiry is never
 * moved here (a session due to roll takes the full path), so no cookie needs sending.
 */
export class ReadOnlySession {
  readonly #id: string | null;
  readonly #stored: { data: string; cookie: unknown } | null;

  constructor(id: string | null, values: Record<string, unknown>, stored: { data: string; cookie: unknown } | null) {
    this.#id = id;
    this.#stored = stored;
    Object.assign(this, values);
  }

  get sessionId(): string {
    return this.#id ?? '';
  }

  get(key: string): unknown {
    return (this as unknown as Record<string, unknown>)[key];
  }

  set(key: string, value: unknown): void {
    (this as unknown as Record<string, unknown>)[key] = value;
  }

  /** What changed since it was read, to be saved: null when nothing did (JSON as the session store writes it). */
  changed(): Record<string, unknown> | null {
    if (!this.#stored) return null;
    return JSON.stringify(this) === this.#stored.data ? null : { ...(this as unknown as Record<string, unknown>), cookie: this.#stored.cookie };
  }

  // A route that marks itself read-only and then rolls, regenerates or ends the session is a mistake
  // in that route, not something a person did: said loudly rather than silently dropped.
  touch(): never {
    throw new Error('this route declares readOnlySession but moved the session expiry');
  }
  save(): never {
    throw new Error('this route declares readOnlySession but saved the session');
  }
  regenerate(): never {
    throw new Error('this route declares readOnlySession but regenerated the session');
  }
  destroy(): never {
    throw new Error('this route declares readOnlySession but ended the session');
  }
}

type Done = (err?: Error) => void;
type OnRequest = (request: FastifyRequest, reply: FastifyReply, done: Done) => void;
type OnSend = (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: Done) => void;

/**
 * @fastify/session with a read-only path for GETs of routes that declare `readOnlySession`: the signed
 * cookie is verified once per cookie value (HMAC), and the session is taken from the session store's
 * memory of what this process last wrote, valid only while the store's auth generation has not moved
 * (sign-out, revocation, password or role change, deactivation: here or in another process), its idle
 * expiry has not passed by the app's clock and it is not due to roll. Anything else (a first request
 * after a restart, a session due to roll or past its absolute timeout, any write) takes @fastify/session's
 * own path unchanged. Requests signed in by API token on those routes skip the session altogether: they
 * neither read nor store one.
 */
export const sessionWithReadPath = fp(
  (app: FastifyInstance, options: SessionReadPathOptions, next: (err?: Error) => void) => {
    const { maxMs, now, enabled, ...sessionOptions } = options;
    const store = options.store;
    const signer = new Signer(options.secret, 'sha256');
    // Signed cookie value -> session id, for values whose signature was verified.
    const verified = new LRUCache<string, string>({ max: 10_000 });
    const sessionIdOf = (cookie: string): string | null => {
      const known = verified.get(cookie);
      if (known !== undefined) return known;
      const { valid, value } = signer.unsign(cookie);
      if (!valid || value === null) return null;
      verified.set(cookie, value);
      return value;
    };

    const readOnly = (request: FastifyRequest): ReadOnlySession | null => {
      if (!enabled || !READS.has(request.method) || request.routeOptions.config.readOnlySession !== true) return null;
      const cookie = request.cookies[options.cookieName];
      if (!cookie) {
        // Signed in by token: the session would be made only to be thrown away.
        return request.headers.authorization?.startsWith('Bearer ') ? new ReadOnlySession(null, {}, null) : null;
      }
      const id = sessionIdOf(cookie);
      if (id === null) return null;
      const known = store.current(id, app.store.authGenerationAt(request.storeVersion()));
      if (!known) return null;
      const { cookie: stored, ...values } = known.values;
      const expires = (stored as { expires?: unknown } | undefined)?.expires;
      // @fastify/session's own check of the cookie's expiry (by the real time, as it does).
      if (typeof expires === 'string' && Date.parse(expires) <= Date.now()) return null;
      const signedInAt = typeof values.signedInAt === 'number' ? values.signedInAt : 0;
      if (values.userId !== undefined && now() - signedInAt > maxMs) return null;
      return new ReadOnlySession(id, values, { data: known.data, cookie: stored });
    };

    const wrap = (name: string, hook: OnRequest | OnSend): OnRequest | OnSend => {
      if (name === 'onRequest') {
        const full = hook as OnRequest;
        return (request: FastifyRequest, reply: FastifyReply, done: Done) => {
          const s = readOnly(request);
          if (!s) return full(request, reply, done);
          request.session = s as unknown as FastifyRequest['session'];
          done();
        };
      }
      if (name === 'onSend') {
        const full = hook as OnSend;
        return (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: Done) => {
          const s = request.session as unknown;
          if (!(s instanceof ReadOnlySession)) return full(request, reply, payload, done);
          const changed = s.changed();
          if (!changed) return done();
          store.set(s.sessionId, changed as unknown as FastifyRequest['session'], (err) => done(err instanceof Error ? err : undefined));
        };
      }
      return hook;
    };

    // @fastify/session registers its two hooks on the instance it is given; this one wraps them.
    const instance = new Proxy(app, {
      get(target, key) {
        if (key === 'addHook') {
          return (name: string, hook: OnRequest | OnSend) => (target.addHook as unknown as (n: string, h: OnRequest | OnSend) => FastifyInstance)(name, wrap(name, hook));
        }
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    (session as unknown as (i: FastifyInstance, o: FastifySessionOptions, n: (err?: Error) => void) => void)(instance, sessionOptions, next);
  },
  { name: '@fastify/session', fastify: '5.x', dependencies: ['@fastify/cookie', 'store-version'] },
);
