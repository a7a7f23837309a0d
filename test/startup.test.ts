import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { ROOT } from '../server/paths.js';
import { openStore } from '../server/setup.js';
import { signIn } from '../server/auth/accounts.js';
import { tempDir } from './temp.js';
import { startServer, TSX } from './server-process.js';

const run = promisify(execFile);

describe('starting the server', () => {
  it('creates admin with a password printed once, seeds once, and keeps both on restart', async () => {
    const dir = tempDir();
    const first = await startServer({ WHYWIKI_DATA: dir, WHYWIKI_ADMIN_PASSWORD: '' });
    await first.stop();
    const printed = first.output().match(/the password:\s+(\S+)/)?.[1];
    expect(printed, first.output()).toBeDefined();
    expect(first.output()).toMatch(/Seeded the demo knowledge base: \d+ pages/);

    const second = await startServer({ WHYWIKI_DATA: dir });
    const health = await (await fetch(`${second.url}/healthz`)).json();
    await second.stop();
    expect(second.output()).not.toMatch(/the password|Seeded/);
    expect(health.pages).toBeGreaterThanOrEqual(40);

    const store = openStore(dir);
    expect(await signIn(store, 'admin', printed!, null)).toMatchObject({ role: 'admin' });
    store.close();
  }, 60_000);

  it('refuses a bad configuration, naming each variable', async () => {
    const result = await run(TSX, [path.join(ROOT, 'server/main.ts')], { env: { ...process.env, PORT: 'eighty', WHYWIKI_TICKET_URL: 'no-placeholder', WHYWIKI_DATA: tempDir() } }).catch((e: { code: number; stderr: string }) => e);
    expect(result).toMatchObject({ code: 1 });
    expect((result as { stderr: string }).stderr).toMatch(/PORT must be a whole number[\s\S]*WHYWIKI_TICKET_URL must contain \{id\}/);
  }, 30_000);

  it('refuses a store written by a newer version', async () => {
    const dir = tempDir();
    const store = openStore(dir);
    store.unsafeDatabaseForTests().prepare("INSERT INTO schema_migrations VALUES (99, '099_future', 'x')").run();
    store.close();
    const result = await run(TSX, [path.join(ROOT, 'server/main.ts')], { env: { ...process.env, WHYWIKI_DATA: dir, PORT: '1' } }).catch((e: { code: number; stderr: string }) => e);
    expect(result).toMatchObject({ code: 1 });
    expect((result as { stderr: string }).stderr).toContain('written by a newer Whywiki (schema version 99)');
  }, 30_000);
});
