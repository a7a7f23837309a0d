import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, commandContext, sampleFrontMatter, tempDir, testApp, tokenFor, type TestApp } from '../helpers.js';
import { privacyTeam } from '../helpers.js';
import { createPage, savePage } from '../../server/pages/commands.js';
import { exportStore } from '../../server/transfer/export.js';
import { exportOffline } from '../../server/transfer/offline.js';

const SECRET_TITLE = 'Break-the-glass audit for VIP charts';
const slug = 'vip-break-the-glass';
let t: TestApp;
let member: string;
let outsider: string;
let outsiderAuditor: string;

beforeAll(async () => {
  t = await testApp();
  await privacyTeam(t.store);
  member = tokenFor(t.store, 'pat');
  outsider = tokenFor(t.store, 'editor');
  outsiderAuditor = tokenFor(t.store, 'auditor');
  const ctx = commandContext(t.store, 'pwong');
  // A restricted page, owned by a departed person so it would be an orphan, overdue, without ticket, linking to a missing page.
  createPage(ctx, { slug, frontMatter: { ...sampleFrontMatter, title: SECRET_TITLE, owners: ['tbrennan'], tickets: [], restricted_to: ['privacy'], go_live: '2020-01-01' }, body: 'Links to [[open-page]] and [[no-such-page]].' });
  savePage(ctx, slug, { frontMatter: { ...sampleFrontMatter, title: SECRET_TITLE, owners: ['tbrennan'], tickets: [], restricted_to: ['privacy'] }, body: 'Second version.\n\n[[open-page]] [[no-such-page]]', summary: 'Tightened', baseVersion: 1 });
  createPage(ctx, { slug: 'open-page', frontMatter: { ...sampleFrontMatter, title: 'Open page' }, body: 'Everyone sees this.' });
  await t.app.searchIndex.whenReady();
});
afterAll(async () => { await t.close(); });

const get = (token: string, url: string) => t.app.inject({ url, headers: { authorization: `Bearer ${token}` } });

describe('a page restricted to one team', () => {
  it('does not exist for a non-member: 404 on the page, its history, versions, diffs and blame', async () => {
    const urls = [`/p/${slug}`, `/p/${slug}/history`, `/p/${slug}/v/1`, `/p/${slug}/diff?from=1&to=2`, `/p/${slug}/blame`, `/p/${slug}/edit`, `/as-of/2999-01-01/p/${slug}`,
      `/api/pages/${slug}`, `/api/pages/${slug}/versions`, `/api/pages/${slug}/versions/1`, `/api/pages/${slug}/diff`, `/api/pages/${slug}/blame`, `/api/pages/${slug}/backlinks`];
    for (const url of urls) {
      const res = await get(outsider, url);
      expect(res.statusCode, url).toBe(404);
      expect(res.body, url).not.toContain(SECRET_TITLE);
      expect((await get(member, url)).statusCode, `member ${url}`).toBeLessThan(400);
    }
    const write = await t.app.inject({ method: 'PUT', url: `/api/pages/${slug}`, headers: { authorization: `Bearer ${outsider}` }, payload: { ...sampleFrontMatter, body: 'x', summary: 'x', base_version: 2 } });
    expect(write.statusCode).toBe(404);
  });

  it('never leaks its title through search, backlinks, reports, people pages, home or the audit log', async () => {
    const places = ['/api/pages', '/search?q=break+glass', '/api/search?q=break%20glass', '/api/search?q=VIP', '/p/open-page', '/api/pages/open-page/backlinks', '/', '/reports/orphans', '/api/reports/orphans',
      '/reports/stale', '/api/reports/stale', '/reports/health', '/api/reports/health', '/reports/health.csv', '/reports/broken-links', '/api/reports/broken-links',
      '/people/tbrennan', '/api/people/tbrennan', '/people/pwong', '/teams/privacy', '/api/teams/privacy', '/as-of/2999-01-01/', '/search?q=tightened&history=1'];
    for (const url of places) {
      const res = await get(outsider, url);
      expect(res.statusCode, url).toBeLessThan(400);
      expect(res.body, url).not.toContain(SECRET_TITLE);
      expect(res.body, url).not.toContain(slug);
    }
    for (const url of ['/audit', '/api/audit']) {
      const res = await get(outsiderAuditor, url);
      expect(res.body, url).not.toContain(slug);
    }
    // The member, and an admin, see it in the same places.
    expect((await get(member, '/api/search?q=break%20glass')).body).toContain(slug);
    expect((await get(member, '/api/pages/open-page/backlinks')).body).toContain(slug);
    expect((await get(member, '/api/reports/orphans')).body).toContain(slug);
    expect((await get(tokenFor(t.store, 'admin'), '/api/reports/broken-links')).body).toContain(slug);
    // Counts leave it out too: the health total differs by exactly this page.
    const total = async (token: string) => (await get(token, '/api/reports/health')).json().rows[0].pages as number;
    expect((await total(member)) - (await total(outsider))).toBe(1);
  });

  it('hides every past version from history search once the page is restricted, however the query is written', async () => {
    // Open when first written and indexed; restricted afterwards, while search is running.
    const ctx = commandContext(t.store, 'pwong');
    const open = { ...sampleFrontMatter, title: 'Walrus rota', tickets: [] };
    createPage(ctx, { slug: 'walrus-rota', frontMatter: open, body: 'Who feeds the walrus.', summary: 'Walrus rota drafted' });
    t.app.searchIndex.notifyChanged();
    const history = async (token: string, q: string) => (await get(token, `/api/search?history=1&limit=50&q=${encodeURIComponent(q)}`)).json() as { total: number; results: { slug: string }[] };
    expect((await history(outsider, 'walrus')).results.map((r) => r.slug)).toEqual(['walrus-rota']);
    savePage(ctx, 'walrus-rota', { frontMatter: { ...open, restricted_to: ['privacy'] }, body: 'Who feeds the walrus.', summary: 'Restricted to the privacy office', baseVersion: 1 });
    t.app.searchIndex.notifyChanged();
    for (const q of ['walrus', 'drafted', 'walrus rota', 'summary:walrus', 'walr*', 'walrus~1', '-qqqqq']) {
      const res = await history(outsider, q);
      expect(res.results.map((r) => r.slug), q).not.toContain('walrus-rota');
      expect(res.results.map((r) => r.slug), q).not.toContain(slug);
    }
    expect((await history(member, 'walrus')).results.map((r) => r.slug)).toEqual(['walrus-rota', 'walrus-rota']);
    // A pure exclusion lists what the viewer may see and nothing else: the member sees exactly the 4 restricted versions more.
    expect((await history(member, '-qqqqq')).total - (await history(outsider, '-qqqqq')).total).toBe(4);
    const pages = async (token: string) => (await get(token, '/api/search?q=-qqqqq&limit=50')).json() as { total: number; results: { slug: string }[] };
    expect((await pages(outsider)).results.map((r) => r.slug)).toEqual(['open-page']);
    expect((await pages(member)).total).toBe(3);
  });

  it('does not count restricted pages in the search status a reader sees', async () => {
    const readerStatus = (await get(outsider, '/api/search/status')).json();
    expect(readerStatus).toEqual({ state: 'ready' });
    const adminStatus = (await get(tokenFor(t.store, 'admin'), '/api/search/status')).json();
    expect(adminStatus).toMatchObject({ state: 'ready', pages: expect.any(Number), watermark: expect.any(Number) });
  });

  it('stays out of exports and the offline copy unless asked for', () => {
    const md = tempDir();
    exportStore(t.store, path.join(md, 'out'));
    expect(fs.existsSync(path.join(md, 'out', 'pages', `${slug}.md`))).toBe(false);
    const html = tempDir();
    exportOffline(t.store, t.app.config, path.join(html, 'out'));
    const all = fs.readdirSync(path.join(html, 'out'), { recursive: true }).map(String);
    expect(all.some((f) => f.includes(slug))).toBe(false);
    for (const f of all.filter((x) => /\.(html|js|json)$/.test(x))) expect(fs.readFileSync(path.join(html, 'out', f), 'utf8'), f).not.toContain(SECRET_TITLE);
    const full = tempDir();
    exportStore(t.store, path.join(full, 'out'), { includeRestricted: true });
    expect(fs.existsSync(path.join(full, 'out', 'pages', `${slug}.md`))).toBe(true);
  });

  it('cannot be restricted by an editor to teams they are not in, nor to something that is not a team', async () => {
    const b = new Browser(t.app);
    await b.signIn('editor');
    await b.get('/new');
    const res = await b.post('/new', { ...sampleFrontMatter, owners: 'mreyes', tickets: '', records: '', title: 'Locked out page', restricted_to: 'privacy', body: 'kept text' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/would lose access/);
    expect(res.body).toContain('kept text');
    const notTeam = await t.app.inject({ method: 'POST', url: '/api/pages', headers: { authorization: `Bearer ${member}` }, payload: { ...sampleFrontMatter, title: 'Odd restriction', body: 'x', restricted_to: ['mreyes'] } });
    expect(notTeam.statusCode).toBe(400);
    expect(notTeam.json().field).toBe('restricted_to');
  });
});
