import type { DB } from './db.js';

/** Server-side session records; the cookie carries only the signed id. */
export class SessionStore {
  private readonly getStmt;
  private readonly setStmt;
  private readonly destroyStmt;
  private readonly purgeStmt;

  constructor(db: DB) {
    this.getStmt = db.prepare<[string, number], { data: string }>('SELECT data FROM sessions WHERE sid = ? AND expires_at > ?');
    this.setStmt = db.prepare<[string, string, number]>(
      'INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?) ON CONFLICT(sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at',
    );
    this.destroyStmt = db.prepare<[string]>('DELETE FROM sessions WHERE sid = ?');
    this.purgeStmt = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?');
  }

  get(sid: string, now: number): string | undefined {
    return this.getStmt.get(sid, now)?.data;
  }

  set(sid: string, data: string, expiresAt: number): void {
    this.setStmt.run(sid, data, expiresAt);
  }

  destroy(sid: string): void {
    this.destroyStmt.run(sid);
  }

  purgeExpired(now: number): number {
    return this.purgeStmt.run(now).changes;
  }
}
