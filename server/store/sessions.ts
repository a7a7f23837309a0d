import type { DB } from './db.js';

/** Server-side session records; the cookie carries only the signed id. */
export class SessionStore {
  private readonly getStmt;
  private readonly setStmt;
  private readonly destroyStmt;
  private readonly purgeStmt;
  private readonly destroyForUserStmt;

  constructor(db: DB) {
    this.getStmt = db.prepare<[string, number], { data: string }>('SELECT data FROM sessions WHERE sid = ? AND expires_at > ?');
    this.setStmt = db.prepare<[string, string, number, number | null]>(
      'INSERT INTO sessions (sid, data, expires_at, user_id) VALUES (?, ?, ?, ?) ON CONFLICT(sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at, user_id = excluded.user_id',
    );
    this.destroyForUserStmt = db.prepare<[number, string]>('DELETE FROM sessions WHERE user_id = ? AND sid != ?');
    this.destroyStmt = db.prepare<[string]>('DELETE FROM sessions WHERE sid = ?');
    this.purgeStmt = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?');
  }

  get(sid: string, now: number): string | undefined {
    return this.getStmt.get(sid, now)?.data;
  }

  set(sid: string, data: string, expiresAt: number, userId: number | null = null): void {
    this.setStmt.run(sid, data, expiresAt, userId);
  }

  /** Ends every session of a user (but `keep`, the one making the change, if given). Returns how many. */
  destroyForUser(userId: number, keep = ''): number {
    return this.destroyForUserStmt.run(userId, keep).changes;
  }

  destroy(sid: string): void {
    this.destroyStmt.run(sid);
  }

  purgeExpired(now: number): number {
    return this.purgeStmt.run(now).changes;
  }
}
