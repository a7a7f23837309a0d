import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { backupStore, BackupError } from '../../server/audit/backup.js';
import { Store } from '../../server/store/index.js';
import { savePage } from '../../server/pages/commands.js';
import { verifyStore } from '../../server/audit/verify.js';
import { ROOT } from '../../server/paths.js';
import { commandContext, sampleFrontMatter, seedPage, tempDir, testStore } from '../helpers.js';
import { TSX } from '../server-process.js';

describe('backups', () => {
  it('copies a consistent, verified store while saves keep landing', async () => {
    const { store } = testStore();
    seedPage(store, 'sepsis-screening-bpa', `${'Body text. '.repeat(2000)}\n`);
    let version = 1;
    let writing = true;
    const writes = (async () => {
      while (writing) {
        savePage(commandContext(store), { slug: 'sepsis-screening-bpa', frontMatter: { ...sampleFrontMatter }, body: `Save ${version} ${'x'.repeat(5000)}`, summary: `save ${version}`, baseVersion: version });
        version++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const file = path.join(tempDir(), 'backup.db');
    const result = await backupStore(store, file);
    writing = false;
    await writes;
    expect(version).toBeGreaterThan(2);
    const copy = new Database(file, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    const report = verifyStore(new Store(copy));
    expect(report.break).toBeNull();
    expect(report.versions).toBe(result.report.versions);
    copy.close();
    expect(fs.existsSync(`${file}.partial`)).toBe(false);
    await expect(backupStore(store, file)).rejects.toThrow(BackupError);
    await expect(backupStore(store, path.join(tempDir(), 'missing', 'b.db'))).rejects.toThrow(/does not exist/);
    store.close();
  });

  it('is a CLI command that reports what it checked', async () => {
    const dir = tempDir();
    const { store } = testStore(dir);
    seedPage(store);
    store.close();
    const file = path.join(tempDir(), 'wiki-backup.db');
    const { stdout } = await promisify(execFile)(TSX, [path.join(ROOT, 'server/cli.ts'), 'backup', file], { env: { ...process.env, WHYWIKI_DATA: dir }, cwd: ROOT });
    expect(stdout).toMatch(/Backed up 1 pages, 1 versions and \d+ audit events to .*wiki-backup\.db .*integrity_check ok; every hash chain verifies\./);
    await expect(promisify(execFile)(TSX, [path.join(ROOT, 'server/cli.ts'), 'backup', file], { env: { ...process.env, WHYWIKI_DATA: dir }, cwd: ROOT })).rejects.toMatchObject({ stderr: expect.stringContaining('already exists') });
  }, 30_000);
});
