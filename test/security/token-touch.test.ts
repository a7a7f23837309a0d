import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { userForToken } from '../../server/auth/accounts.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { DB_FILE_NAME } from '../../server/store/db.js';
import { PASSWORD, testStore, tokenFor } from '../helpers.js';

describe('an API token while another process holds the write lock', () => {
  const open: { close(): void }[] = [];
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });

  it('still signs the request in, skips "last used" without waiting, and records it once the lock is free', async () => {
    const { store, dir } = testStore();
    open.push(store);
    await createUser({ store, actor: { username: 'test' } }, { username: 'mreyes', password: PASSWORD, role: 'editor', person: 'mreyes' });
    const token = tokenFor(store, 'mreyes');
    // A bulk import in another process: a write transaction held open on the same file.
    const other = new Database(path.join(dir, DB_FILE_NAME));
    open.push(other);
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');

    const at = new Date('2026-11-26T12:00:00Z');
    expect(userForToken(store, token, at)?.username).toBe('mreyes');
    expect(store.users.tokens(store.users.byName('mreyes')!.id)[0]!.last_used_at).toBeNull();

    other.exec('COMMIT');
    expect(userForToken(store, token, at)?.username).toBe('mreyes');
    expect(store.users.tokens(store.users.byName('mreyes')!.id)[0]!.last_used_at).toBe(at.toISOString());
  });
});
