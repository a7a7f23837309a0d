import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../../server/setup.js';
import { seedFromContent } from '../../server/seed.js';
import { buildApp } from '../../server/app.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { CONTENT_DIR } from '../../server/paths.js';
import { FRONT_MATTER_FIELDS, type FrontMatter } from '../../server/pages/schema.js';
import { createPage, savePage } from '../../server/pages/commands.js';
import type { Store } from '../../server/store/index.js';
import { Browser, PASSWORD, testConfig, tempDir, tokenFor } from '../helpers.js';

/** A page from GET /api/pages/:slug as a PUT body: front matter fields and body only. */
function editable(page: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(page).filter(([k]) => (FRONT_MATTER_FIELDS as string[]).includes(k) || k === 'body'));
}

const rules = { systems: ['Epic', 'Workday', 'Interfaces', 'Infrastructure'], maxBodyBytes: 1024 * 1024 };

/** The demo wiki on a temp store, with one account per role. */
async function demoApp(dir = tempDir(), seed = true): Promise<{ app: FastifyInstance; store: Store; dir: string; auth: { authorization: string } }> {
  const store = openStore(dir);
  if (seed) {
    seedFromContent(store, CONTENT_DIR, rules);
    for (const role of ['reader', 'editor', 'admin'] as const) await createUser({ store, actor: { username: 'test' } }, { username: role, password: PASSWORD, role });
  }
  const app = await buildApp({ config: testConfig(dir), store, logger: false });
  await app.ready();
  return { app, store, dir, auth: { authorization: `Bearer ${tokenFor(store, 'editor')}` } };
}

describe('search over the demo wiki', () => {
  let t: Awaited<ReturnType<typeof demoApp>>;
  beforeAll(async () => {
    t = await demoApp();
    await t.app.searchIndex.whenReady();
  });
  afterAll(async () => {
    await t.app.close();
    t.store.close();
  });

  const search = async (q: string, extra = '') => {
    const res = await t.app.inject({ url: `/api/search?q=${encodeURIComponent(q)}${extra}`, headers: t.auth });
    return { status: res.statusCode, body: res.json() };
  };
  const firstSlug = async (q: string, extra = '') => (await search(q, extra)).body.results[0]?.slug;

  it('puts the expected page first for IDs, typos, prefixes, phrases, filters and owners', async () => {
    expect(await firstSlug('CHG0041872')).toBe('sepsis-screening-bpa');
    for (const q of ['BPA 1900231', 'bpa-1900231', 'BPA1900231']) expect(await firstSlug(q), q).toBe('sepsis-screening-bpa');
    expect(await firstSlug('sepssis')).toBe('sepsis-screening-bpa');
    expect(await firstSlug('sepsis scree')).toBe('sepsis-screening-bpa');
    expect(await firstSlug('"three-hour bundle window"')).toBe('sepsis-screening-bpa');
    expect(await firstSlug('retro', '&system=Workday')).toBe('workday-payroll-retro-pay-rule');
    expect(await firstSlug('ADT_A08_FILTER')).toBe('adt-a08-patient-update-filter');
    const brennan = (await search('Tom Brennan')).body.results.map((r: { slug: string }) => r.slug);
    expect(brennan.slice(0, 2).sort()).toEqual(['hb-charge-router-infusion-rule', 'hb-late-charge-workqueue']);
  });

  it('answers with snippets, highlights, facets and the total', async () => {
    const { body } = await search('order', '&limit=2');
    expect(body.total).toBeGreaterThan(1);
    expect(body.results).toHaveLength(2);
    const r = body.results[0];
    expect(Object.keys(r)).toEqual(expect.arrayContaining(['slug', 'title', 'snippet', 'score', 'highlights', 'status', 'system', 'owners', 'updated_at']));
    expect(r.highlights.length).toBeGreaterThan(0);
    expect(r.snippet.slice(r.highlights[0][0], r.highlights[0][1]).toLowerCase()).toMatch(/^order/);
    expect(body.facets.system.map((f: { value: string }) => f.value)).toContain('Epic');
    const page2 = await search('order', '&limit=2&offset=2');
    expect(page2.body.results[0]?.slug).not.toBe(r.slug);
  });

  it('searches change summaries and past whys with history=1, linking to the version', async () => {
    const { body } = await search('went live adult inpatient', '&history=1');
    expect(body.results[0]).toMatchObject({ slug: 'sepsis-screening-bpa', url: expect.stringMatching(/^\/p\/sepsis-screening-bpa\/v\/\d+$/) });
    const html = await t.app.inject({ url: '/search?q=criterion&history=1', headers: t.auth });
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain('/p/sepsis-screening-bpa/v/');
  });

  it('searches a pasted title with a colon as text, saying the word before it is no field', async () => {
    const api = await search('Sepsis: screening BPA');
    expect(api.status).toBe(200);
    expect(api.body.read_as_text).toEqual(['Sepsis']);
    expect(api.body.results[0].slug).toBe('sepsis-screening-bpa');
    expect((await search('title:sepsis')).body.read_as_text).toEqual([]);
    const html = await t.app.inject({ url: `/search?q=${encodeURIComponent('Sepsis: screening BPA')}`, headers: t.auth });
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain('<code>Sepsis:</code> is not a field you can search in, so it was searched as text.');
    expect(html.body).toContain('/p/sepsis-screening-bpa');
  });

  it('answers a query it cannot read with 400 and a message, never a 500', async () => {
    const refused: [string, RegExp][] = [
      ['*', /too broad: a wildcard needs at least 2 letters/],
      ['**', /too broad: a wildcard needs at least 2 letters/],
      ['sepsis~9', /allows too many edits: use at most ~2/],
      ['title:', /ends with an operator/],
      ['^^^', /Put \^ right after a word/],
      ['sepsis^x', /After \^ put a number/],
      ['~', /Put ~ right after a word/],
      ['a'.repeat(300), /limited to 200 characters/],
      [`${'abcdefghij'.repeat(19)} `, /limited to 64 characters/],
      [`records:${'x'.repeat(65)}`, /limited to 64 characters/],
    ];
    for (const [q, message] of refused) {
      const res = await search(q);
      expect(res.status, q).toBe(400);
      expect(res.body, q).toMatchObject({ statusCode: 400, field: 'q', message: expect.stringMatching(message) });
    }
    // Nothing searchable is not an error: no results, and nothing else happens.
    for (const q of ['+', '-', '"', '   ']) {
      const res = await search(q);
      expect(res.status, q).toBe(200);
      expect(res.body, q).toMatchObject({ total: 0, results: [] });
    }
    const html = await t.app.inject({ url: '/search?q=sepsis~9', headers: t.auth });
    expect(html.statusCode).toBe(400);
    expect(html.body).toContain('allows too many edits');
    expect(html.body).toContain('value="sepsis~9"');
    expect((await t.app.inject({ url: '/api/search?q=x&limit=500', headers: t.auth })).statusCode).toBe(400);
  });

  it('makes a save searchable at once, and an archived page disappears', async () => {
    const page = (await t.app.inject({ url: '/api/pages/sepsis-screening-bpa', headers: t.auth })).json();
    const { version } = page;
    const rest = editable(page) as { body: string };
    const saved = await t.app.inject({ method: 'PUT', url: '/api/pages/sepsis-screening-bpa', headers: t.auth, payload: { ...rest, body: `${rest.body}\n\nNow also screens for quetiapine interactions.\n`, summary: 'Note the quetiapine check', base_version: version } });
    expect(saved.statusCode).toBe(200);
    expect(await firstSlug('quetiapine')).toBe('sepsis-screening-bpa');
    expect((await search('quetiapine', '&history=1')).body.results[0]).toMatchObject({ slug: 'sepsis-screening-bpa', version: version + 1 });
    const archived = await t.app.inject({ method: 'POST', url: '/api/pages/vte-prophylaxis-order-panel/archive', headers: t.auth, payload: { summary: 'Replaced by the new panel' } });
    expect(archived.statusCode).toBe(200);
    const vte = await search('vte prophylaxis');
    expect(vte.body.results.map((r: { slug: string }) => r.slug)).not.toContain('vte-prophylaxis-order-panel');
  });

  it('notices pages written by another process, in search and in page views', async () => {
    await t.app.inject({ url: '/p/sepsis-screening-bpa', headers: t.auth }); // cached now
    const other = openStore(t.dir);
    const ctx = { store: other, ...rules, actor: { username: 'editor' } };
    createPage(ctx, { slug: 'external-note', frontMatter: { title: 'External note', why: 'Written by the CLI about xylophone tuning.', owners: ['mreyes'], system: 'Epic', status: 'live' }, body: 'See [[sepsis-screening-bpa]].' });
    other.close();
    const view = await t.app.inject({ url: '/p/sepsis-screening-bpa', headers: t.auth });
    expect(view.body).toContain('/p/external-note'); // the new backlink
    const t0 = Date.now();
    for (;;) {
      if ((await search('xylophone')).body.total > 0) break;
      expect(Date.now() - t0, 'found within 3 s').toBeLessThan(3000);
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  it('answers the status at once while a query is running', async () => {
    const order: string[] = [];
    const query = t.app.inject({ url: '/api/search?q=sepsis', headers: t.auth }).then((r) => order.push(`search ${r.statusCode}`));
    const status = t.app.inject({ url: '/api/search/status', headers: t.auth }).then((r) => order.push(`status ${r.statusCode}`));
    await Promise.all([query, status]);
    // The status does not wait for the worker, so it is answered before the query sent ahead of it.
    expect(order).toEqual(['status 200', 'search 200']);
  });

  it('takes callers in turn, so one caller with many searches delays only their own', async () => {
    const order: string[] = [];
    const viewer = { admin: false, teams: [] };
    const many = Array.from({ length: 6 }, (_, i) => t.app.searchIndex.search({ q: 'sepsis', viewer }, 'busy').then(() => order.push(`busy ${i}`)));
    const one = t.app.searchIndex.search({ q: 'order', viewer }, 'other').then(() => order.push('other'));
    await Promise.all([...many, one]);
    expect(order.indexOf('other')).toBeLessThanOrEqual(2);
    expect(order.filter((o) => o.startsWith('busy'))).toEqual(['busy 0', 'busy 1', 'busy 2', 'busy 3', 'busy 4', 'busy 5']);
  });

  it('is for signed-in readers only, and escapes what it shows', async () => {
    expect((await t.app.inject({ url: '/api/search?q=sepsis' })).statusCode).toBe(401);
    const reader = new Browser(t.app);
    await reader.signIn('reader');
    const res = await reader.get('/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('<script>alert(1)');
    expect(res.body).toContain('&lt;script&gt;');
    const hit = await reader.get('/search?q=sepsis&system=Epic');
    expect(hit.body).toContain('<mark>Sepsis</mark>');
    // Filter links keep the query and the filters already chosen (Handlebars escapes = and &).
    expect(hit.body).toMatch(/href="\/search\?q(=|&#x3D;)sepsis&amp;system(=|&#x3D;)Epic&amp;status(=|&#x3D;)live"/);
  });
});

describe('search while the index warms up', () => {
  it('answers 503 with Retry-After and a friendly page, while pages are served', async () => {
    const t = await demoApp();
    const { SearchUnavailable } = await import('../../server/search/client.js');
    t.app.searchIndex.search = async () => {
      throw new SearchUnavailable('Search is warming up; try again in a moment.', true);
    };
    const api = await t.app.inject({ url: '/api/search?q=sepsis', headers: t.auth });
    expect(api.statusCode).toBe(503);
    expect(api.headers['retry-after']).toBe('2');
    expect(api.json().message).toContain('warming up');
    const reader = new Browser(t.app);
    await reader.signIn('reader');
    const html = await reader.get('/search?q=sepsis');
    expect(html.statusCode).toBe(503);
    expect(html.body).toContain('Search is warming up');
    expect(html.body).toContain('value="sepsis"');
    expect((await reader.get('/p/sepsis-screening-bpa')).statusCode).toBe(200);
    await t.app.close();
    t.store.close();
  });
});

describe('search index on disk', () => {
  it('is loaded on restart instead of rebuilt, and only what changed since is indexed', async () => {
    const dir = tempDir();
    const first = await demoApp(dir);
    const s1 = await first.app.searchIndex.whenReady();
    expect(s1).toMatchObject({ state: 'ready', loadedFrom: 'build', builds: 1 });
    expect(fs.existsSync(path.join(dir, 'search-index.bin'))).toBe(true);
    await first.app.close();
    first.store.close();

    const second = await demoApp(dir, false);
    const s2 = await second.app.searchIndex.whenReady();
    expect(s2).toMatchObject({ state: 'ready', loadedFrom: 'file', builds: 0, mainWatermark: s1.watermark, watermark: s1.watermark });
    const current = (await second.app.inject({ url: '/api/pages/cauti-flowsheet-rows', headers: second.auth })).json();
    await second.app.close();
    second.store.close();

    // Written while no search was running: the next start indexes just that.
    const store = openStore(dir);
    const { body, ...fm } = editable(current) as { body: string } & FrontMatter;
    savePage({ store, ...rules, actor: { username: 'editor' } }, { slug: 'cauti-flowsheet-rows', frontMatter: fm, body: `${body}\nMentions zygomorphic flowers.\n`, summary: 'Offline edit', baseVersion: current.version });
    store.close();

    const third = await demoApp(dir, false);
    const s3 = await third.app.searchIndex.whenReady();
    expect(s3).toMatchObject({ loadedFrom: 'file', builds: 0, mainWatermark: s1.watermark, watermark: s1.watermark + 1, delta: 2 });
    const res = await third.app.inject({ url: '/api/search?q=zygomorphic', headers: third.auth });
    expect(res.json().results[0].slug).toBe('cauti-flowsheet-rows');
    await third.app.close();
    third.store.close();
  });

  it('rebuilds a damaged index file, and serves pages while search warms up', async () => {
    const dir = tempDir();
    const first = await demoApp(dir);
    await first.app.searchIndex.whenReady();
    await first.app.close();
    first.store.close();
    fs.writeFileSync(path.join(dir, 'search-index.bin'), 'not an index');
    const second = await demoApp(dir, false);
    const page = await second.app.inject({ url: '/api/pages/sepsis-screening-bpa', headers: second.auth });
    expect(page.statusCode).toBe(200);
    const s = await second.app.searchIndex.whenReady();
    expect(s).toMatchObject({ state: 'ready', loadedFrom: 'build', builds: 1 });
    expect((await second.app.inject({ url: '/api/search?q=sepsis', headers: second.auth })).json().total).toBeGreaterThan(0);
    await second.app.close();
    second.store.close();
  });
});
