import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, PASSWORD, testApp, tokenFor, type TestApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => { t = await testApp(); });
afterAll(async () => { await t.close(); });

describe('sign-in', () => {
  it('sends anonymous visitors to the sign-in page, and API callers a 401', async () => {
    const res = await t.app.inject({ url: '/p/anything' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Fp%2Fanything');
    const api = await t.app.inject({ url: '/api/pages' });
    expect(api.statusCode).toBe(401);
    expect(api.json().message).toMatch(/Bearer/);
  });

  it('leaves the sign-in page, health check and assets open', async () => {
    expect((await t.app.inject({ url: '/login' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok', pages: 0 });
    expect((await t.app.inject({ url: '/assets/app.css' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/assets/pico/pico.min.css' })).statusCode).toBe(200);
  });

  it('signs in with a new session id, and returns to the page asked for', async () => {
    const b = new Browser(t.app);
    await b.get('/login?next=/people');
    const before = b.cookies.whywiki_session;
    const res = await b.post('/login', { username: 'editor', password: PASSWORD, next: '/people' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/people');
    expect(b.cookies.whywiki_session).not.toBe(before);
    const cookie = (res.headers['set-cookie'] as string | string[]).toString();
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const home = await b.get('/');
    expect(home.statusCode).toBe(200);
    expect(home.headers['cache-control']).toBe('no-store');
    expect(t.store.audit.forTarget('user:editor').map((e) => e.action)).toContain('signin.succeeded');
  });

  it('answers a wrong password and an unknown user the same way, keeping the username', async () => {
    const b = new Browser(t.app);
    await b.get('/login');
    const wrong = await b.post('/login', { username: 'editor', password: 'not-the-password' });
    const unknown = await b.post('/login', { username: 'nobody', password: 'not-the-password' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.body).toContain('That username and password do not match an active account.');
    expect(unknown.body).toContain('That username and password do not match an active account.');
    expect(wrong.body).toContain('value="editor"');
    expect(t.store.audit.forTarget('user:nobody').map((e) => e.action)).toEqual(['signin.failed']);
  });

  it('never redirects off-site after sign-in', async () => {
    const b = new Browser(t.app);
    await b.get('/login');
    const res = await b.post('/login', { username: 'reader', password: PASSWORD, next: '//evil.example/x' });
    expect(res.headers.location).toBe('/');
  });

  // `next` as it arrives (decoded), and where the person may be sent. Browsers drop tabs and newlines
  // from a URL and read "\\" as "/", so each of the hostile ones would otherwise leave the site.
  const NEXT: [string, string][] = [
    ['/people', '/people'],
    ['/search?q=sepsis screening#top', '/search?q=sepsis%20screening#top'],
    ['/p/café', '/p/caf%C3%A9'],
    ['/p/日本', '/p/%E6%97%A5%E6%9C%AC'],
    ['//evil.example', '/'],
    ['///evil.example', '/'],
    ['/\\evil.example', '/'],
    ['\\/evil.example', '/'],
    ['/\t/evil.example', '/'],
    ['\t//evil.example', '/'],
    ['/%09/evil.example', '/'],
    ['/%5C/evil.example', '/'],
    ['/..//evil.example', '/'],
    ['https://evil.example', '/'],
    ['javascript:alert(1)', '/'],
    ['/\r\nSet-Cookie: x=1', '/'],
    ['/p/x\u0000y', '/'],
    ['', '/'],
  ];

  it('keeps every sign-in destination on this site, and answers hostile ones without an error', async () => {
    for (const [next, where] of NEXT) {
      const b = new Browser(t.app);
      const form = await b.get(`/login?next=${encodeURIComponent(next)}`);
      expect(form.statusCode, JSON.stringify(next)).toBe(200);
      expect(form.body, JSON.stringify(next)).toContain(`name="next" value="${where.replace(/&/g, '&amp;').replace(/=/g, '&#x3D;')}"`);
      const res = await b.post('/login', { username: 'reader', password: PASSWORD, next });
      expect(res.statusCode, JSON.stringify(next)).toBe(303);
      expect(res.headers.location, JSON.stringify(next)).toBe(where);
      // Already signed in, the sign-in page sends the person on at once: the same check applies.
      const again = await b.get(`/login?next=${encodeURIComponent(next)}`);
      expect(again.statusCode, JSON.stringify(next)).toBe(303);
      expect(again.headers.location, JSON.stringify(next)).toBe(where);
    }
  });

  it('refuses a form without a CSRF token', async () => {
    const b = new Browser(t.app);
    await b.get('/login');
    const res = await b.post('/login', { username: 'editor', password: PASSWORD }, false);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('This form has expired or did not come from Whywiki');
  });

  it('signs out with a POST, ending the session', async () => {
    const b = new Browser(t.app);
    await b.signIn('reader');
    const out = await b.post('/logout', {});
    expect(out.statusCode).toBe(303);
    expect((await b.get('/')).statusCode).toBe(303);
  });

  it('accepts API tokens and refuses unknown ones', async () => {
    const token = tokenFor(t.store, 'reader');
    expect(token).toMatch(/^ww_/);
    const ok = await t.app.inject({ url: '/api/pages', headers: { authorization: `Bearer ${token}` } });
    expect(ok.statusCode).toBe(200);
    const bad = await t.app.inject({ url: '/api/pages', headers: { authorization: 'Bearer ww_nope' } });
    expect(bad.statusCode).toBe(401);
    const stored = t.store.unsafeDatabaseForTests().prepare('SELECT token_hash FROM api_tokens').pluck().all() as string[];
    expect(stored).not.toContain(token);
  });

  it('sends security headers', async () => {
    const res = await t.app.inject({ url: '/login' });
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeDefined();
  });
});
