import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { ROOT } from '../server/paths.js';
import { openStore } from '../server/setup.js';
import { userForToken } from '../server/auth/accounts.js';
import { tempDir } from './helpers.js';
import { TSX } from './server-process.js';

const run = promisify(execFile);
const cli = (dir: string, ...args: string[]) => run(TSX, [path.join(ROOT, 'server/cli.ts'), ...args], { env: { ...process.env, WHYWIKI_DATA: dir }, cwd: ROOT });

describe('whywiki CLI', () => {
  it('adds a user and creates a token that works, printing it as the last line', async () => {
    const dir = tempDir();
    const added = await cli(dir, 'user', 'add', 'jdoe', '--role', 'editor', '--password', 'a-long-enough-password');
    expect(added.stdout).toContain('Created user "jdoe" with role editor.');
    const created = await cli(dir, 'token', 'create', 'jdoe', '--label', 'sync');
    const token = created.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^ww_[A-Za-z0-9_-]{40,}$/);
    const store = openStore(dir);
    expect(userForToken(store, token)).toMatchObject({ username: 'jdoe', role: 'editor' });
    store.close();
  }, 30_000);

  it('prints a generated password when none is given', async () => {
    const { stdout } = await cli(tempDir(), 'user', 'add', 'reader1', '--role', 'reader');
    expect(stdout).toMatch(/Password: \S{12,}/);
  }, 30_000);

  it('explains bad input and exits non-zero', async () => {
    const dir = tempDir();
    await expect(cli(dir, 'user', 'add', 'x', '--role', 'wizard')).rejects.toMatchObject({ stderr: expect.stringContaining('Allowed choices are reader, editor, auditor, admin') });
    await expect(cli(dir, 'user', 'add', 'shorty', '--password', 'short')).rejects.toMatchObject({ stderr: expect.stringContaining('12 to 256 characters') });
    await expect(cli(dir, 'token', 'create', 'nobody')).rejects.toMatchObject({ stderr: expect.stringContaining('There is no user "nobody"') });
  }, 30_000);
});
