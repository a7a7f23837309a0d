import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabaseFile } from '../../server/store/db.js';
import { migrate, readMigrations, StoreTooNewError } from '../../server/store/migrate.js';
import { MIGRATIONS_DIR } from '../../server/paths.js';
import fs from 'node:fs';
import { spawn } from 'node:child_process';
import { ROOT } from '../../server/paths.js';
import { Store } from '../../server/store/index.js';
import { verifyStore } from '../../server/audit/verify.js';
import { seedPage, tempDir, testStore } from '../helpers.js';

describe('store', () => {
  it('opens in WAL mode with full sync, foreign keys and a busy timeout', () => {
    const { store } = testStore();
    expect(store.unsafeDatabaseForTests().pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.unsafeDatabaseForTests().pragma('synchronous', { simple: true })).toBe(2);
    expect(store.unsafeDatabaseForTests().pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.unsafeDatabaseForTests().pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    store.close();
  });

  it('applies each migration once and records it', () => {
    const db = openDatabaseFile(path.join(tempDir(), 'w.db'));
    const migrations = readMigrations(MIGRATIONS_DIR);
    expect(migrate(db, migrations)).toEqual(migrations.map((m) => m.version));
    expect(migrate(db, migrations)).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(migrations.length);
  });

  it('leaves the old schema intact when a migration fails midway', () => {
    const db = openDatabaseFile(path.join(tempDir(), 'w.db'));
    migrate(db, readMigrations(MIGRATIONS_DIR));
    const broken = { version: 999, name: '999_broken', sql: 'CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);' };
    expect(() => migrate(db, [...readMigrations(MIGRATIONS_DIR), broken])).toThrow(/no_such_table/);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(0);
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(readMigrations(MIGRATIONS_DIR).at(-1)!.version);
  });

  it('refuses to open a store written by a newer version', () => {
    const db = openDatabaseFile(path.join(tempDir(), 'w.db'));
    migrate(db, readMigrations(MIGRATIONS_DIR));
    db.prepare("INSERT INTO schema_migrations VALUES (42, '042_future', 'x')").run();
    expect(() => migrate(db, readMigrations(MIGRATIONS_DIR))).toThrow(StoreTooNewError);
    expect(() => migrate(db, readMigrations(MIGRATIONS_DIR))).toThrow(/newer Whywiki \(schema version 42\)/);
  });

  it('refuses UPDATE and DELETE on versions and audit events', () => {
    const { store } = testStore();
    seedPage(store);
    expect(() => store.unsafeDatabaseForTests().prepare("UPDATE page_versions SET body = 'rewritten'").run()).toThrow(/immutable/);
    expect(() => store.unsafeDatabaseForTests().prepare('DELETE FROM page_versions').run()).toThrow(/immutable/);
    expect(() => store.unsafeDatabaseForTests().prepare("UPDATE audit_events SET actor = 'someone'").run()).toThrow(/append-only/);
    expect(() => store.unsafeDatabaseForTests().prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    store.close();
  });

  it('keeps the old schema when the process is killed in the middle of a migration, and applies it cleanly next time', { timeout: 60_000 }, async () => {
    const dir = tempDir();
    const { store } = testStore(dir);
    seedPage(store);
    store.close();
    const migrations = tempDir('whywiki-migrations-');
    for (const f of fs.readdirSync(MIGRATIONS_DIR)) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(migrations, f));
    // A slow migration: a big table first, the schema change last.
    fs.writeFileSync(
      path.join(migrations, '900_slow.sql'),
      'CREATE TABLE big (x INTEGER);\nWITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000000) INSERT INTO big SELECT i FROM c;\nALTER TABLE pages ADD COLUMN reviewed_at TEXT;\n',
    );
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/store/migrate-child.ts'), dir, migrations], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('migrating') && resolve()));
    await new Promise((r) => setTimeout(r, 400));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;

    const db = openDatabaseFile(path.join(dir, 'whywiki.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'big'").pluck().get()).toBe(0);
    expect((db.pragma('table_info(pages)') as { name: string }[]).map((c) => c.name)).not.toContain('reviewed_at');
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(readMigrations(MIGRATIONS_DIR).at(-1)!.version);
    db.close();

    // The next start applies it whole (a quick version of the same change).
    fs.writeFileSync(path.join(migrations, '900_slow.sql'), 'CREATE TABLE big (x INTEGER);\nINSERT INTO big VALUES (1);\nALTER TABLE pages ADD COLUMN reviewed_at TEXT;\n');
    const reopened = openDatabaseFile(path.join(dir, 'whywiki.db'));
    expect(migrate(reopened, readMigrations(migrations))).toEqual([900]);
    expect((reopened.pragma('table_info(pages)') as { name: string }[]).map((c) => c.name)).toContain('reviewed_at');
    expect(verifyStore(new Store(reopened)).break).toBeNull();
    reopened.close();
  });
});
