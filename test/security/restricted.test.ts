import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, commandContext, sampleFrontMatter, tempDir, testApp, testStore, tokenFor, type TestApp } from '../helpers.js';
import { privacyTeam } from '../helpers.js';
import { createPage, savePage } from '../../server/pages/commands.js';
import { exportStore } from '../../server/transfer/export.js';
import { exportOffline } from '../../server/transfer/offline.js';
import { importPages, readFolder } from '../../server/transfer/import.js';
import { getCurrentPage } from '../../server/pages/queries.js';

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
  savePage(ctx, { slug, frontMatter: { ...sampleFrontMatter, title: SECRET_TITLE, owners: ['tbrennan'], tickets: [], restricted_to: ['privacy'] }, body: 'Second version.\n\n[[open-page]] [[no-such-page]]', summary: 'Tightened', baseVersion: 1 });
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
    savePage(ctx, { slug: 'walrus-rota', frontMatter: { ...open, restricted_to: ['privacy'] }, body: 'Who feeds the walrus.', summary: 'Restricted to the privacy office', baseVersion: 1 });
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
    expect(readerStatus).toEqual({ state: 'ready', indexing: 0 });
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

describe('references from open pages to a restricted one', () => {
  const successor = 'new-vip-process';
  const send = (token: string, method: 'POST' | 'PUT', url: string, payload: Record<string, unknown>) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload });
  const restrictedVersions = async () => (await get(member, `/api/pages/${slug}/versions`)).json().versions.length as number;

  beforeAll(async () => {
    // A member of the team, who sees both pages, makes an open page take over from the restricted one.
    const fm = { ...sampleFrontMatter, title: 'New VIP process', owners: ['pwong'] };
    expect((await send(member, 'POST', '/api/pages', { ...fm, slug: successor, body: 'The new process.' })).statusCode).toBe(201);
    const v2 = await send(member, 'PUT', `/api/pages/${successor}`, {
      ...fm,
      supersedes: [slug],
      body: `The new process.\n\nReplaces [[${slug}]] and [[${slug}|the old VIP audit]]; see also ${slug}.`,
      summary: `Takes over from ${slug}`,
      base_version: 1,
    });
    expect(v2.statusCode, v2.body).toBe(200);
  });

  it('cannot be made by an editor who may not see the restricted page: refused as if it did not exist, nothing written into it', async () => {
    const before = await restrictedVersions();
    const fm = { ...sampleFrontMatter, title: 'Open page', body: 'Everyone sees this.', summary: 'Link it', base_version: 1 };
    for (const field of ['supersedes', 'superseded_by']) {
      const hidden = await send(outsider, 'PUT', '/api/pages/open-page', { ...fm, [field]: [slug] });
      const missing = await send(outsider, 'PUT', '/api/pages/open-page', { ...fm, [field]: ['no-such-page'] });
      expect(hidden.statusCode, field).toBe(400);
      expect(hidden.body.replaceAll(slug, 'X'), field).toBe(missing.body.replaceAll('no-such-page', 'X'));
    }
    const created = await send(outsider, 'POST', '/api/pages', { ...sampleFrontMatter, title: 'Sneaky successor', supersedes: [slug], body: 'x' });
    expect(created.statusCode).toBe(400);
    expect(created.json().field).toBe('supersedes');
    // The lifecycle route names a successor too.
    const status = await send(outsider, 'POST', '/api/pages/open-page/status', { status: 'superseded', reason: 'Replaced', superseded_by: slug });
    const statusMissing = await send(outsider, 'POST', '/api/pages/open-page/status', { status: 'superseded', reason: 'Replaced', superseded_by: 'no-such-page' });
    expect(status.statusCode).toBe(400);
    expect(status.body.replaceAll(slug, 'X')).toBe(statusMissing.body.replaceAll('no-such-page', 'X'));
    expect(await restrictedVersions()).toBe(before);
    expect((await get(member, '/api/pages/open-page')).json().version).toBe(1);
  });

  it('stay as they are when an editor who may not see them saves the open page', async () => {
    const before = await restrictedVersions();
    const form = (await get(outsider, `/p/${successor}/edit`)).body;
    expect(form).not.toContain(slug);
    const current = (await get(outsider, `/api/pages/${successor}`)).json();
    // Sent back as read, "a restricted page" included.
    const saved = await send(outsider, 'PUT', `/api/pages/${successor}`, { ...sampleFrontMatter, title: 'New VIP process', owners: ['pwong'], supersedes: current.supersedes, body: `${current.body}\n\nAn outsider's note.`, summary: 'Note', base_version: current.version });
    expect(saved.statusCode, saved.body).toBe(200);
    const stored = (await get(member, `/api/pages/${successor}`)).json();
    expect(stored.supersedes).toEqual([slug]);
    // The text they were shown said "a restricted page"; what is stored still names the page, plus their note.
    expect(current.body).toContain('Replaces [[a restricted page]] and [[a restricted page]]; see also a restricted page.');
    expect(stored.body).toBe(`The new process.\n\nReplaces [[${slug}]] and [[${slug}|the old VIP audit]]; see also ${slug}.\n\nAn outsider's note.`);
    expect(await restrictedVersions()).toBe(before);
  });

  it('keep an open page superseded by a restricted one until a member of its team says otherwise', async () => {
    const fm = { ...sampleFrontMatter, owners: ['pwong'] };
    expect((await send(member, 'POST', '/api/pages', { ...fm, title: 'Old open process', slug: 'old-open-process', body: 'Old.' })).statusCode).toBe(201);
    expect((await send(member, 'POST', '/api/pages', { ...fm, title: 'VIP follow-up', slug: 'vip-follow-up', restricted_to: ['privacy'], supersedes: ['old-open-process'], body: 'New.' })).statusCode).toBe(201);
    const page = (await get(outsider, '/p/old-open-process')).body;
    expect(page).toContain('Read <span class="restricted-link">a restricted page</span> instead');
    expect(page).not.toContain('vip-follow-up');
    const back = await send(outsider, 'POST', '/api/pages/old-open-process/status', { status: 'live', reason: 'Still in use' });
    expect(back.statusCode).toBe(400);
    expect(back.json().field).toBe('status');
    expect(back.body).not.toContain('vip-follow-up');
    expect((await get(member, '/api/pages/vip-follow-up/versions')).json().versions).toHaveLength(1);
    expect((await send(member, 'POST', '/api/pages/old-open-process/status', { status: 'live', reason: 'Still in use' })).statusCode).toBe(200);
  });

  it('are offered only when visible in the status form', async () => {
    expect((await get(outsider, '/p/open-page/status')).body).not.toContain(slug);
    expect((await get(member, '/p/open-page/status')).body).toContain(slug);
  });

  it('show as "a restricted page" to those outside the team, in every view of the open page', async () => {
    const urls = [`/p/${successor}`, `/p/${successor}/v/2`, `/p/${successor}/history`, `/p/${successor}/diff?from=1&to=2`, `/p/${successor}/diff?from=1&to=2&view=split`, `/p/${successor}/blame`,
      `/as-of/2999-01-01/p/${successor}`, `/api/pages/${successor}`, `/api/pages/${successor}/versions`, `/api/pages/${successor}/versions/2`, `/api/pages/${successor}/diff?from=1&to=2`,
      `/api/pages/${successor}/blame`, '/api/pages', `/p/${successor}/edit`, '/', '/people/pwong', '/api/people/pwong', '/people/mreyes', '/as-of/2999-01-01/', '/reports/broken-links', '/api/reports/broken-links'];
    for (const url of urls) {
      const res = await get(outsider, url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).not.toContain(slug);
      expect(res.body, url).not.toContain(SECRET_TITLE);
    }
    const page = (await get(outsider, `/p/${successor}`)).body;
    expect(page).toMatch(/<dt>Supersedes<\/dt><dd><span class="restricted-link">a restricted page<\/span><\/dd>/);
    expect(page).toContain('<span class="wikilink restricted">a restricted page</span>');
    expect(page).not.toContain('the old VIP audit');
    const json = (await get(outsider, `/api/pages/${successor}`)).json();
    expect(json.supersedes).toEqual(['a restricted page']);
    expect((await get(outsider, `/api/pages/${successor}/diff?from=1&to=2`)).json().fields).toContainEqual({ field: 'supersedes', from: '', to: 'a restricted page' });
    const preview = await send(outsider, 'POST', '/api/preview', { body: `[[${slug}]]` });
    expect(preview.body).not.toContain(slug);
    // The member sees the real reference.
    expect((await get(member, `/p/${successor}`)).body).toContain(`href="/p/${slug}"`);
    expect((await get(member, `/api/pages/${successor}`)).json().supersedes).toEqual([slug]);
  });

  it('show as "a restricted page" in the audit log, its API and its exports', async () => {
    for (const url of ['/audit', '/api/audit', '/api/audit/export.json', '/api/audit/export.csv']) {
      const res = await get(outsiderAuditor, url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).not.toContain(slug);
    }
    expect((await get(outsiderAuditor, '/api/audit')).body).toContain('Takes over from a restricted page');
    expect((await get(tokenFor(t.store, 'admin'), '/api/audit')).body).toContain(`Takes over from ${slug}`);
  });

  it('show as "a restricted page" in the markdown and offline exports unless restricted pages are included', () => {
    const md = path.join(tempDir(), 'out');
    exportStore(t.store, md);
    const files = fs.readdirSync(md, { recursive: true }).map(String).filter((f) => /\.(md|yaml)$/.test(f));
    for (const f of files) expect(fs.readFileSync(path.join(md, f), 'utf8'), f).not.toContain(slug);
    expect(fs.readFileSync(path.join(md, 'history', successor, 'versions.yaml'), 'utf8')).toContain('Takes over from a restricted page');
    // Such an export still imports: the unnamed versions come without hashes, so they are recorded afresh.
    const empty = testStore().store;
    const imported = importPages(empty, { systems: t.app.config.systems, maxBodyBytes: t.app.config.maxBodyBytes }, { ...readFolder(md, t.app.config.maxBodyBytes), root: md });
    expect(imported.problems).toEqual([]);
    expect(imported.failed).toBe(0);
    expect(getCurrentPage(empty, successor).body).toContain('Replaces [[a restricted page]]');
    empty.close();
    const html = path.join(tempDir(), 'out');
    exportOffline(t.store, t.app.config, html);
    for (const f of fs.readdirSync(html, { recursive: true }).map(String).filter((x) => /\.(html|js|json)$/.test(x))) {
      expect(fs.readFileSync(path.join(html, f), 'utf8'), f).not.toContain(slug);
    }
    expect(fs.readFileSync(path.join(html, 'p', `${successor}.html`), 'utf8')).toContain('a restricted page');
    const full = path.join(tempDir(), 'out');
    exportStore(t.store, full, { includeRestricted: true });
    expect(fs.readFileSync(path.join(full, 'pages', `${successor}.md`), 'utf8')).toContain(`- ${slug}`);
  });
});

describe('hidden and missing look the same', () => {
  const missing = 'no-page-here-at-all';
  /** The same answer with the slug and the per-request CSRF token taken out. */
  // The slug, and the words of it the 404 offers to search for, are the only differences allowed.
  const normal = (body: string, s: string) => body.replaceAll(s, 'SLUG').replaceAll(s.replaceAll('-', ' '), 'SLUG WORDS').replace(/name="_csrf" value="[^"]*"/g, '').replace(/<meta name="csrf-token" content="[^"]*">/g, '');
  const ask = (token: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: Record<string, unknown> | string) =>
    t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...(typeof payload === 'string' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) }, payload });

  it('answers every page route for a hidden page exactly as for a missing one', async () => {
    const routes: [method: 'GET' | 'POST' | 'PUT', url: string, payload?: Record<string, unknown> | string][] = [
      ['GET', '/p/S'], ['GET', '/p/S/history'], ['GET', '/p/S/v/1'], ['GET', '/p/S/diff?from=1&to=2'], ['GET', '/p/S/blame'], ['GET', '/p/S/edit'], ['GET', '/p/S/status'],
      ['GET', '/as-of/2024-06-01/p/S'], ['GET', '/api/pages/S'], ['GET', '/api/pages/S?as_of=2024-06-01'], ['GET', '/api/pages/S/versions'], ['GET', '/api/pages/S/versions/1'],
      ['GET', '/api/pages/S/diff'], ['GET', '/api/pages/S/blame'], ['GET', '/api/pages/S/backlinks'],
      ['PUT', '/api/pages/S', { ...sampleFrontMatter, body: 'x', summary: 'x', base_version: 1 }],
      ['POST', '/api/pages/S/status', { status: 'retired', reason: 'x' }], ['POST', '/api/pages/S/review', {}], ['POST', '/api/pages/S/restore', { version: 1, summary: 'x' }],
      ['POST', '/api/pages/S/archive', { summary: 'x' }],
      ['POST', '/p/S/edit', new URLSearchParams({ ...sampleFrontMatter, owners: 'mreyes', tickets: '', records: '', body: 'x', summary: 'x', base_version: '1' }).toString()],
      ['POST', '/p/S/status', 'status=retired&reason=x'], ['POST', '/p/S/restore', 'version=1&summary=x'], ['POST', '/p/S/archive', 'summary=x'],
      // Requests a missing page would refuse for another reason are refused the same way for a hidden one.
      ['GET', '/as-of/not-a-date/p/S'], ['GET', '/api/pages/S?as_of=2024-13-45'], ['POST', '/api/pages/S/archive', { summary: ' ' }], ['POST', '/p/S/archive', 'summary='],
      ['POST', '/api/pages/S/status', { status: 'bogus', reason: '' }], ['POST', '/api/pages/S/restore', { version: 99, summary: '' }], ['PUT', '/api/pages/S', { ...sampleFrontMatter, body: 'x', summary: 'x', base_version: 1, owners: [] }],
    ];
    for (const token of [outsider, tokenFor(t.store, 'reader')]) {
      for (const [method, url, payload] of routes) {
        const hidden = await ask(token, method, url.replace('S', slug), payload);
        const gone = await ask(token, method, url.replace('S', missing), payload);
        expect(hidden.statusCode, `${method} ${url}`).toBe(gone.statusCode);
        expect(normal(hidden.body, slug), `${method} ${url}`).toBe(normal(gone.body, missing));
        expect(hidden.headers['content-type'], `${method} ${url}`).toBe(gone.headers['content-type']);
      }
    }
    expect((await ask(outsider, 'GET', `/p/${missing}`)).statusCode).toBe(404);
  });

  it('counts only open pages for an anonymous /healthz', async () => {
    const health = (await t.app.inject({ url: '/healthz' })).json();
    expect(health.status).toBe('ok');
    expect(health.pages).toBe((await get(outsider, '/api/pages')).json().total);
    expect((await get(tokenFor(t.store, 'admin'), '/api/pages')).json().total).toBeGreaterThan(health.pages);
  });

  // A new page cannot take an address a hidden page holds: that conflict is unavoidable. The refusal
  // says only that the address is not available, never whose page it is or what it is called, the same
  // words a page's author would get for any address they may not have; a member is told the page exists.
  it('refuses a hidden page\'s slug for a new page without naming it', async () => {
    const res = await ask(outsider, 'POST', '/api/pages', { ...sampleFrontMatter, title: 'Taken', slug, body: 'x' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ field: 'slug', errors: [{ field: 'slug', message: 'This address is not available; choose another slug.' }] });
    expect(res.body).not.toContain(SECRET_TITLE);
    expect(res.body).not.toContain(slug);
    const byTitle = await ask(outsider, 'POST', '/api/pages', { ...sampleFrontMatter, title: SECRET_TITLE, slug: undefined, body: 'x' });
    expect(byTitle.statusCode).toBe(201);
    const b = new Browser(t.app);
    await b.signIn('editor');
    await b.get('/new');
    const form = await b.post('/new', { ...sampleFrontMatter, owners: 'mreyes', tickets: '', records: '', title: 'Taken', slug, body: 'kept text' });
    expect(form.statusCode).toBe(409);
    expect(form.body).toContain('This address is not available; choose another slug.');
    expect(form.body).toContain('kept text');
    expect((await ask(member, 'POST', '/api/pages', { ...sampleFrontMatter, title: 'Taken', slug, body: 'x' })).json().message).toMatch(/already exists/);
  });
});
