import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type DB = Database.Database;

export const DB_FILE_NAME = 'whywiki.db';

/**
 * Opens (creating if needed) the SQLite store in `dataDir`.
 * synchronous=FULL because an acknowledged save must survive a power cut, not just a process crash.
 */
export function openDatabase(dataDir: string): DB {
  fs.mkdirSync(dataDir, { recursive: true });
  return openDatabaseFile(path.join(dataDir, DB_FILE_NAME));
}

/** Opens a copy as it is (a fresh backup), changing nothing about it until asked. */
export function openExistingFile(file: string): DB {
  return new Database(file, { fileMustExist: true });
}

export function openDatabaseFile(file: string): DB {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}
