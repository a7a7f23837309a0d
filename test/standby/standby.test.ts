import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { openStore } from '../../server/setup.js';
import type { Store } from '../../server/store/index.js';
import { FEED_CHANGED_TABLES, FEED_TABLES, NOT_FOLLOWED } from '../../server/store/feed.js';
import { beginFollowing, StandbyError } from '../../server/standby/setup.js';
import { verifyStore } from '../../server/audit/verify.js';
import { savePage } from '../../server/pages/commands.js';
import { runCli } from '../../server/cli.js';
import { approvePurge, requestPurge } from '../../server/purge/commands.js';
import { addComment } from '../../server/comments/commands/add-comment.js';
import { setCommentResolved } from '../../server/comments/commands/set-comment-resolved.js';
import { ConfigError, loadConfig } from '../../server/config.js';
import { Browser, commandContext, privacyTeam, sampleFrontMatter, seedPage, tempDir, testApp, testConfig, tokenFor, type TestApp } from '../helpers.js';

// Each test here runs a primary and a standby (and some an index rebuild): 40 s or more on a busy 2-core
// machine. The limit is a bound for a hang, not a target.
vi.setConfig({ testTimeout: 180_000 });

interface Standby {
  app: FastifyInstance;
  store: Store;
  dir: string;
  now: { t: number };
}

const open: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** A primary listening on 127.0.0.1 with one page of two versions, a restricted page and an admin token. */
async function primary(): Promise<{ t: TestApp; url: string; admin: string }> {
  const t = await testApp();
  open.push(t);
  await privacyTeam(t.store);
  seedPage(t.store);
  savePage(commandContext(t.store), { slug: 'sepsis-screening-bpa', frontMatter: { ...sampleFrontMatter }, body: 'Second version: lactate within the hour.', summary: 'Tightened the lactate order', baseVersion: 1 });
  seedPage(t.store, 'secret-rota', 'Who is on call for the privacy office.');
  savePage(commandContext(t.store), { slug: 'secret-rota', frontMatter: { ...sampleFrontMatter, title: 'Secret rota', restricted_to: ['privacy'] }, body: 'Who is on call for the privacy office.', summary: 'Restricted', baseVersion: 1 });
  const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  return { t, url, admin: tokenFor(t.store, 'admin') };
}

async function standby(url: string, token: string): Promise<Standby> {
  const dir = tempDir();
  const store = openStore(dir);
  beginFollowing(store, url);
  const now = { t: Date.parse('2026-03-01T10:00:00Z') };
  const app = await buildApp({ config: testConfig(dir, { follow: { primary: url, token, intervalMs: 50 } }), store, logger: false, clock: () => new Date(now.t) });
  await app.ready();
  open.push({ close: async () => { await app.close(); store.close(); } });
  return { app, store, dir, now };
}

async function cli(args: string[], dir: string): Promise<{ code: number; out: string }> {
  let out = '';
  const w = { write: (text: string) => (out += text) };
  const code = await runCli(args, { stdout: w, stderr: w, env: { ...process.env, WHYWIKI_DATA: dir } });
  return { code, out };
}

describe('the feed', () => {
  it('is read with an admin token only, and a cursor it gave out', async () => {
    const { t, admin } = await primary();
    const editor = tokenFor(t.store, 'editor');
    const refused = await t.app.inject({ url: '/api/feed', headers: { authorization: `Bearer ${editor}` } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/must be an admin/);
    const bad = await t.app.inject({ url: '/api/feed?after=users:3', headers: { authorization: `Bearer ${admin}` } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/cursor/);
    const first = await t.app.inject({ url: '/api/feed', headers: { authorization: `Bearer ${admin}` } });
    expect(first.statusCode).toBe(200);
    const batch = first.json();
    expect(batch.more).toBe(false);
    expect(batch.append.page_versions).toHaveLength(4);
    const again = await t.app.inject({ url: `/api/feed?after=${encodeURIComponent(batch.cursor)}`, headers: { authorization: `Bearer ${admin}` } });
    expect(again.json().append.page_versions).toHaveLength(0);
    expect(again.json().mirror).toBeNull();
  });

  it('names every table of the schema as followed or kept per server', () => {
    const store = openStore(tempDir());
    try {
      const named = new Set([...FEED_TABLES.map((t) => t.name), ...FEED_CHANGED_TABLES, ...Object.keys(NOT_FOLLOWED)]);
      expect(store.feed.schemaTables().filter((t) => !named.has(t))).toEqual([]);
    } finally {
      store.close();
    }
  });
});

describe('the standby settings', () => {
  it('need the primary\'s http(s) address and a token, and read the pull interval', () => {
    expect(() => loadConfig({ WHYWIKI_FOLLOW: 'wiki.hospital.org' })).toThrow(ConfigError);
    expect(() => loadConfig({ WHYWIKI_FOLLOW: 'ftp://wiki', WHYWIKI_FOLLOW_INTERVAL_MS: 'soon' })).toThrow(
      /WHYWIKI_FOLLOW must be the primary's http\(s\) address[\s\S]*WHYWIKI_FOLLOW_TOKEN must be set[\s\S]*WHYWIKI_FOLLOW_INTERVAL_MS must be a whole number/,
    );
    expect(loadConfig({ WHYWIKI_FOLLOW: 'https://wiki.hospital.org/', WHYWIKI_FOLLOW_TOKEN: 't', WHYWIKI_FOLLOW_INTERVAL_MS: '500' }).follow).toEqual({ primary: 'https://wiki.hospital.org', token: 't', intervalMs: 500 });
    expect(loadConfig({}).follow).toBeUndefined();
  });
});

describe('a standby', () => {
  it('copies pages, accounts and both hash chains, and serves them read-only with its lag', async () => {
    const p = await primary();
    const s = await standby(p.url, p.admin);
    await s.app.follower!.pullUntilHead();
    expect(s.app.follower!.status()).toMatchObject({ lastError: null, stopped: null, behindSeconds: 0 });
    expect(verifyStore(s.store)).toMatchObject({ break: null, versions: 4, events: verifyStore(p.t.store).events });

    // The primary's token and password work here; its pages read as they do there.
    const page = await s.app.inject({ url: '/api/pages/sepsis-screening-bpa', headers: { authorization: `Bearer ${p.admin}` } });
    expect(page.statusCode).toBe(200);
    expect(page.json()).toMatchObject({ version: 2, body: 'Second version: lactate within the hour.' });
    const reader = new Browser(s.app);
    await reader.signIn('reader');
    const html = await reader.get('/p/sepsis-screening-bpa');
    expect(html.statusCode).toBe(200);
    s.now.t += 12_000;
    const later = await reader.get('/p/sepsis-screening-bpa');
    expect(later.body).toContain(`Standby of ${p.url} — 12 s behind`);
    // Restricted pages stay as hidden as on the primary.
    expect((await reader.get('/p/secret-rota')).statusCode).toBe(404);
    const member = new Browser(s.app);
    await member.signIn('pat', 'member quiet words 3');
    expect((await member.get('/p/secret-rota')).statusCode).toBe(200);
    // Signing in wrote nothing into the copied audit chain.
    expect(verifyStore(s.store).events).toBe(verifyStore(p.t.store).events);

    // Every change is refused with the primary's address, on the API and on the screens.
    const api = await s.app.inject({ method: 'POST', url: '/api/pages', headers: { authorization: `Bearer ${p.admin}` }, payload: { ...sampleFrontMatter, title: 'New', body: 'x' } });
    expect(api.statusCode).toBe(503);
    expect(api.json().message).toContain(`read-only standby of ${p.url}`);
    const form = await reader.post('/p/sepsis-screening-bpa/review', {});
    expect(form.statusCode).toBe(503);
    expect(form.body).toContain(p.url);

    // A save on the primary arrives with the next pull.
    savePage(commandContext(p.t.store), { slug: 'sepsis-screening-bpa', frontMatter: { ...sampleFrontMatter }, body: 'Third version.', summary: 'Third', baseVersion: 2 });
    await s.app.follower!.pullUntilHead();
    const third = await s.app.inject({ url: '/api/pages/sepsis-screening-bpa', headers: { authorization: `Bearer ${p.admin}` } });
    expect(third.json()).toMatchObject({ version: 3, body: 'Third version.' });
    const status = await s.app.inject({ url: '/api/standby', headers: { authorization: `Bearer ${p.admin}` } });
    expect(status.json()).toMatchObject({ standby: true, primary: p.url, following: true, behind_seconds: 0, stopped: null });
  });

  it('catches up in batches, each page appearing once its current version has arrived', async () => {
    const p = await primary();
    for (let i = 0; i < 30; i++) seedPage(p.t.store, `bulk-${i}`, `Bulk page ${i}.`);
    const s = await standby(p.url, p.admin);
    const { readFeed } = await import('../../server/standby/feed.js');
    let cursor: string | undefined;
    let batches = 0;
    for (;;) {
      const batch = readFeed(p.t.store, cursor, 7);
      s.store.feed.apply(batch);
      batches++;
      cursor = batch.cursor;
      if (!batch.more) break;
      expect(batches).toBeLessThan(100);
    }
    expect(batches).toBeGreaterThan(3);
    expect(verifyStore(s.store).break).toBeNull();
    expect(s.store.pageRowCount()).toBe(p.t.store.pageRowCount());
  });

  it('keeps retrying with the primary\'s message when its token is not an admin\'s', async () => {
    const p = await primary();
    const s = await standby(p.url, tokenFor(p.t.store, 'editor'));
    await s.app.follower!.pullUntilHead();
    expect(s.app.follower!.status().lastError).toMatch(/refused the feed \(403\).*must be an admin.*WHYWIKI_FOLLOW_TOKEN/);
    expect(s.store.pageRowCount()).toBe(0);
    const html = await s.app.inject({ url: '/login' });
    expect(html.body).toContain('has not reached the primary yet');
    expect(html.body).toContain('refused the feed (403)');
  });

  it('stops at a version of the primary whose hash does not verify, and says which', async () => {
    const p = await primary();
    const db = p.t.store.unsafeDatabaseForTests();
    db.exec('DROP TRIGGER page_versions_immutable_update');
    db.prepare("UPDATE page_versions SET body = 'Altered after the fact.' WHERE slug = 'sepsis-screening-bpa' AND version = 2").run();
    const s = await standby(p.url, p.admin);
    await s.app.follower!.pullUntilHead();
    const stopped = s.app.follower!.status().stopped;
    expect(stopped).toMatch(/does not verify at sepsis-screening-bpa v2 \(page_versions\): its content does not match its hash/);
    expect(s.store.pageRowCount()).toBe(0);
    expect((await s.app.inject({ url: '/login' })).body).toContain('stopped: The primary');
    // It stays stopped: nothing later is applied on top of a broken chain.
    await s.app.follower!.pullUntilHead();
    expect(s.store.pageRowCount()).toBe(0);
  });

  it('stops at an audit event of the primary that does not verify', async () => {
    const p = await primary();
    const db = p.t.store.unsafeDatabaseForTests();
    db.exec('DROP TRIGGER audit_events_append_only_update');
    const id = db.prepare("SELECT id FROM audit_events WHERE action = 'page.saved' ORDER BY id LIMIT 1").pluck().get() as number;
    db.prepare("UPDATE audit_events SET actor = 'someone-else' WHERE id = ?").run(id);
    const s = await standby(p.url, p.admin);
    await s.app.follower!.pullUntilHead();
    expect(s.app.follower!.status().stopped).toContain(`at audit event ${id} (audit_events)`);
  });

  it('becomes a writable primary when promoted, with the promotion in its audit chain', async () => {
    const p = await primary();
    const s = await standby(p.url, p.admin);
    await s.app.follower!.pullUntilHead();
    const before = await s.app.inject({ method: 'POST', url: '/api/pages', headers: { authorization: `Bearer ${p.admin}` }, payload: { ...sampleFrontMatter, title: 'After the outage', body: 'x' } });
    expect(before.statusCode).toBe(503);
    const promoted = await cli(['promote'], s.dir);
    expect(promoted.out).toContain(`no longer follows ${p.url}`);
    expect(promoted.code).toBe(0);
    const after = await s.app.inject({ method: 'POST', url: '/api/pages', headers: { authorization: `Bearer ${p.admin}` }, payload: { ...sampleFrontMatter, title: 'After the outage', body: 'x', summary: 'Written on the promoted standby' } });
    expect(after.statusCode).toBe(201);
    const events = s.store.audit.all().map((e) => e.action);
    expect(events.slice(-2)).toEqual(['standby.promoted', 'page.created']);
    expect(verifyStore(s.store).break).toBeNull();
    expect((await s.app.inject({ url: '/login' })).body).not.toContain('standby-banner');
    // The follower stops on its next round instead of writing over the new history.
    await s.app.follower!.pullUntilHead();
    expect(s.app.follower!.status().following).toBe(false);
    expect((await cli(['promote'], s.dir)).out).toContain('already promoted');
  });

  it('refuses to follow from a data folder that holds a wiki of its own', async () => {
    const { store } = await testApp().then((t) => (open.push(t), t));
    seedPage(store);
    expect(() => beginFollowing(store, 'http://127.0.0.1:9')).toThrow(StandbyError);
  });
});

describe('purges and comments on a standby', () => {
  const SECRET = 'Jonathan Quayle-Roe';
  const admin2 = () => commandContext(p0!.t.store, 'admin2', { actor: { username: 'admin2', role: 'admin' } });
  let p0: Awaited<ReturnType<typeof primary>> | undefined;

  it('copies a comment and its resolution, then removes purged text from the page, its history, its events and search', async () => {
    const p = (p0 = await primary());
    const editor = commandContext(p.t.store, 'editor', { actor: { username: 'editor', role: 'editor' } });
    savePage(editor, { slug: 'sepsis-screening-bpa', frontMatter: { ...sampleFrontMatter }, body: `Example: ${SECRET} waited four hours.`, summary: `Added the ${SECRET} example`, baseVersion: 2 });
    const comment = addComment(editor, { slug: 'sepsis-screening-bpa', body: 'The lactate order set was renamed last week.', kind: 'wrong' });
    const s = await standby(p.url, p.admin);
    await s.app.follower!.pullUntilHead();
    expect(s.app.follower!.status()).toMatchObject({ stopped: null, lastError: null });
    const auth = { authorization: `Bearer ${p.admin}` };
    const comments = async () => (await s.app.inject({ url: '/api/pages/sepsis-screening-bpa/comments', headers: auth })).json() as { comments: { id: number; body: string; resolved_at: string | null }[] };
    expect((await comments()).comments).toEqual([expect.objectContaining({ id: comment.id, body: 'The lactate order set was renamed last week.', resolved_at: null })]);
    await s.app.searchIndex.whenReady();
    const search = async (history: boolean) => ((await s.app.inject({ url: `/api/search?q=Quayle${history ? '&history=1' : ''}`, headers: auth })).json() as { total: number }).total;
    expect(await search(false)).toBeGreaterThan(0);

    // On the primary: the comment is resolved, and two admins purge the name from version 3.
    setCommentResolved(editor, { id: comment.id, resolved: true });
    const { id } = requestPurge(commandContext(p.t.store, 'admin', { actor: { username: 'admin', role: 'admin' } }), { slug: 'sepsis-screening-bpa', version: 3, reason: 'A patient name', text: SECRET });
    approvePurge(admin2(), { id });
    await s.app.follower!.pullUntilHead();
    expect(s.app.follower!.status()).toMatchObject({ stopped: null, lastError: null });

    expect((await comments()).comments).toEqual([expect.objectContaining({ id: comment.id, resolved_at: expect.any(String) })]);
    for (const url of ['/api/pages/sepsis-screening-bpa', '/api/pages/sepsis-screening-bpa/versions/3', '/api/pages/sepsis-screening-bpa/versions', '/p/sepsis-screening-bpa', '/p/sepsis-screening-bpa/history']) {
      const res = await s.app.inject({ url, headers: auth });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).not.toContain(SECRET);
    }
    expect((await s.app.inject({ url: '/api/pages/sepsis-screening-bpa', headers: auth })).json().body).toBe('Example: [removed] waited four hours.');
    expect(JSON.stringify(s.store.audit.all())).not.toContain(SECRET);
    // The purge makes the standby rebuild its index in a separate process: seconds idle, far more on a busy machine.
    await vi.waitFor(async () => expect(await search(false) + (await search(true))).toBe(0), { timeout: 120_000, interval: 100 });
    // The standby's own check passes and lists the purge, as the primary's does.
    const report = verifyStore(s.store);
    expect(report.break).toBeNull();
    expect(report.purges).toEqual([expect.objectContaining({ slug: 'sepsis-screening-bpa', version: 3, approved_by: 'admin2', requested_by: 'admin' })]);
    expect(s.store.purges.get(id)).toMatchObject({ status: 'applied', pending_text: null });
    // Two servers, a purge and an index rebuild: a bound for a hang, not a target.
  }, 240_000);

  it('catches up from the start in small batches across a purge, each rewritten row vouched for by its purge event', async () => {
    const p = (p0 = await primary());
    const editor = commandContext(p.t.store, 'editor', { actor: { username: 'editor', role: 'editor' } });
    savePage(editor, { slug: 'sepsis-screening-bpa', frontMatter: { ...sampleFrontMatter }, body: `Example: ${SECRET} waited.`, summary: `Added the ${SECRET} example`, baseVersion: 2 });
    for (let i = 0; i < 12; i++) seedPage(p.t.store, `later-${i}`, `Later page ${i}.`);
    const { id } = requestPurge(commandContext(p.t.store, 'admin', { actor: { username: 'admin', role: 'admin' } }), { slug: 'sepsis-screening-bpa', version: 3, reason: 'A patient name', text: SECRET });
    approvePurge(admin2(), { id });
    const s = await standby(p.url, p.admin);
    const { readFeed, verifyBatch } = await import('../../server/standby/feed.js');
    let cursor: string | undefined;
    let vouchers = 0;
    for (let batches = 0; ; batches++) {
      expect(batches).toBeLessThan(200);
      const batch = JSON.parse(JSON.stringify(readFeed(p.t.store, cursor, 3))) as ReturnType<typeof readFeed>;
      vouchers += batch.changes?.vouchers?.length ?? 0;
      expect(verifyBatch(s.store, batch)).toBeNull();
      s.store.feed.apply(batch);
      cursor = batch.cursor;
      if (!batch.more) break;
    }
    // The purged version and the event of its save arrived before the purge's event did.
    expect(vouchers).toBeGreaterThan(0);
    expect(s.store.feed.pendingVouchers()).toEqual({});
    const report = verifyStore(s.store);
    expect(report.break).toBeNull();
    expect(report.purges).toEqual([expect.objectContaining({ slug: 'sepsis-screening-bpa', version: 3 })]);
    expect(JSON.stringify(s.store.audit.all())).not.toContain(SECRET);
    expect(s.store.pages.version(s.store.pages.head('sepsis-screening-bpa')!.id, 3)!.body).toBe('Example: [removed] waited.');
  });

  it('stops when the purged content it is sent is not what the purge event recorded', async () => {
    const p = (p0 = await primary());
    savePage(commandContext(p.t.store), { slug: 'sepsis-screening-bpa', frontMatter: { ...sampleFrontMatter }, body: `Example: ${SECRET} waited.`, summary: 'Example', baseVersion: 2 });
    const s = await standby(p.url, p.admin);
    await s.app.follower!.pullUntilHead();
    const { id } = requestPurge(commandContext(p.t.store, 'admin', { actor: { username: 'admin', role: 'admin' } }), { slug: 'sepsis-screening-bpa', version: 3, reason: 'A patient name', text: SECRET });
    approvePurge(admin2(), { id });
    // Someone with the primary's database rewrites more than the purge removed.
    const db = p.t.store.unsafeDatabaseForTests();
    db.exec('DROP TRIGGER page_versions_immutable_update');
    db.prepare("UPDATE page_versions SET body = 'Example: nobody waited.' WHERE page_id = (SELECT id FROM pages WHERE slug = 'sepsis-screening-bpa') AND version = 3").run();
    await s.app.follower!.pullUntilHead();
    expect(s.app.follower!.status().stopped).toMatch(/\(page_versions\): its body changed after it was purged/);
    expect(s.store.pages.version(s.store.pages.head('sepsis-screening-bpa')!.id, 3)!.body).toContain(SECRET);
  });

  it('stops at a comment whose text is not the one its event recorded', async () => {
    const p = (p0 = await primary());
    const c = addComment(commandContext(p.t.store, 'editor', { actor: { username: 'editor', role: 'editor' } }), { slug: 'sepsis-screening-bpa', body: 'Looks right to me.' });
    const db = p.t.store.unsafeDatabaseForTests();
    db.exec('DROP TRIGGER comments_text_immutable');
    db.prepare('UPDATE comments SET body = ? WHERE id = ?').run('Something else entirely.', c.id);
    const s = await standby(p.url, p.admin);
    await s.app.follower!.pullUntilHead();
    expect(s.app.follower!.status().stopped).toContain(`at comment ${c.id} (comments): its text does not match the digest`);
  });
});
