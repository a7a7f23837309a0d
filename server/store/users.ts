import type { DB } from './db.js';

export const ROLES = ['reader', 'editor', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface UserRow {
  id: number;
  username: string;
  password_hash: string | null;
  role: Role;
  person: string | null;
  active: number;
  created_at: string;
}

export interface TokenOwnerRow extends UserRow {
  token_id: number;
  token_last_used_at: string | null;
}

/** Sign-in accounts and their API tokens (stored as hashes only). */
export class UserStore {
  private readonly byNameStmt;
  private readonly byIdStmt;
  private readonly byPersonStmt;
  private readonly linkPersonStmt;
  private readonly insertStmt;
  private readonly countStmt;
  private readonly insertTokenStmt;
  private readonly byTokenStmt;
  private readonly touchTokenStmt;

  constructor(db: DB) {
    this.byNameStmt = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
    this.byIdStmt = db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?');
    this.byPersonStmt = db.prepare<[string], UserRow>('SELECT * FROM users WHERE person = ?');
    this.linkPersonStmt = db.prepare<[string | null, number]>('UPDATE users SET person = ? WHERE id = ?');
    this.insertStmt = db.prepare<[Omit<UserRow, 'id' | 'active'>]>(
      `INSERT INTO users (username, password_hash, role, person, created_at)
       VALUES (@username, @password_hash, @role, @person, @created_at)`,
    );
    this.countStmt = db.prepare<[], number>('SELECT count(*) FROM users').pluck();
    this.insertTokenStmt = db.prepare<[number, string, string | null, string]>(
      'INSERT INTO api_tokens (user_id, token_hash, label, created_at) VALUES (?, ?, ?, ?)',
    );
    this.byTokenStmt = db.prepare<[string], TokenOwnerRow>(
      `SELECT u.*, t.id AS token_id, t.last_used_at AS token_last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id
       WHERE t.token_hash = ? AND t.revoked_at IS NULL`,
    );
    this.touchTokenStmt = db.prepare<[string, number]>('UPDATE api_tokens SET last_used_at = ? WHERE id = ?');
  }

  byName(username: string): UserRow | undefined {
    return this.byNameStmt.get(username);
  }

  byId(id: number): UserRow | undefined {
    return this.byIdStmt.get(id);
  }

  insert(row: Omit<UserRow, 'id' | 'active'>): number {
    return Number(this.insertStmt.run(row).lastInsertRowid);
  }

  count(): number {
    return this.countStmt.get() as number;
  }

  insertToken(userId: number, tokenHash: string, label: string | null, createdAt: string): number {
    return Number(this.insertTokenStmt.run(userId, tokenHash, label, createdAt).lastInsertRowid);
  }

  byTokenHash(tokenHash: string): TokenOwnerRow | undefined {
    return this.byTokenStmt.get(tokenHash);
  }

  touchToken(tokenId: number, at: string): void {
    this.touchTokenStmt.run(at, tokenId);
  }

  /** The account linked to a person, if any (an account links to at most one person, and back). */
  byPerson(handle: string): UserRow | undefined {
    return this.byPersonStmt.get(handle);
  }

  linkPerson(userId: number, person: string | null): void {
    this.linkPersonStmt.run(person, userId);
  }
}
