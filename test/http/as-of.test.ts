import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPage, savePage, setArchived } from '../../server/pages/commands.js';
import { Browser, commandContext, sampleFrontMatter, testApp, tokenFor, type TestApp } from '../helpers.js';

let t: TestApp;
let b: Browser;
let auth: Record<string, string>;
beforeAll(async () => {
  t = await testApp();
  const at = (d: string) => commandContext(t.store, 'mreyes', { at: new Date(d) });
  createPage(at('2024-01-10T10:00:00Z'), { slug: 'bpa', frontMatter: { ...sampleFrontMatter, title: 'BPA first title' }, body: 'v1 text' });
  savePage(at('2024-06-01T10:00:00Z'), { slug: 'bpa', frontMatter: { ...sampleFrontMatter, title: 'BPA second title' }, body: 'v2 text', summary: 'Second', baseVersion: 1 });
  createPage(at('2024-03-01T10:00:00Z'), { slug: 'old-interface', frontMatter: { ...sampleFrontMatter, title: 'Old interface' }, body: 'x' });
  setArchived(at('2024-05-01T10:00:00Z'), { slug: 'old-interface', archived: true, summary: 'Decommissioned' });
  b = new Browser(t.app);
  await b.signIn('auditor');
  auth = { authorization: `Bearer ${tokenFor(t.store, 'auditor')}` };
});
afterAll(async () => { await t.close(); });

describe('as-of browsing', () => {
  it('shows the wiki as it stood at the end of a day, with a banner', async () => {
    const march = await b.get('/as-of/2024-03-15/');
    expect(march.statusCode).toBe(200);
    expect(march.body).toContain('as it stood at the end of <strong>2024-03-15</strong>');
    expect(march.body).toContain('BPA first title');
    expect(march.body).toContain('Old interface');
    const may = await b.get('/as-of/2024-05-02/');
    expect(may.body).not.toContain('Old interface');
    expect((await b.get('/as-of/2024-07-01/')).body).toContain('BPA second title');
  });

  it('shows one page on a date, and says when it did not exist yet', async () => {
    const page = await b.get('/as-of/2024-02-01/p/bpa');
    expect(page.body).toContain('v1 text');
    expect(page.body).toContain('version 1');
    const before = await b.get('/as-of/2023-12-31/p/bpa');
    expect(before.statusCode).toBe(404);
    expect(before.body).toContain('did not exist yet on 2023-12-31');
  });

  it('answers as_of in the API, 400 for a malformed date, and today for a future one', async () => {
    const v1 = await t.app.inject({ url: '/api/pages/bpa?as_of=2024-02-01', headers: auth });
    expect(v1.json()).toMatchObject({ version: 1, title: 'BPA first title' });
    const bad = await t.app.inject({ url: '/api/pages/bpa?as_of=01/02/2024', headers: auth });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'as_of', message: expect.stringContaining('YYYY-MM-DD') });
    const future = await t.app.inject({ url: '/api/pages/bpa?as_of=2999-01-01', headers: auth });
    expect(future.json()).toMatchObject({ version: 2 });
    expect((await b.get('/as-of/2024-02-30/')).statusCode).toBe(400);
    expect((await b.get('/as-of-go?date=2024-02-01')).headers.location).toBe('/as-of/2024-02-01/');
  });
});
