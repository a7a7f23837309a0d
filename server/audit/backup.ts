import fs from 'node:fs';
import path from 'node:path';
import { openExistingFile } from '../store/db.js';
import { Store } from '../store/index.js';
import { verifyStore, type VerifyReport } from './verify.js';

export class BackupError extends Error {}

export interface BackupResult {
  file: string;
  bytes: number;
  ms: number;
  report: VerifyReport;
}

/**
 * Copies the store with SQLite's online backup, which reads a consistent snapshot while the server
 * keeps writing, into a temporary file beside the destination. The copy is checked
 * (integrity_check and every hash chain) before it is renamed into place, so a file at `dest`
 * is always a verified backup.
 */
export async function backupStore(store: Store, dest: string): Promise<BackupResult> {
  const file = path.resolve(dest);
  if (fs.existsSync(file)) throw new BackupError(`${file} already exists; choose a new file name (backups are never overwritten).`);
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) throw new BackupError(`The folder ${dir} does not exist.`);
  const tmp = `${file}.partial`;
  fs.rmSync(tmp, { force: true });
  const t0 = Date.now();
  try {
    await store.copyTo(tmp);
    const copy = new Store(openExistingFile(tmp));
    try {
      const integrity = copy.integrityCheck();
      if (integrity !== 'ok') throw new BackupError(`The copy failed integrity_check (${integrity}); nothing was kept.`);
      const report = verifyStore(copy);
      if (report.break) throw new BackupError(`The copy's hash chains do not verify (${report.break.table} ${report.break.id}: ${report.break.reason}); nothing was kept.`);
      copy.makeSelfContained();
      copy.close();
      fs.renameSync(tmp, file);
      return { file, bytes: fs.statSync(file).size, ms: Date.now() - t0, report };
    } finally {
      copy.close();
    }
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(`${tmp}-wal`, { force: true });
    fs.rmSync(`${tmp}-shm`, { force: true });
    throw e;
  }
}
