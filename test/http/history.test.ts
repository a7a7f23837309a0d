import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { savePage } from '../../server/pages/commands.js';
import { Browser, commandContext, sampleFrontMatter, seedPage, testApp, tokenFor, type TestApp } from '../helpers.js';

let t: TestApp;
let editor: Browser;
let auth: Record<string, string>;
beforeAll(async () => {
  t = await testApp();
  seedPage(t.store, 'p', 'first line\n<script>alert(1)</script> line');
  savePage(commandContext(t.store, 'dokafor'), { slug: 'p', frontMatter: { ...sampleFrontMatter, status: 'retired' }, body: 'first line changed\n<script>alert(1)</script> line', summary: 'Retired it', baseVersion: 1 });
  editor = new Browser(t.app);
  await editor.signIn('editor');
  auth = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
});
afterAll(async () => { await t.close(); });

describe('history screens', () => {
  it('lists every version with author, summary and changed fields', async () => {
    const res = await editor.get('/p/p/history');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Retired it');
    expect(res.body).toContain('David Okafor');
    expect(res.body).toMatch(/<span class="chip-field">status<\/span>\s*<span class="chip-field">body<\/span>/);
    expect(res.body).toContain('href="/p/p/v/1"');
  });

  it('shows a diff in unified and side-by-side views, escaping the text', async () => {
    const unified = await editor.get('/p/p/diff?from=1&to=2');
    expect(unified.body).toContain('<mark class="w-added"> changed</mark>');
    expect(unified.body).toContain('&lt;script&gt;');
    expect(unified.body).not.toContain('<script>alert');
    expect(unified.body).toMatch(/<th scope="row">status<\/th><td class="del">live<\/td><td class="ins">retired<\/td>/);
    const split = await editor.get('/p/p/diff?from=1&to=2&view=split');
    expect(split.body).toContain('class="line-table split"');
    expect((await editor.get('/p/p/diff')).body).toContain('Version 1 → 2');
  });

  it('answers bad diff input clearly', async () => {
    const missing = await editor.get('/p/p/diff?from=1&to=5');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('its versions are 1 to 2');
    expect((await editor.get('/p/p/diff?from=abc')).statusCode).toBe(400);
  });

  it('shows blame with the version of each line', async () => {
    const res = await editor.get('/p/p/blame');
    expect(res.body).toMatch(/href="\/p\/p\/v\/2"[^>]*>v2<\/a> David Okafor/);
    expect(res.body).toContain('first line changed');
  });

  it('restores an old version from its page, as a new version', async () => {
    const old = await editor.get('/p/p/v/1');
    expect(old.body).toContain('Restore version 1');
    const res = await editor.post('/p/p/restore', { version: '1', summary: 'Back to live' });
    expect(res.statusCode).toBe(303);
    expect(t.store.pages.head('p')!.current_version).toBe(3);
    const again = await editor.post('/p/p/restore', { version: '1', summary: 'Twice' });
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('already has the content of version 1');
  });

  it('does not offer restore to readers, and refuses it', async () => {
    const reader = new Browser(t.app);
    await reader.signIn('reader');
    expect((await reader.get('/p/p/v/1')).body).not.toContain('Restore version');
    expect((await reader.post('/p/p/restore', { version: '1', summary: 'x' })).statusCode).toBe(403);
  });
});

describe('history API', () => {
  it('returns a diff and blame as JSON', async () => {
    const diff = (await t.app.inject({ url: '/api/pages/p/diff?from=1&to=2', headers: auth })).json();
    expect(diff).toMatchObject({ from: 1, to: 2, stats: { added: 1, removed: 1 } });
    expect(diff.fields[0]).toMatchObject({ field: 'status' });
    const blame = (await t.app.inject({ url: '/api/pages/p/blame', headers: auth })).json();
    expect(blame.lines[0]).toMatchObject({ number: 1, version: expect.any(Number), author: expect.any(String) });
  });

  it('restores through the API and validates the body', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/pages/p/restore', headers: auth, payload: { version: 2, summary: 'Retire again' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ summary: 'Restored from version 2: Retire again', status: 'retired' });
    const bad = await t.app.inject({ method: 'POST', url: '/api/pages/p/restore', headers: auth, payload: { version: 0, summary: 'x' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('version');
    const missing = await t.app.inject({ method: 'POST', url: '/api/pages/p/restore', headers: auth, payload: { version: 99, summary: 'x' } });
    expect(missing.statusCode).toBe(404);
  });
});

describe('archiving', () => {
  it('archives from the page, keeps it readable by address, and unarchives', async () => {
    seedPage(t.store, 'to-archive', 'text');
    await editor.get('/p/to-archive');
    const res = await editor.post('/p/to-archive/archive', { summary: 'Build decommissioned' });
    expect(res.statusCode).toBe(303);
    const page = await editor.get('/p/to-archive');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('This page is archived.');
    expect(page.body).not.toContain('/p/to-archive/edit');
    expect((await editor.get('/')).body).not.toContain('href="/p/to-archive"');
    expect((await editor.get('/p/to-archive/history')).body).toContain('Build decommissioned');
    const empty = await editor.post('/p/to-archive/unarchive', { summary: '' });
    expect(empty.statusCode).toBe(400);
    const api = await t.app.inject({ method: 'POST', url: '/api/pages/to-archive/unarchive', headers: auth, payload: { summary: 'Back in use' } });
    expect(api.statusCode).toBe(200);
    expect(api.json()).toMatchObject({ archived: false, version: 3 });
    const twice = await t.app.inject({ method: 'POST', url: '/api/pages/to-archive/unarchive', headers: auth, payload: { summary: 'Again' } });
    expect(twice.statusCode).toBe(409);
  });
});
