import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, sampleFrontMatter, seedPage, testApp, tokenFor, type TestApp } from '../helpers.js';

let t: TestApp;
let auth: Record<string, string>;
beforeAll(async () => {
  t = await testApp({ ticketUrl: 'https://sn.example/{id}', maxBodyBytes: 4096 });
  seedPage(t.store);
  auth = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
});
afterAll(async () => { await t.close(); });

const rowCounts = () => t.store.unsafeDatabaseForTests().prepare(`SELECT (SELECT count(*) FROM page_versions) || '/' || (SELECT count(*) FROM audit_events)`).pluck().get();

describe('pages API', () => {
  it('reads a page as flat JSON', async () => {
    const res = await t.app.inject({ url: '/api/pages/sepsis-screening-bpa', headers: auth });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page).toMatchObject({ slug: 'sepsis-screening-bpa', title: sampleFrontMatter.title, why: sampleFrontMatter.why, owners: ['mreyes'], system: 'Epic', status: 'live', tickets: ['CHG0012345'], version: 1, author: 'mreyes' });
    expect(page.body).toContain('## Context');
    expect(page.html).toContain('<h2 id="h-context">Context</h2>');
    expect(page.updated_at).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('creates a page (201), then saves a new version with base_version and summary', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/pages', headers: auth, payload: { ...sampleFrontMatter, title: 'VTE prophylaxis order panel', body: 'Panel', summary: 'First draft' } });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe('/api/pages/vte-prophylaxis-order-panel');
    expect(created.json()).toMatchObject({ slug: 'vte-prophylaxis-order-panel', version: 1, author: 'editor', summary: 'First draft' });

    const saved = await t.app.inject({ method: 'PUT', url: '/api/pages/vte-prophylaxis-order-panel', headers: auth, payload: { ...sampleFrontMatter, title: 'VTE prophylaxis order panel', status: 'in-build', body: 'Panel v2', summary: 'Added heparin', base_version: 1 } });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ version: 2, status: 'in-build', body: 'Panel v2', unchanged: false });

    const versions = await t.app.inject({ url: '/api/pages/vte-prophylaxis-order-panel/versions', headers: auth });
    expect(versions.json().versions.map((v: { version: number; summary: string }) => [v.version, v.summary])).toEqual([[2, 'Added heparin'], [1, 'First draft']]);
    const v1 = await t.app.inject({ url: '/api/pages/vte-prophylaxis-order-panel/versions/1', headers: auth });
    expect(v1.json()).toMatchObject({ version: 1, body: 'Panel', status: 'live' });
  });

  it('answers a stale base_version with 409, what changed, and no write', async () => {
    await t.app.inject({ method: 'POST', url: '/api/pages', headers: auth, payload: { ...sampleFrontMatter, slug: 'conflict-page', body: 'one' } });
    await t.app.inject({ method: 'PUT', url: '/api/pages/conflict-page', headers: auth, payload: { ...sampleFrontMatter, body: 'two', summary: 'second', base_version: 1 } });
    const before = rowCounts();
    const res = await t.app.inject({ method: 'PUT', url: '/api/pages/conflict-page', headers: auth, payload: { ...sampleFrontMatter, body: 'mine', summary: 'mine', base_version: 1 } });
    expect(res.statusCode).toBe(409);
    const body = res.json();
    expect(body).toMatchObject({ error: 'Conflict', base_version: 1, current_version: 2 });
    expect(body.changes.body).toEqual([{ kind: 'removed', text: 'one' }, { kind: 'added', text: 'two' }]);
    expect(body.current.body).toBe('two');
    expect(rowCounts()).toBe(before);
  });

  it('pages through the list with limit and offset, and lists all without them', async () => {
    const all = (await t.app.inject({ url: '/api/pages', headers: auth })).json();
    expect(all.total).toBeGreaterThanOrEqual(3);
    expect(all.pages).toHaveLength(all.total);
    expect(all.pages[0]).toHaveProperty('slug');
    expect(all.pages[0]).toHaveProperty('title');
    expect(all.pages[0]).toHaveProperty('owners');
    const page2 = (await t.app.inject({ url: '/api/pages?limit=1&offset=1', headers: auth })).json();
    expect(page2.pages).toHaveLength(1);
    expect(page2.pages[0].slug).toBe(all.pages[1].slug);
    expect((await t.app.inject({ url: '/api/pages?limit=0', headers: auth })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/pages?limit=abc', headers: auth })).json().field).toBe('limit');
  });

  it('renders a preview', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/preview', headers: auth, payload: { body: '[[sepsis-screening-bpa]] <script>x</script>' } });
    expect(res.json().html).toBe('<p><a href="/p/sepsis-screening-bpa" class="wikilink">Sepsis screening BPA</a> x</p>');
  });

  it('answers 404 as JSON for pages and versions that do not exist', async () => {
    const res = await t.app.inject({ url: '/api/pages/no-such-page', headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toBe('There is no page "no-such-page".');
    expect((await t.app.inject({ url: '/api/pages/sepsis-screening-bpa/versions/9', headers: auth })).json().message).toMatch(/no version 9; its versions are 1 to/);
    expect((await t.app.inject({ url: '/api/nothing-here', headers: auth })).statusCode).toBe(404);
  });
});

describe('pages API bad input', () => {
  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url: '/api/pages', headers: { ...auth, 'content-type': 'application/json', ...headers }, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

  it.each([
    ['a missing why', { ...sampleFrontMatter, why: undefined, title: 'No why here', body: '' }, 'why', 400, /Why is required/],
    ['an empty why', { ...sampleFrontMatter, why: '  ', title: 'Empty why here', body: '' }, 'why', 400, /Why is required/],
    ['a missing owner', { ...sampleFrontMatter, owners: [], title: 'No owner here', body: '' }, 'owners', 400, /At least one owner/],
    ['an unknown owner', { ...sampleFrontMatter, owners: ['ghost'], title: 'Ghost owner', body: '' }, 'owners', 400, /Unknown owner: ghost/],
    ['a bad date', { ...sampleFrontMatter, go_live: '2024-13-45', title: 'Bad date page', body: '' }, 'go_live', 400, /YYYY-MM-DD/],
    ['an unknown field', { ...sampleFrontMatter, colour: 'red', title: 'Colourful', body: '' }, 'colour', 400, /not an accepted field/],
    ['a duplicate slug', { ...sampleFrontMatter, body: '' }, 'slug', 409, /already exists/],
    ['a bad system', { ...sampleFrontMatter, system: 'Cerner', title: 'Wrong system', body: '' }, 'system', 400, /System must be one of/],
    ['a missing body', { ...sampleFrontMatter, title: 'No body field' }, 'body', 400, /body/],
  ])('refuses %s with a message naming the field, storing nothing', async (_name, payload, field, status, message) => {
    const before = rowCounts();
    const res = await post(payload);
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body.field).toBe(field);
    expect(body.message).toMatch(message);
    expect(rowCounts()).toBe(before);
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await post('{"title": "x",');
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/not valid JSON/);
  });

  it('refuses __proto__ keys with 400', async () => {
    const res = await post(`{"__proto__": {"role": "admin"}, "title": "Proto page", "why": "w", "owners": ["mreyes"], "system": "Epic", "status": "live", "body": ""}`);
    expect(res.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });

  it('refuses a body over the size limit with 413', async () => {
    const before = rowCounts();
    const res = await post({ ...sampleFrontMatter, title: 'Huge page', body: 'x'.repeat(5000) });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toMatch(/larger than the limit/);
    const huge = await post({ ...sampleFrontMatter, title: 'Huger page', body: 'x'.repeat(50_000) });
    expect(huge.statusCode).toBe(413);
    expect(rowCounts()).toBe(before);
  });

  it('refuses a save without summary or base_version', async () => {
    const res = await t.app.inject({ method: 'PUT', url: '/api/pages/sepsis-screening-bpa', headers: auth, payload: { ...sampleFrontMatter, body: 'z' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['base_version', 'summary']);
  });
});

describe('a page read, changed and written back', () => {
  const read = async (slug: string) => (await t.app.inject({ url: `/api/pages/${slug}`, headers: auth })).json() as Record<string, unknown>;
  const put = (slug: string, payload: object) => t.app.inject({ method: 'PUT', url: `/api/pages/${slug}`, headers: auth, payload });

  it('saves the page exactly as GET returned it with a new body: read-only fields as read are ignored', async () => {
    await t.app.inject({ method: 'POST', url: '/api/pages', headers: auth, payload: { ...sampleFrontMatter, slug: 'round-trip', body: 'one' } });
    const page = await read('round-trip');
    const res = await put('round-trip', { ...page, body: 'two', summary: 'Second thoughts' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ slug: 'round-trip', version: 2, body: 'two', summary: 'Second thoughts', author: 'editor', unchanged: false });
    // As a script would: read, change the body, write back, without touching anything else.
    const again = await read('round-trip');
    const third = await put('round-trip', { ...again, body: 'three' });
    expect(third.statusCode).toBe(200);
    expect(third.json().version).toBe(3);
  });

  it('answers a write-back of a version that is no longer current with the 409 conflict', async () => {
    const stale = await read('round-trip');
    await put('round-trip', { ...stale, body: 'theirs', summary: 'theirs' });
    const before = rowCounts();
    const res = await put('round-trip', { ...stale, body: 'mine', summary: 'mine' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ base_version: stale.version, current_version: (stale.version as number) + 1 });
    expect(rowCounts()).toBe(before);
  });

  it.each([
    ['author', 'someone-else', /author is read-only/],
    ['updated_at', '1999-01-01T00:00:00.000Z', /updated_at is read-only/],
    ['hash', 'f'.repeat(64), /hash is read-only/],
    ['html', '<p>edited html</p>', /html is read-only: it is rendered from body: change body instead/],
    ['archived', true, /archive/],
  ])('refuses a changed %s with 400 naming the field, storing nothing', async (field, value, message) => {
    const page = await read('round-trip');
    const before = rowCounts();
    const res = await put('round-trip', { ...page, body: 'changed', summary: 'x', [field]: value });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe(field);
    expect(res.json().message).toMatch(message);
    expect(rowCounts()).toBe(before);
  });

  it('takes html read before a linked page was created as read', async () => {
    await t.app.inject({ method: 'POST', url: '/api/pages', headers: auth, payload: { ...sampleFrontMatter, slug: 'links-ahead', body: 'See [[made-later]].' } });
    const page = await read('links-ahead');
    expect(page.html).toContain('class="wikilink missing"');
    await t.app.inject({ method: 'POST', url: '/api/pages', headers: auth, payload: { ...sampleFrontMatter, slug: 'made-later', body: 'x' } });
    const res = await put('links-ahead', { ...page, body: 'See [[made-later]] now.', summary: 'More words' });
    expect(res.statusCode).toBe(200);
    expect(res.json().html).toContain('<a href="/p/made-later" class="wikilink">');
  });

  it('refuses a different slug with 400 saying how to rename', async () => {
    const page = await read('round-trip');
    const res = await put('round-trip', { ...page, slug: 'round-trip-renamed', summary: 'rename' });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.field).toBe('slug');
    expect(body.message).toContain('To rename it, POST /api/pages/round-trip/rename with "slug": "round-trip-renamed"');
    expect(body.message).toContain('superseded');
  });

  it('refuses version and base_version that disagree, and a save with neither', async () => {
    const page = await read('round-trip');
    const both = await put('round-trip', { ...page, base_version: (page.version as number) - 1, summary: 'x', body: 'x' });
    expect(both.statusCode).toBe(400);
    expect(both.json().field).toBe('version');
    const { version: _v, ...neither } = page;
    const none = await put('round-trip', { ...neither, summary: 'x', body: 'x' });
    expect(none.statusCode).toBe(400);
    expect(none.json().field).toBe('base_version');
  });
});

describe('owners written with capitals', () => {
  it('are normalized as the form does, through the API and through the form alike', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/pages', headers: auth, payload: { ...sampleFrontMatter, slug: 'capital-owner', owners: ['MReyes', ' DOkafor '], body: 'x' } });
    expect(created.statusCode).toBe(201);
    expect(created.json().owners).toEqual(['mreyes', 'dokafor']);
    const saved = await t.app.inject({ method: 'PUT', url: '/api/pages/capital-owner', headers: auth, payload: { ...(created.json() as object), owners: ['DOKAFOR'], summary: 'Handed over' } });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().owners).toEqual(['dokafor']);

    const editor = new Browser(t.app);
    await editor.signIn('editor');
    await editor.get('/new');
    const form = await editor.post('/new', { ...sampleFrontMatter, owners: 'MReyes', tickets: 'CHG0012345', records: 'BPA 1234567', title: 'Capital owner by form', slug: 'capital-owner-form', body: 'x' });
    expect(form.statusCode).toBe(303);
    expect((await t.app.inject({ url: '/api/pages/capital-owner-form', headers: auth })).json().owners).toEqual(['mreyes']);
  });

  it('are refused with the same message by both when unknown', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/pages', headers: auth, payload: { ...sampleFrontMatter, title: 'Ghost capital', owners: ['GHOST'], body: '' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: 'owners', message: expect.stringMatching(/Unknown owner: ghost/) });
  });
});
