import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, commandContext, privacyTeam, sampleFrontMatter, seedPage, testApp, tokenFor, type TestApp } from '../helpers.js';
import { createPage, savePage } from '../../server/pages/commands.js';
import { verifyStore } from '../../server/audit/verify.js';

let t: TestApp;
let editor: Record<string, string>;
let admin: Record<string, string>;
let pat: Record<string, string>;
const SSN_TEXT = 'Patient SSN 123-45-6789 was in the example.';

beforeAll(async () => {
  t = await testApp();
  await privacyTeam(t.store);
  editor = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
  admin = { authorization: `Bearer ${tokenFor(t.store, 'admin')}` };
  pat = { authorization: `Bearer ${tokenFor(t.store, 'pat')}` };
  seedPage(t.store, 'sepsis-screening-bpa', '## Context\n\nThe first text.\n');
  createPage(commandContext(t.store), { slug: 'vte-panel', frontMatter: { ...sampleFrontMatter, title: 'VTE panel' }, body: 'See [[sepsis-screening-bpa]] and [[lab-feed]].' });
  createPage(commandContext(t.store, 'pwong'), { slug: 'privacy-only', frontMatter: { ...sampleFrontMatter, title: 'Privacy only', restricted_to: ['privacy'] }, body: 'x' });
});
afterAll(async () => { await t.close(); });

const call = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, headers: Record<string, string>, payload?: object) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
const draftOf = (fields: Record<string, string>, base: number | null = 1) => ({ base_version: base, fields });

describe('drafts', () => {
  it('keeps, shows with its changes, lists and discards the author\'s draft of a page', async () => {
    const put = await call('PUT', '/api/pages/sepsis-screening-bpa/draft', editor, draftOf({ title: 'Sepsis screening BPA (adult)', body: '## Context\n\nThe second text.\n' }));
    expect(put.statusCode, put.body).toBe(200);
    const got = await call('GET', '/api/pages/sepsis-screening-bpa/draft', editor);
    expect(got.statusCode).toBe(200);
    const draft = got.json();
    expect(draft).toMatchObject({ slug: 'sepsis-screening-bpa', new: false, base_version: 1, current_version: 1, moved_on: false });
    expect(draft.changes.fields).toEqual([{ field: 'title', from: 'Sepsis screening BPA', to: 'Sepsis screening BPA (adult)' }]);
    expect(draft.changes.body).toEqual([{ kind: 'removed', text: 'The first text.' }, { kind: 'added', text: 'The second text.' }].map((l) => expect.objectContaining(l)));
    const list = (await call('GET', '/api/drafts', editor)).json();
    expect(list.drafts.map((d: { slug: string }) => d.slug)).toEqual(['sepsis-screening-bpa']);
    expect((await call('DELETE', '/api/pages/sepsis-screening-bpa/draft', editor)).statusCode).toBe(200);
    expect((await call('GET', '/api/pages/sepsis-screening-bpa/draft', editor)).statusCode).toBe(404);
    expect((await call('DELETE', '/api/pages/sepsis-screening-bpa/draft', editor)).statusCode).toBe(404);
  });

  it('is private to its author: another person gets 404 and their own list stays empty', async () => {
    await call('PUT', '/api/pages/sepsis-screening-bpa/draft', editor, draftOf({ body: 'mine' }));
    expect((await call('GET', '/api/pages/sepsis-screening-bpa/draft', admin)).statusCode).toBe(404);
    expect((await call('DELETE', '/api/pages/sepsis-screening-bpa/draft', admin)).statusCode).toBe(404);
    expect((await call('GET', '/api/drafts', admin)).json().drafts).toEqual([]);
    expect((await call('GET', '/api/pages/sepsis-screening-bpa/draft', editor)).json().fields.body).toBe('mine');
  });

  it('refuses a draft holding patient information with 422 and each finding, and stores nothing', async () => {
    await call('DELETE', '/api/pages/sepsis-screening-bpa/draft', editor);
    const res = await call('PUT', '/api/pages/sepsis-screening-bpa/draft', editor, draftOf({ body: SSN_TEXT }));
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0]).toMatchObject({ field: 'body' });
    expect(res.json().errors[0].message).toContain('Social Security number');
    expect((await call('GET', '/api/pages/sepsis-screening-bpa/draft', editor)).statusCode).toBe(404);
    expect(t.store.unsafeDatabaseForTests().prepare("SELECT count(*) FROM drafts WHERE fields LIKE '%123-45%'").pluck().get()).toBe(0);
  });

  it('keeps a new page under a made-up key, listed as new, and refuses keys that are neither', async () => {
    const res = await call('PUT', '/api/pages/new-abcdefgh12/draft', editor, draftOf({ title: 'Blood culture reflex', body: 'b' }, null));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ new: true, base_version: null, current_version: null, title: 'Blood culture reflex' });
    expect((await call('GET', '/api/drafts', editor)).json().drafts).toContainEqual(expect.objectContaining({ slug: 'new-abcdefgh12', new: true }));
    const nowhere = await call('PUT', '/api/pages/no-such-page/draft', editor, draftOf({ body: 'b' }, null));
    expect(nowhere.statusCode).toBe(404);
    expect(nowhere.json().message).toContain('new-');
  });

  it('answers bad input with 400 and a message', async () => {
    const unknownField = await call('PUT', '/api/pages/sepsis-screening-bpa/draft', editor, draftOf({ colour: 'red' }));
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json().message).toContain('colour');
    const badBase = await call('PUT', '/api/pages/sepsis-screening-bpa/draft', editor, draftOf({ body: 'x' }, 99));
    expect(badBase.statusCode).toBe(400);
    expect(badBase.json().errors[0].field).toBe('base_version');
    const notFields = await call('PUT', '/api/pages/sepsis-screening-bpa/draft', editor, { fields: 'text' });
    expect(notFields.statusCode).toBe(400);
  });

  it('says when the page moved on since the draft began, and a saved version deletes the author\'s draft', async () => {
    createPage(commandContext(t.store), { slug: 'moving-page', frontMatter: { ...sampleFrontMatter, title: 'Moving page' }, body: 'one' });
    await call('PUT', '/api/pages/moving-page/draft', editor, draftOf({ body: 'my edit' }));
    savePage(commandContext(t.store, 'mreyes'), { slug: 'moving-page', frontMatter: { ...sampleFrontMatter, title: 'Moving page' }, body: 'two', summary: 'someone else', baseVersion: 1 });
    expect((await call('GET', '/api/pages/moving-page/draft', editor)).json()).toMatchObject({ moved_on: true, base_version: 1, current_version: 2 });
    const saved = await call('PUT', '/api/pages/moving-page', editor, { ...sampleFrontMatter, title: 'Moving page', body: 'my edit', summary: 'mine', base_version: 2 });
    expect(saved.statusCode, saved.body).toBe(200);
    expect((await call('GET', '/api/pages/moving-page/draft', editor)).statusCode).toBe(404);
  });

  it('is never searched, and a hidden page\'s draft route answers 404', async () => {
    await call('PUT', '/api/pages/sepsis-screening-bpa/draft', editor, draftOf({ body: 'zanzibarquokka' }));
    await t.app.searchIndex.whenReady();
    const res = await call('GET', '/api/search?q=zanzibarquokka', editor);
    expect(res.statusCode).toBe(200);
    expect(res.json().total ?? res.json().results.length).toBe(0);
    expect((await call('PUT', '/api/pages/privacy-only/draft', editor, draftOf({ body: 'x' }))).statusCode).toBe(404);
    expect((await call('PUT', '/api/pages/privacy-only/draft', pat, draftOf({ body: 'x' }))).statusCode).toBe(200);
  });

  it('removes a new page\'s draft once the form creates the page', async () => {
    const b = new Browser(t.app);
    await b.signIn('editor');
    await b.json('PUT', '/api/pages/new-formdraft1/draft', draftOf({ title: 'Form draft' }, null), { 'x-csrf-token': b.csrf });
    expect((await call('GET', '/api/pages/new-formdraft1/draft', editor)).statusCode).toBe(200);
    await b.get('/new');
    const res = await b.post('/new', { title: 'Form draft page', why: 'Needed.', owners: 'mreyes', system: 'Epic', body: 'b', draft_key: 'new-formdraft1' });
    expect(res.statusCode, res.body).toBe(303);
    expect((await call('GET', '/api/pages/new-formdraft1/draft', editor)).statusCode).toBe(404);
  });
});

describe('templates', () => {
  const template = { name: 'Interface (HL7 feed)', description: 'An HL7 interface', front_matter: { system: 'Interfaces', status: 'in-build', review_every: '1y', tags: 'hl7, interface' }, body: '## Messages\n' };

  it('lets admins add and change templates, each change an audit event, and everyone read them', async () => {
    const before = t.store.unsafeDatabaseForTests().prepare("SELECT count(*) FROM audit_events WHERE action LIKE 'template.%'").pluck().get() as number;
    const made = await call('POST', '/api/templates', admin, template);
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().id as number;
    expect(made.json()).toMatchObject({ front_matter: { system: 'Interfaces', tags: ['hl7', 'interface'] }, new_page_url: `/new?template=${id}` });
    const changed = await call('PUT', `/api/templates/${id}`, admin, { ...template, body: '## Messages\n\n## Filters\n' });
    expect(changed.statusCode).toBe(200);
    expect(t.store.unsafeDatabaseForTests().prepare("SELECT count(*) FROM audit_events WHERE action LIKE 'template.%'").pluck().get()).toBe(before + 2);
    const list = (await call('GET', '/api/templates', { authorization: `Bearer ${tokenFor(t.store, 'reader')}` })).json();
    expect(list.templates.find((x: { id: number }) => x.id === id).body).toContain('## Filters');
    expect((await call('POST', '/api/templates', editor, { ...template, name: 'Other' })).statusCode).toBe(403);
  });

  it('refuses a taken name (409), fields a template cannot set (400), an unknown id (404) and patient information (422)', async () => {
    expect((await call('POST', '/api/templates', admin, template)).statusCode).toBe(409);
    const bad = await call('POST', '/api/templates', admin, { ...template, name: 'Bad', front_matter: { system: 'Cerner', owners: 'mreyes', review_every: 'often' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['owners']);
    const bad2 = await call('POST', '/api/templates', admin, { ...template, name: 'Bad', front_matter: { system: 'Cerner', review_every: 'often' } });
    expect(bad2.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['review_every', 'system']);
    expect((await call('PUT', '/api/templates/9999', admin, template)).statusCode).toBe(404);
    const phi = await call('POST', '/api/templates', admin, { ...template, name: 'PHI', body: SSN_TEXT });
    expect(phi.statusCode).toBe(422);
    expect(phi.json().errors[0].field).toBe('body');
  });

  it('starts a new page from a template, and offers the templates first on a blank new page', async () => {
    const id = (await call('GET', '/api/templates', admin)).json().templates[0].id as number;
    const b = new Browser(t.app);
    await b.signIn('editor');
    const page = await b.get(`/new?template=${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<option value="Interfaces" selected>');
    expect(page.body).toContain('value="1y"');
    expect(page.body).toContain('## Messages');
    const blank = await b.get('/new');
    expect(blank.body).toContain('Start from a template');
    expect(blank.body).toContain(`href="/new?template=${id}"`);
    expect((await b.get('/new?template=9999')).statusCode).toBe(404);
    expect((await b.get('/new?template=abc')).statusCode).toBe(400);
  });

  it('has an admin screen that keeps a refused form whole', async () => {
    const b = new Browser(t.app);
    await b.signIn('admin');
    expect((await b.get('/admin/templates')).body).toContain('Interface (HL7 feed)');
    const res = await b.post('/admin/templates', { name: 'Workday business process', description: 'BP', system: 'Workday', review_every: 'soon', body: 'keep me' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('keep me');
    expect(res.body).toContain('Review interval');
    expect((await b.post('/admin/templates', { name: 'Workday business process', description: 'BP', system: 'Workday', review_every: '1y', body: 'keep me' })).statusCode).toBe(200);
  });
});

describe('copy this page', () => {
  it('prefills a new page from an existing one: "Copy of" the title, no slug, the same fields and body', async () => {
    const b = new Browser(t.app);
    await b.signIn('editor');
    const view = await b.get('/p/vte-panel');
    expect(view.body).toContain('href="/new?from=vte-panel"');
    const res = await b.get('/new?from=vte-panel');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('value="Copy of VTE panel"');
    expect(res.body).toContain('See [[sepsis-screening-bpa]]');
    expect(res.body).toMatch(/id="f-slug" name="slug" type="text" value=""/);
    expect((await b.get('/new?from=privacy-only')).statusCode).toBe(404);
  });
});

describe('rename', () => {
  it('moves a page: a version recording the new slug, an audit event, 301 from every old URL, links that keep resolving', async () => {
    createPage(commandContext(t.store), { slug: 'lab-feed', frontMatter: { ...sampleFrontMatter, title: 'Lab feed', system: 'Interfaces' }, body: 'feed' });
    await t.app.searchIndex.whenReady();
    const labSlugs = async () => (await call('GET', '/api/search?q=lab%20feed', editor)).json().results.map((r: { slug: string }) => r.slug).filter((s: string) => s.startsWith('lab-'));
    await expect.poll(labSlugs, { timeout: 10_000 }).toEqual(['lab-feed']);
    const res = await call('POST', '/api/pages/lab-feed/rename', editor, { slug: 'lab-results-feed', summary: 'Covers micro too' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ slug: 'lab-results-feed', version: 2, summary: 'Renamed from lab-feed to lab-results-feed: Covers micro too' });
    const event = t.store.unsafeDatabaseForTests().prepare("SELECT * FROM audit_events WHERE action = 'page.renamed'").get() as { target: string; details: string };
    expect(event.target).toBe('lab-results-feed');
    expect(JSON.parse(event.details)).toMatchObject({ from: 'lab-feed', to: 'lab-results-feed', version: 2 });
    expect(t.store.unsafeDatabaseForTests().prepare("SELECT slug FROM page_versions WHERE slug IN ('lab-feed', 'lab-results-feed') ORDER BY version").pluck().all()).toEqual(['lab-feed', 'lab-results-feed']);
    expect(verifyStore(t.store).break).toBeNull();

    for (const [from, to] of [['/p/lab-feed', '/p/lab-results-feed'], ['/p/lab-feed/history', '/p/lab-results-feed/history'], ['/p/lab-feed/edit', '/p/lab-results-feed/edit'], ['/api/pages/lab-feed?as_of=2999-01-01', '/api/pages/lab-results-feed?as_of=2999-01-01']]) {
      const old = await call('GET', from!, editor);
      expect(old.statusCode, from).toBe(301);
      expect(old.headers.location).toBe(to);
    }
    // [[lab-feed]] on another page still leads to the page, and counts as a backlink.
    const vte = (await call('GET', '/api/pages/vte-panel', editor)).json();
    expect(vte.html).toContain('href="/p/lab-feed"');
    expect(vte.html).not.toContain('missing');
    const backlinks = (await call('GET', '/api/pages/lab-results-feed/backlinks', editor)).json();
    expect(JSON.stringify(backlinks)).toContain('vte-panel');
    // Search finds the page once, under its new slug.
    await expect.poll(labSlugs, { timeout: 10_000 }).toEqual(['lab-results-feed']);
  });

  it('keeps supersession working: a page naming the old slug still saves, and shows the page under its new slug', async () => {
    createPage(commandContext(t.store), { slug: 'old-order-panel', frontMatter: { ...sampleFrontMatter, title: 'Old order panel' }, body: 'old' });
    createPage(commandContext(t.store), { slug: 'new-order-panel', frontMatter: { ...sampleFrontMatter, title: 'New order panel', supersedes: ['old-order-panel'] }, body: 'new' });
    expect((await call('POST', '/api/pages/old-order-panel/rename', editor, { slug: 'legacy-order-panel' })).statusCode).toBe(200);
    const b = new Browser(t.app);
    await b.signIn('editor');
    expect((await b.get('/p/new-order-panel')).body).toContain('href="/p/legacy-order-panel"');
    const current = (await call('GET', '/api/pages/new-order-panel', editor)).json();
    const saved = await call('PUT', '/api/pages/new-order-panel', editor, { ...current, body: 'newer', summary: 'still supersedes it' });
    expect(saved.statusCode, saved.body).toBe(200);
  });

  it('redirects by the route, so a slug that is also a word of the path is replaced where it belongs', async () => {
    createPage(commandContext(t.store), { slug: 'p', frontMatter: { ...sampleFrontMatter, title: 'Page P' }, body: 'p' });
    expect((await call('POST', '/api/pages/p/rename', editor, { slug: 'p-two' })).statusCode).toBe(200);
    expect((await call('GET', '/p/p/v/1', editor)).headers.location).toBe('/p/p-two/v/1');
    expect((await call('GET', '/api/pages/p/diff?from=1&to=2', editor)).headers.location).toBe('/api/pages/p-two/diff?from=1&to=2');
  });

  it('refuses a slug that exists, is hidden, or a page had, with one message (409), and bad slugs with 400', async () => {
    const taken = await call('POST', '/api/pages/vte-panel/rename', editor, { slug: 'sepsis-screening-bpa' });
    const hidden = await call('POST', '/api/pages/vte-panel/rename', editor, { slug: 'privacy-only' });
    const former = await call('POST', '/api/pages/vte-panel/rename', editor, { slug: 'lab-feed' });
    expect([taken.statusCode, hidden.statusCode, former.statusCode]).toEqual([409, 409, 409]);
    expect(hidden.json().errors[0].message.replace('privacy-only', 'X')).toBe(taken.json().errors[0].message.replace('sepsis-screening-bpa', 'X'));
    expect((await call('POST', '/api/pages/vte-panel/rename', editor, { slug: 'Not A Slug' })).statusCode).toBe(400);
    expect((await call('POST', '/api/pages/vte-panel/rename', editor, { slug: 'vte-panel' })).statusCode).toBe(400);
    expect((await call('POST', '/api/pages/no-page/rename', editor, { slug: 'x-y' })).statusCode).toBe(404);
    expect((await call('POST', '/api/pages/vte-panel/rename', { authorization: `Bearer ${tokenFor(t.store, 'reader')}` }, { slug: 'x-y' })).statusCode).toBe(403);
  });

  it('does not leak a restricted page\'s new slug: outsiders get 404 at the old URL, members 301', async () => {
    const moved = await call('POST', '/api/pages/privacy-only/rename', pat, { slug: 'privacy-office-only' });
    expect(moved.statusCode, moved.body).toBe(200);
    const outsider = await call('GET', '/api/pages/privacy-only', editor);
    expect(outsider.statusCode).toBe(404);
    expect(outsider.body).not.toContain('privacy-office-only');
    expect((await call('GET', '/p/privacy-only', editor)).statusCode).toBe(404);
    expect((await call('GET', '/p/privacy-only', pat)).headers.location).toBe('/p/privacy-office-only');
    // Its versions from before the rename are searched under the old slug, and hidden just the same.
    await t.app.searchIndex.whenReady();
    const found = async (who: Record<string, string>) => (await call('GET', '/api/search?q=privacy&history=1', who)).json().results.map((r: { slug: string }) => r.slug).filter((s: string) => s.startsWith('privacy')).sort();
    await expect.poll(() => found(pat), { timeout: 10_000 }).toContain('privacy-office-only');
    expect(await found(pat)).toContain('privacy-only');
    expect(await found(editor)).toEqual([]);
  });

  it('has a form that keeps what was typed when refused', async () => {
    const b = new Browser(t.app);
    await b.signIn('editor');
    const view = await b.get('/p/vte-panel');
    expect(view.body).toContain('href="/p/vte-panel/rename"');
    await b.get('/p/vte-panel/rename');
    const refused = await b.post('/p/vte-panel/rename', { slug: 'sepsis-screening-bpa', summary: 'my reason' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('my reason');
    expect(refused.body).toContain('is taken');
    const ok = await b.post('/p/vte-panel/rename', { slug: 'vte-prophylaxis-panel', summary: 'clearer' });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/p/vte-prophylaxis-panel');
    // A form opened before the rename still saves: the post follows with 308, keeping its body.
    const stale = await b.post('/p/vte-panel/edit', { title: 'VTE panel' });
    expect(stale.statusCode).toBe(308);
    expect(stale.headers.location).toBe('/p/vte-prophylaxis-panel/edit');
  });
});
