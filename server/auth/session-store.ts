import type { Session } from 'fastify';
import type { SessionStore as FastifySessionStore } from '@fastify/session';
import type { SessionStore } from '../store/sessions.js';

const DEFAULT_TTL_MS = 12 * 60 * 60 * 1000;

/** Adapts the SQLite sessions table to @fastify/session, so sessions survive restarts and can be revoked. */
export class SqliteSessionStore implements FastifySessionStore {
  constructor(private readonly sessions: SessionStore) {}

  set(sessionId: string, session: Session, callback: (err?: unknown) => void): void {
    try {
      const expires = session.cookie?.expires ? new Date(session.cookie.expires).getTime() : Date.now() + DEFAULT_TTL_MS;
      this.sessions.set(sessionId, JSON.stringify(session), expires);
      callback();
    } catch (e) {
      callback(e);
    }
  }

  get(sessionId: string, callback: (err: unknown, result?: Session | null) => void): void {
    try {
      const data = this.sessions.get(sessionId, Date.now());
      callback(null, data ? (JSON.parse(data) as Session) : null);
    } catch (e) {
      callback(e);
    }
  }

  destroy(sessionId: string, callback: (err?: unknown) => void): void {
    try {
      this.sessions.destroy(sessionId);
      callback();
    } catch (e) {
      callback(e);
    }
  }
}
