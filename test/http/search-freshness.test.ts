import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../../server/setup.js';
import { buildApp, type AppOptions } from '../../server/app.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { createPage } from '../../server/pages/commands.js';
import type { Store } from '../../server/store/index.js';
import { commandContext, seedPage, testConfig, testStore, tokenFor } from '../helpers.js';

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
});
