import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { Browser, PASSWORD, sampleFrontMatter, seedPage, testApp, testConfig, testStore, tokenFor, type TestApp } from '../helpers.js';

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await testApp({ maxBodyBytes: 4096 });
  seedPage(t.store);
  token = tokenFor(t.store, 'editor');
});
afterAll(async () => { await t.close(); });
const auth = () => ({ authorization: `Bearer ${token}` });
const versions = () => t.store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM page_versions').pluck().get();

describe('CSRF and Origin', () => {
  it('refuses a cookie-authenticated write with a missing or foreign token, or from a foreign Origin, with 403', async () => {
    const b = new Browser(t.app);
    await b.signIn('editor');
    await b.get('/new');
    const form = { ...sampleFrontMatter, owners: 'mreyes', tickets: '', records: '', title: 'CSRF probe', body: 'typed text' };
    const before = versions();
    const missing = await b.post('/new', form, false);
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('typed text'); // the person's text is handed back
    const other = new Browser(t.app);
    await other.signIn('reader');
    await other.get('/');
    const foreign = await b.post('/new', { ...form, _csrf: other.csrf }, false);
    expect(foreign.statusCode).toBe(403);
    const fromElsewhere = await t.app.inject({ method: 'POST', url: '/new', cookies: b.cookies, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, payload: new URLSearchParams({ ...form, _csrf: b.csrf }).toString() });
    expect(fromElsewhere.statusCode).toBe(403);
    expect(fromElsewhere.body).toMatch(/came from another site/);
    const crossSite = await t.app.inject({ method: 'POST', url: '/new', cookies: b.cookies, headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' }, payload: new URLSearchParams({ ...form, _csrf: b.csrf }).toString() });
    expect(crossSite.statusCode).toBe(403);
    const json = await b.json('POST', '/api/pages', { ...sampleFrontMatter, title: 'Cookie JSON', body: 'x' });
    expect(json.statusCode).toBe(403);
    expect(versions()).toBe(before);
    const sameSite = await t.app.inject({ method: 'POST', url: '/new', cookies: b.cookies, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:80', host: 'localhost:80' }, payload: new URLSearchParams({ ...form, _csrf: b.csrf }).toString() });
    expect(sameSite.statusCode).toBe(303);
  });

  it('refuses a post from another site before handing its text back, so the text is never shown here', async () => {
    const form = { title: 'Posted elsewhere', body: 'ATTACKER-CHOSEN <b>text</b> shown on the wiki' };
    for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }]) {
      // Signed out (no cookie), and signed in with an expired form token: both would hand the text back.
      const signedOut = await t.app.inject({ method: 'POST', url: '/new', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() });
      expect(signedOut.statusCode).toBe(403);
      expect(signedOut.body).toMatch(/came from another site/);
      expect(signedOut.body).not.toContain('ATTACKER-CHOSEN');
      expect(signedOut.body).not.toContain('Posted elsewhere');
    }
    // From this site, a signed-out form's text is still handed back.
    const own = await t.app.inject({ method: 'POST', url: '/new', headers: { origin: 'http://localhost:80', host: 'localhost:80', 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() });
    expect(own.statusCode).toBe(401);
    expect(own.body).toContain('ATTACKER-CHOSEN &lt;b&gt;text&lt;/b&gt;');
  });

  it('changes nothing on any GET', async () => {
    const b = new Browser(t.app);
    await b.signIn('admin');
    const adminToken = tokenFor(t.store, 'admin');
    const count = () => t.store.unsafeDatabaseForTests().prepare('SELECT (SELECT count(*) FROM page_versions) + (SELECT count(*) FROM users) + (SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL) + (SELECT count(*) FROM parties) + (SELECT count(*) FROM phi_rules)').pluck().get();
    const events = (where = '1') => t.store.unsafeDatabaseForTests().prepare(`SELECT count(*) FROM audit_events WHERE ${where}`).pluck().get() as number;
    const [c0, e0] = [count(), events()];
    const urls = t.app.routeTable.filter((x) => x.method === 'GET').map((r) => r.url.replace(':slug', 'sepsis-screening-bpa').replace(':version', '1').replace(':n', '1').replace(':handle', 'mreyes').replace(':date', '2999-01-01').replace(':username', 'editor').replace(':id', '1'));
    // Through the browser's cookie, no GET changes or records anything: a link or an image in a page
    // must not act in the name of whoever opens it.
    await b.get('/');
    // The latest PHI retro-scan is derived data the server makes at start (and keeps in meta); a test app
    // has not started one, so it is made here first rather than by the first GET of the report.
    await t.app.phiScan.current();
    const changes = () => t.store.unsafeDatabaseForTests().prepare('SELECT total_changes()').pluck().get() as number;
    const w0 = changes();
    for (const url of urls) await b.get(url);
    expect(count()).toBe(c0);
    expect(events()).toBe(e0);
    // Not a row written anywhere, sessions included; nor by someone not signed in.
    const stranger = new Browser(t.app);
    for (const url of urls) await stranger.get(url);
    expect(changes()).toBe(w0);
    // A script's token may fetch the audit export by GET; that export is recorded (export.made), nothing else is.
    for (const url of urls) await t.app.inject({ url, headers: { authorization: `Bearer ${adminToken}` } });
    expect(count()).toBe(c0);
    expect(events("action != 'export.made'")).toBe(e0);
    expect(events()).toBe(e0 + 2);
  });
});

describe('request hardening', () => {
  it('answers an oversized body with 413', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/pages', headers: { ...auth(), 'content-type': 'application/json' }, payload: JSON.stringify({ ...sampleFrontMatter, body: 'x'.repeat(200_000) }) });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toBeTruthy();
  });

  it('refuses __proto__ and constructor keys, in JSON and in forms', async () => {
    for (const payload of ['{"__proto__": {"admin": true}, "title": "x"}', '{"constructor": {"prototype": {"admin": true}}}', `{"title":"Proto page","why":"w","owners":["mreyes"],"system":"Epic","status":"live","body":"b","__proto__":{"polluted":1}}`]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/pages', headers: { ...auth(), 'content-type': 'application/json' }, payload });
      expect(res.statusCode, payload).toBe(400);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const b = new Browser(t.app);
    await b.signIn('editor');
    await b.get('/new');
    const res = await b.post('/new', { ...sampleFrontMatter, owners: 'mreyes', tickets: '', records: '', title: 'Form proto', ['__proto__']: 'x' } as Record<string, string>);
    expect(res.statusCode).toBe(400);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuses unknown fields, naming them', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/pages', headers: auth(), payload: { ...sampleFrontMatter, body: 'x', is_admin: true } });
    expect(res.statusCode).toBe(400);
    expect(res.json().field).toBe('is_admin');
    const b = new Browser(t.app);
    await b.signIn('editor');
    await b.get('/new');
    expect((await b.post('/new', { ...sampleFrontMatter, owners: 'mreyes', tickets: '', records: '', title: 'Extra', role: 'admin' })).statusCode).toBe(400);
  });

  it('validates slugs before any lookup', async () => {
    for (const url of ['/api/pages/..%2F..%2Fetc', '/api/pages/UPPER', "/api/pages/a'b", '/p/%00x', '/p/has_underscore/history']) {
      const res = await t.app.inject({ url, headers: auth() });
      expect(res.statusCode, url).toBe(400);
      expect(res.body, url).toMatch(/slug is lowercase letters and digits/);
    }
  });

  it('never shows a stack trace', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/pages', headers: { ...auth(), 'content-type': 'application/json' }, payload: '{"title": ' });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toMatch(/at \S+ \(|\.ts:\d+|node_modules/);
  });
});

describe('logs', () => {
  it('carry no passwords, tokens or cookies, and escape control characters in names', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const { store, dir } = testStore();
    const { createUser } = await import('../../server/auth/commands/create-user.js');
    await createUser({ store, actor: { username: 'test' } }, { username: 'editor', password: PASSWORD, role: 'editor' });
    const app = await buildApp({ config: testConfig(dir), store, logger: { level: 'info', stream, redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'] } });
    try {
      const secretToken = tokenFor(store, 'editor');
      await app.inject({ url: '/api/people', headers: { authorization: `Bearer ${secretToken}` } });
      const b = new Browser(app);
      await b.get('/login');
      await b.post('/login', { username: 'editor', password: PASSWORD });
      await app.inject({ method: 'POST', url: '/new', headers: { origin: 'https://evil.example\n{"forged":"line"}', 'content-type': 'application/x-www-form-urlencoded' }, cookies: b.cookies, payload: 'title=x' });
      const stranger = new Browser(app);
      await stranger.get('/login');
      await stranger.post('/login', { username: 'evil\u001b[31m\nname', password: 'wrong password 1' });
      const all = lines.join('');
      expect(all).not.toContain(secretToken);
      expect(all).not.toContain(PASSWORD);
      expect(all).not.toContain(b.cookies.whywiki_session!);
      // The foreign Origin is logged with its control characters spelled out, so it cannot forge a line.
      const refused = lines.map((l) => JSON.parse(l) as { msg: string; origin?: string }).find((l) => l.msg === 'refused a write sent from another site');
      expect(refused?.origin).toBe('https://evil.example\\u000a{"forged":"line"}');
      const target = store.unsafeDatabaseForTests().prepare("SELECT target FROM audit_events WHERE action = 'signin.failed' ORDER BY id DESC LIMIT 1").pluck().get() as string;
      expect(target).toBe('user:evil\\u001b[31m\\u000aname');
    } finally {
      await app.close();
      store.close();
    }
  });
});
