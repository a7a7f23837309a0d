import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, commandContext, privacyTeam, sampleFrontMatter, seedPage, testApp, type TestApp } from '../helpers.js';
import { createPage } from '../../server/pages/commands.js';

let t: TestApp;
let editor: Browser;
let reader: Browser;
let pat: Browser;

beforeAll(async () => {
  t = await testApp();
  seedPage(t.store);
  await privacyTeam(t.store);
  createPage(commandContext(t.store, 'pwong'), { slug: 'vip-break-the-glass', frontMatter: { ...sampleFrontMatter, title: 'Break-the-glass audit', restricted_to: ['privacy'] }, body: 'Secret.' });
  editor = new Browser(t.app);
  await editor.signIn('editor');
  reader = new Browser(t.app);
  await reader.signIn('reader');
  pat = new Browser(t.app);
  await pat.signIn('pat', 'member quiet words 3');
});
afterAll(async () => { await t.close(); });

/** The error card alone, with the slug taken out: what differs between two 404s besides the address. */
const card = (html: string, slug: string) => html.slice(html.indexOf('<article class="error-card">'), html.indexOf('</article>')).replaceAll(slug, 'SLUG');

describe('error pages', () => {
  it('offers editors "Create this page" and a search on a missing page, and a restricted page reads exactly the same', async () => {
    const missing = await editor.get('/p/no-such-page');
    const hidden = await editor.get('/p/vip-break-the-glass');
    expect(missing.statusCode).toBe(404);
    expect(hidden.statusCode).toBe(404);
    expect(missing.body).toContain('<a href="/new?slug=no-such-page" role="button" class="create-missing">Create this page</a>');
    expect(missing.body).toContain('name="q" value="no such page"');
    expect(card(hidden.body, 'vip-break-the-glass').replaceAll('vip break the glass', 'WORDS')).toBe(card(missing.body, 'no-such-page').replaceAll('no such page', 'WORDS'));
    expect(hidden.body).not.toContain('Break-the-glass audit');
    for (const tail of ['/history', '/blame']) {
      const a = await editor.get(`/p/no-such-page${tail}`);
      const b = await editor.get(`/p/vip-break-the-glass${tail}`);
      expect(card(b.body, 'vip-break-the-glass').replaceAll('vip break the glass', 'WORDS'), tail).toBe(card(a.body, 'no-such-page').replaceAll('no such page', 'WORDS'));
    }
  });

  it('offers a reader the search but not "Create this page"', async () => {
    const res = await reader.get('/p/no-such-page');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('action="/search"');
    expect(res.body).not.toContain('Create this page');
  });

  it('keeps the header, with the person signed in, on a 403', async () => {
    const res = await reader.get('/new');
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('<nav class="container" aria-label="Main">');
    expect(res.body).toContain('href="/people"');
    expect(res.body).toContain('action="/logout"');
  });

  it('shows the linked person\'s name in the header, and the username when none is linked', async () => {
    for (const url of ['/', '/p/sepsis-screening-bpa', '/p/sepsis-screening-bpa']) {
      const res = await pat.get(url);
      expect(res.body, url).toMatch(/class="who"[^>]*>Pat Wong<\/a>/);
    }
    expect((await editor.get('/p/sepsis-screening-bpa')).body).toMatch(/class="who"[^>]*>editor<\/a>/);
  });
});
