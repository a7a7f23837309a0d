import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../server/setup.js';
import { buildApp } from '../../server/app.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { verifyStore } from '../../server/audit/verify.js';
import type { Store } from '../../server/store/index.js';
import { Browser, PASSWORD, sampleFrontMatter, seedPage, tempDir, testConfig, tokenFor } from '../helpers.js';

/** A 3 MB tmpfs for the data folder; null (with the reason) where this machine cannot mount one. */
function smallFilesystem(): { dir: string; unmount: () => void } | string {
  const dir = tempDir('whywiki-full-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    return `cannot mount a small filesystem here (${(e as Error).message.split('\n')[0]}); run as root to test a full disk`;
  }
  return { dir, unmount: () => execFileSync('umount', ['-l', dir], { stdio: 'pipe' }) };
}

const fs3 = smallFilesystem();
// CI runs as root, so there a missing tmpfs is a broken setup and fails the test; elsewhere the skip is
// announced here, and the page-limit test below still fills the store.
if (typeof fs3 === 'string') console.warn(`SKIPPED the tmpfs disk-full test: ${fs3}`);
afterAll(() => {
  if (typeof fs3 !== 'string') fs3.unmount();
});

/** A store in `dir` with one page, served, and an editor signed in with the edit form open. */
async function servedStore(dir: string) {
  const store = openStore(dir);
  store.parties.insert({ handle: 'mreyes', kind: 'person', name: 'Maria Reyes', title: null, email: null, status: 'active', departed_on: null, created_at: new Date().toISOString() });
  await createUser({ store, actor: { username: 'test' } }, { username: 'editor', password: PASSWORD, role: 'editor' });
  seedPage(store, 'sepsis-screening-bpa', 'First body.\n');
  const app = await buildApp({ config: testConfig(dir), store, logger: false });
  await app.ready();
  const auth = { authorization: `Bearer ${tokenFor(store, 'editor')}` };
  const editor = new Browser(app);
  await editor.signIn('editor');
  await editor.get('/p/sepsis-screening-bpa/edit');
  return { store, app, auth, editor };
}

/** Fills the disk with `fill`, checks that saves are refused cleanly, frees the space with `free`, and saves. */
async function refusesThenRecovers(dir: string, fill: (store: Store) => void, free: (store: Store) => void): Promise<void> {
  const { store, app, auth, editor } = await servedStore(dir);
  fill(store);

  const big = `${'A long paragraph of build notes that will not fit on this disk. '.repeat(4000)}\n`;
  const before = verifyStore(store);
  const api = await app.inject({ method: 'PUT', url: '/api/pages/sepsis-screening-bpa', headers: auth, payload: { ...sampleFrontMatter, body: big, summary: 'Too big for the disk', base_version: 1 } });
  expect(api.statusCode).toBe(507);
  expect(api.json().message).toContain('disk is full');

  const form = await editor.post('/p/sepsis-screening-bpa/edit', { ...sampleFrontMatter, owners: 'mreyes', tickets: 'CHG0012345', records: 'BPA 1234567', body: `Typed by a person. ${big}`, summary: 'Form save on a full disk', base_version: '1' });
  expect(form.statusCode).toBe(507);
  expect(form.body).toContain('disk is full');
  expect(form.body).toContain('Typed by a person.');

  expect(store.unsafeDatabaseForTests().pragma('integrity_check', { simple: true })).toBe('ok');
  const after = verifyStore(store);
  expect(after.break).toBeNull();
  expect(after.versions).toBe(before.versions);
  expect(after.events).toBe(before.events);

  free(store);
  const saved = await app.inject({ method: 'PUT', url: '/api/pages/sepsis-screening-bpa', headers: auth, payload: { ...sampleFrontMatter, body: 'Saved once space was freed.\n', summary: 'After freeing space', base_version: 1 } });
  expect(saved.statusCode).toBe(200);
  expect(saved.json().version).toBe(2);
  expect(verifyStore(store).break).toBeNull();
  await app.close();
  store.close();
}

describe('a full disk', () => {
  it('refuses saves with 507, keeps the store consistent and the text typed, and recovers once space is freed (tmpfs)', { timeout: 60_000 }, async (ctx) => {
    if (typeof fs3 === 'string') {
      if (process.env.CI) expect.fail(`CI must run the full-disk test, but ${fs3}`);
      return ctx.skip();
    }
    const filler = path.join(fs3.dir, 'filler.bin');
    await refusesThenRecovers(
      fs3.dir,
      () => {
        // Fill the filesystem, leaving almost nothing.
        const fd = fs.openSync(filler, 'w');
        try {
          for (;;) fs.writeSync(fd, Buffer.alloc(64 * 1024, 1));
        } catch (e) {
          expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
        } finally {
          fs.closeSync(fd);
        }
      },
      () => fs.rmSync(filler),
    );
  });

  it('refuses saves with 507 and recovers when the store may not grow (SQLite page limit, runs without root)', { timeout: 60_000 }, async () => {
    await refusesThenRecovers(
      tempDir(),
      (store) => store.unsafeDatabaseForTests().pragma(`max_page_count = ${Number(store.unsafeDatabaseForTests().pragma('page_count', { simple: true }))}`),
      (store) => store.unsafeDatabaseForTests().pragma('max_page_count = 1073741823'),
    );
  });
});
