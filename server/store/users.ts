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
  must_change_password: number;
  auth_source: 'local' | 'oidc' | 'proxy';
  external_id: string | null;
  last_signed_in_at: string | null;
}

export interface TokenRow {
  id: number;
  user_id: number;
  label: string | null;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface UserListRow extends UserRow {
  active_tokens: number;
}

export interface TokenOwnerRow extends UserRow {
  token_id: number;
  token_last_used_at: string | null;
}

type NewUserRow = Omit<UserRow, 'id' | 'active' | 'last_signed_in_at'>;

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
  private readonly listPageStmt;
  private readonly listStmt;
  private readonly updateStmt;
  private readonly byExternalStmt;
  private readonly tokensStmt;
  private readonly tokensPageStmt;
  private readonly tokenCountStmt;
  private readonly revokeTokenStmt;
  private readonly countAdminsStmt;

  private readonly generationStmt;
  private readonly db: DB;

  constructor(db: DB) {
    this.db = db;
    this.generationStmt = db.prepare<[], number>('SELECT n FROM auth_generation WHERE id = 1').pluck();
    this.byNameStmt = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
    this.byIdStmt = db.prepare<[number], UserRow>('SELECT * FROM users WHERE id = ?');
    this.byPersonStmt = db.prepare<[string], UserRow>('SELECT * FROM users WHERE person = ?');
    this.linkPersonStmt = db.prepare<[string | null, number]>('UPDATE users SET person = ? WHERE id = ?');
    this.insertStmt = db.prepare<[NewUserRow]>(
      `INSERT INTO users (username, password_hash, role, person, created_at, must_change_password, auth_source, external_id)
       VALUES (@username, @password_hash, @role, @person, @created_at, @must_change_password, @auth_source, @external_id)`,
    );
    this.listStmt = db.prepare<[], UserListRow>(
      `SELECT u.*, (SELECT count(*) FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL) AS active_tokens
       FROM users u ORDER BY u.active DESC, u.username`,
    );
    this.listPageStmt = db.prepare<[number, number], UserListRow>(
      `SELECT u.*, (SELECT count(*) FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL) AS active_tokens
       FROM users u ORDER BY u.active DESC, u.username LIMIT ? OFFSET ?`,
    );
    this.updateStmt = db.prepare<[Pick<UserRow, 'id' | 'role' | 'active' | 'password_hash' | 'must_change_password' | 'last_signed_in_at'>]>(
      `UPDATE users SET role = @role, active = @active, password_hash = @password_hash, must_change_password = @must_change_password,
       last_signed_in_at = @last_signed_in_at WHERE id = @id`,
    );
    this.byExternalStmt = db.prepare<[string, string], UserRow>('SELECT * FROM users WHERE auth_source = ? AND external_id = ?');
    this.tokensStmt = db.prepare<[number], TokenRow>(
      'SELECT id, user_id, label, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = ? ORDER BY revoked_at IS NOT NULL, created_at DESC',
    );
    this.tokensPageStmt = db.prepare<[number, number, number], TokenRow>(
      'SELECT id, user_id, label, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = ? ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC LIMIT ? OFFSET ?',
    );
    this.tokenCountStmt = db.prepare<[number], number>('SELECT count(*) FROM api_tokens WHERE user_id = ?').pluck();
    this.revokeTokenStmt = db.prepare<[string, number, number]>('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL');
    this.countAdminsStmt = db.prepare<[], number>("SELECT count(*) FROM users WHERE role = 'admin' AND active = 1").pluck();
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

  insert(row: Omit<UserRow, 'id' | 'active' | 'must_change_password' | 'auth_source' | 'external_id' | 'last_signed_in_at'> & Partial<NewUserRow>): number {
    return Number(this.insertStmt.run({ must_change_password: 0, auth_source: 'local', external_id: null, ...row }).lastInsertRowid);
  }

  list(): UserListRow[] {
    return this.listStmt.all();
  }

  /** One screen of the users list, in the order of `list`. */
  listPage(limit: number, offset: number): UserListRow[] {
    return this.listPageStmt.all(limit, offset);
  }

  /** Writes the fields that change after creation; pass the whole row as read, with the changes applied. */
  update(row: UserRow): void {
    this.updateStmt.run({ id: row.id, role: row.role, active: row.active, password_hash: row.password_hash, must_change_password: row.must_change_password, last_signed_in_at: row.last_signed_in_at });
  }

  byExternal(source: string, externalId: string): UserRow | undefined {
    return this.byExternalStmt.get(source, externalId);
  }

  tokens(userId: number): TokenRow[] {
    return this.tokensStmt.all(userId);
  }

  /** One screen of a user's tokens, live ones first, newest first. */
  tokensPage(userId: number, limit: number, offset: number): TokenRow[] {
    return this.tokensPageStmt.all(userId, limit, offset);
  }

  tokenCount(userId: number): number {
    return this.tokenCountStmt.get(userId) as number;
  }

  /** Returns whether a live token of this user was revoked. */
  revokeToken(userId: number, tokenId: number, at: string): boolean {
    return this.revokeTokenStmt.run(at, tokenId, userId).changes === 1;
  }

  /**
   * A counter that moves (by triggers, in the writing transaction) whenever an account, token, session
   * end, team membership or page restriction changes: what was remembered about a sign-in before it moved may be stale.
   */
  authGeneration(): number {
    return this.generationStmt.get() ?? 0;
  }

  activeAdmins(): number {
    return this.countAdminsStmt.get() as number;
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

  /**
   * "Last used" is advisory. While another process holds the write lock (a bulk import writing its
   * batches), it is skipped at once rather than holding this request, and every other on the event loop,
   * for the lock timeout; the next request after the lock is free records it.
   */
  touchToken(tokenId: number, at: string): boolean {
    const wait = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    try {
      this.touchTokenStmt.run(at, tokenId);
      return true;
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw e;
    } finally {
      this.db.pragma(`busy_timeout = ${Math.trunc(wait)}`);
    }
  }

  /** The account linked to a person, if any (an account links to at most one person, and back). */
  byPerson(handle: string): UserRow | undefined {
    return this.byPersonStmt.get(handle);
  }

  linkPerson(userId: number, person: string | null): void {
    this.linkPersonStmt.run(person, userId);
  }
}
