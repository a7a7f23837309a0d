import fs from 'node:fs';
import path from 'node:path';
import type { DB } from './db.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export class StoreTooNewError extends Error {
  constructor(storeVersion: number, codeVersion: number) {
    super(
      `This data store was written by a newer Whywiki (schema version ${storeVersion}); ` +
        `this installation knows schema versions up to ${codeVersion}. Upgrade Whywiki, or restore a backup made by this version.`,
    );
    this.name = 'StoreTooNewError';
  }
}

/** Reads `NNN_name.sql` files, in order. */
export function readMigrations(dir: string): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 3)), name: f.replace(/\.sql$/, ''), sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

/**
 * Applies each migration not yet recorded, each inside its own transaction together with its record,
 * so an interrupted migration leaves the previous schema intact. Returns the versions applied.
 */
export function migrate(db: DB, migrations: Migration[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const newest = Math.max(0, ...applied);
  const known = Math.max(0, ...migrations.map((m) => m.version));
  if (newest > known) throw new StoreTooNewError(newest, known);

  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const done: number[] = [];
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    }).immediate();
    done.push(m.version);
  }
  return done;
}
