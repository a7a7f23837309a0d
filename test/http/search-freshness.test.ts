import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { runCli } from '../../server/cli.js';
import { openStore } from '../../server/setup.js';
import { buildApp, type AppOptions } from '../../server/app.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { createPage } from '../../server/pages/commands.js';
import type { Store } from '../../server/store/index.js';
import { commandContext, seedPage, tempDir, testConfig, testStore, tokenFor } from '../helpers.js';

const opened: { app: FastifyInstance; store: Store }[] = [];
afterEach(async () => {
  for (const { app, store } of opened.splice(0)) {
    await app.close();
    store.close();
  }
});

/** An app whose search worker picks up other processes' pages only when told (pollMs 0), so the tests decide when. */
async function appWithSearch(search: AppOptions['search']) {
  const { store, dir } = testStore();
  for (const role of ['reader', 'admin'] as const) await createUser({ store, actor: { username: 'test' } }, { username: role, password: 'a-long-test-password', role });
  store.parties.insert({ handle: 'reader', kind: 'person', name: 'Rita Reader', title: null, email: null, status: 'active', departed_on: null, created_at: new Date().toISOString() });
  seedPage(store);
  const app = await buildApp({ config: testConfig(dir), store, logger: false, search: { pollMs: 0, ...search } });
  await app.ready();
  opened.push({ app, store });
  await app.searchIndex.whenReady();
  const reader = { authorization: `Bearer ${tokenFor(store, 'reader')}` };
  const admin = { authorization: `Bearer ${tokenFor(store, 'admin')}` };
  return { app, store, dir, reader, admin };
}

/** Pages written through a second connection to the store file, as the CLI's import does. */
function importElsewhere(dir: string, count: number, options: { restricted?: number } = {}): void {
  const other = openStore(dir);
  other.transaction(() => {
    for (let i = 0; i < count; i++) {
      const restricted = i < (options.restricted ?? 0);
      createPage(commandContext(other, 'mreyes'), {
        slug: `imported-${i}`,
        frontMatter: { title: `Imported note ${i}`, why: 'Brought over from the old wiki about xylophone tuning.', owners: ['mreyes'], system: 'Epic', status: 'live', ...(restricted ? { restricted_to: ['epic-clindoc'] } : {}) },
        body: `Imported body ${i} mentions xylophone.`,
      });
    }
  });
  other.close();
}

describe('pages written by another process', () => {
  it('says how many pages are being indexed, on /search and in the API, until they are searchable', async () => {
    const t = await appWithSearch({});
    importElsewhere(t.dir, 4, { restricted: 1 });

    const before = await t.app.inject({ url: '/api/search?q=xylophone', headers: t.reader });
    expect(before.json()).toMatchObject({ total: 0, indexing: 3 }); // the restricted page is not the reader's to count
    expect((await t.app.inject({ url: '/api/search?q=xylophone', headers: t.admin })).json()).toMatchObject({ indexing: 4 });
    expect((await t.app.inject({ url: '/api/search/status', headers: t.reader })).json()).toEqual({ state: 'ready', indexing: 3 });
    const page = await t.app.inject({ url: '/search?q=xylophone', headers: t.reader });
    expect(page.body).toContain('Indexing 3 new pages');
    expect((await t.app.inject({ url: '/search', headers: t.reader })).body).toContain('Indexing 3 new pages');

    t.app.searchIndex.notifyChanged();
    const after = await t.app.inject({ url: '/api/search?q=xylophone', headers: t.reader });
    expect(after.json()).toMatchObject({ total: 3, indexing: 0 });
    expect((await t.app.inject({ url: '/search?q=xylophone', headers: t.reader })).body).not.toContain('Indexing');
  });

  it('makes a large import searchable from the delta at once, not after a rebuild', async () => {
    // Every rebuild runs in the background process here, and the delta is "full" after 5 pages.
    const t = await appWithSearch({ deltaMax: 5, backgroundBuildAbove: 0 });
    importElsewhere(t.dir, 30);
    t.app.searchIndex.notifyChanged();
    const res = await t.app.inject({ url: '/api/search?q=xylophone&limit=50', headers: t.admin });
    expect(res.json()).toMatchObject({ total: 30, indexing: 0 });
  });

  it('makes every page of a CLI import searchable while the app runs, counting what is left meanwhile', async () => {
    // A delta "full" after 50 pages and every rebuild in the background process: the import is picked up
    // across several turns while a rebuild runs, as a large import is.
    const t = await appWithSearch({ deltaMax: 50, backgroundBuildAbove: 0 });
    const folder = tempDir();
    const n = 300;
    for (let i = 0; i < n; i++) {
      fs.writeFileSync(path.join(folder, `runbook-${i}.md`), `---\ntitle: Zanzibar runbook ${i}\nwhy: Brought over from the old wiki.\nowners: [mreyes]\nsystem: Epic\nstatus: live\n---\nStep ${i} of the zanzibar failover, marker${i}.\n`);
    }
    let out = '';
    const w = { write: (text: string) => (out += text) };
    expect(await runCli(['import', folder], { stdout: w, stderr: w, env: { ...process.env, WHYWIKI_DATA: t.dir } }), out).toBe(0);
    expect(out).toContain(`${n} created`);

    // Nothing is picked up until the worker looks (pollMs 0): the whole import is counted as being indexed.
    expect((await t.app.inject({ url: '/api/search/status', headers: t.reader })).json()).toEqual({ state: 'ready', indexing: n });
    expect((await t.app.inject({ url: '/search?q=zanzibar', headers: t.reader })).body).toContain(`Indexing ${n} new pages`);

    t.app.searchIndex.notifyChanged();
    const seen: number[] = [];
    await vi.waitFor(async () => {
      const { indexing } = (await t.app.inject({ url: '/api/search/status', headers: t.reader })).json() as { indexing: number };
      seen.push(indexing);
      expect(indexing).toBe(0);
    }, { timeout: 60_000, interval: 10 });
    expect(seen.every((count, i) => count <= (seen[i - 1] ?? n))).toBe(true);
    // Delta merges go on in slices after the last page is searchable; swapping one in may reorder results
    // (as a rebuild does), so the pages of results below are read once it is done.
    await vi.waitFor(async () => expect((await t.app.searchIndex.status()).merging).toBe(false), { timeout: 60_000, interval: 10 });

    const found = new Set<string>();
    for (let offset = 0; offset < n; offset += 50) {
      const res = (await t.app.inject({ url: `/api/search?q=zanzibar&limit=50&offset=${offset}`, headers: t.reader })).json() as { total: number; results: { slug: string }[] };
      expect(res.total).toBe(n);
      for (const r of res.results) found.add(r.slug);
    }
    expect(found.size).toBe(n);
    // Each page by its own word, the last one imported included.
    for (const i of [0, n / 2, n - 1]) {
      expect((await t.app.inject({ url: `/api/search?q=marker${i}`, headers: t.reader })).json()).toMatchObject({ total: 1, results: [{ slug: `runbook-${i}` }] });
    }
  }, 120_000);
});
