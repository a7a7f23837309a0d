import type { Session } from 'fastify';
import { LRUCache } from 'lru-cache';
import type { SessionStore as FastifySessionStore } from '@fastify/session';
import type { SessionStore } from '../store/sessions.js';

const DEFAULT_TTL_MS = 12 * 60 * 60 * 1000;
const EXPIRY_SLACK_MS = 5 * 60 * 1000;

/** Adapts the SQLite sessions table to @fastify/session, so sessions survive restarts and can be revoked. */
export class SqliteSessionStore implements FastifySessionStore {
  /**
   * What was last written per session, so an unchanged session that only slid its expiry is not rewritten
   * on every page view, and is read back from memory. A session only ever changes through this store, except
   * that it can end (sign-out, deactivation, a password reset, here or in another process): that moves the
   * auth generation, and a copy remembered under an older one is read from the store again.
   */
  private readonly written = new LRUCache<string, { data: string; stored: string; expires: number; generation: number; values?: Record<string, unknown> }>({ max: 10_000 });

  /**
   * `idleMs`: the idle timeout; the expiry is written through early by at most a tenth of it. `now`: the
   * app's clock. The store decides expiry by it (not by the cookie's own expiry, which reads the real time),
   * so the idle timeout follows the one clock the app runs on.
   */
  constructor(
    private readonly sessions: SessionStore,
    private readonly idleMs = DEFAULT_TTL_MS,
    private readonly now: () => number = Date.now,
    /** The store's auth generation (UserStore.authGeneration); without it every read goes to the store. */
    private readonly generation: (() => number) | null = null,
  ) {}

  set(sessionId: string, session: Session, callback: (err?: unknown) => void): void {
    try {
      const expires = this.now() + this.idleMs;
      const { cookie: _cookie, ...content } = session as Session & { cookie?: unknown };
      const data = JSON.stringify(content);
      const last = this.written.get(sessionId);
      // Rolling sessions move their expiry on every request; writing that through at most every few
      // minutes keeps page views free of disk writes, at the cost of expiring up to that much early (a tenth of the idle timeout at most).
      if (last && last.data === data && expires - last.expires < this.slackMs) {
        callback();
        return;
      }
      const userId = typeof (content as { userId?: unknown }).userId === 'number' ? (content as { userId: number }).userId : null;
      // Read before writing: a session ended by another process meanwhile makes this copy stale, not wrong.
      const generation = this.generation?.() ?? -1;
      const stored = JSON.stringify(session);
      this.sessions.set(sessionId, stored, expires, userId);
      this.written.set(sessionId, { data, stored, expires, generation });
      callback();
    } catch (e) {
      callback(e);
    }
  }

  /**
   * Whether a session's expiry (and so its cookie's) is due to move: it was not written by this process
   * yet, or its last write is more than the slack old. Until then a request that did not change the
   * session neither writes it nor sends its cookie again.
   */
  dueToRoll(sessionId: string): boolean {
    const last = this.written.get(sessionId);
    return !last || this.now() + this.idleMs - last.expires >= this.slackMs;
  }

  /**
   * The session as this process last wrote it, read from memory, when that is certainly still what is
   * stored: the auth generation (read by the caller for its request) is the one it was remembered under,
   * its idle expiry has not passed and it is not due to roll. `values` is the stored object (cookie
   * included) and is shared: copy it before changing it. `data` is its JSON without the cookie.
   */
  current(sessionId: string, generation: number): { values: Record<string, unknown>; data: string } | undefined {
    const known = this.written.get(sessionId);
    if (!known || known.generation !== generation || this.generation === null || known.expires <= this.now() || this.dueToRoll(sessionId)) return undefined;
    known.values ??= JSON.parse(known.stored) as Record<string, unknown>;
    return { values: known.values, data: known.data };
  }

  private get slackMs(): number {
    return Math.min(EXPIRY_SLACK_MS, this.idleMs / 10);
  }

  get(sessionId: string, callback: (err: unknown, result?: Session | null) => void): void {
    try {
      const known = this.written.get(sessionId);
      const generation = this.generation?.() ?? -1;
      if (known && known.generation === generation && generation !== -1 && known.expires > this.now()) {
        callback(null, JSON.parse(known.stored) as Session);
        return;
      }
      const data = this.sessions.get(sessionId, this.now());
      // Still as written (another session ended, not this one): remembered again under the new generation.
      if (known && data === known.stored) known.generation = generation;
      else if (known) this.written.delete(sessionId);
      callback(null, data ? (JSON.parse(data) as Session) : null);
    } catch (e) {
      callback(e);
    }
  }

  destroy(sessionId: string, callback: (err?: unknown) => void): void {
    try {
      this.written.delete(sessionId);
      this.sessions.destroy(sessionId);
      callback();
    } catch (e) {
      callback(e);
    }
  }
}
