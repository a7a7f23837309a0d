import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { openDatabaseFile } from '../../server/store/db.js';
import { migrate, readMigrations, StoreTooNewError } from '../../server/store/migrate.js';
import { MIGRATIONS_DIR } from '../../server/paths.js';
import { seedPage, tempDir, testStore } from '../helpers.js';

describe('store', () => {
  it('opens in WAL mode with full sync, foreign keys and a busy timeout', () => {
    const { store } = testStore();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
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
    expect(() => store.db.prepare("UPDATE page_versions SET body = 'rewritten'").run()).toThrow(/immutable/);
    expect(() => store.db.prepare('DELETE FROM page_versions').run()).toThrow(/immutable/);
    expect(() => store.db.prepare("UPDATE audit_events SET actor = 'someone'").run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM audit_events').run()).toThrow(/append-only/);
    store.close();
  });
});
