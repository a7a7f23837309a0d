import { afterEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../server/setup.js';
import { changeRole } from '../../server/auth/commands/change-role.js';
import { resetPassword } from '../../server/auth/commands/reset-password.js';
import { revokeApiToken } from '../../server/auth/commands/revoke-api-token.js';
import { setUserActive } from '../../server/auth/commands/set-user-active.js';
import { ReadOnlySession } from '../../server/auth/session-read-path.js';
import { Browser, seedPage, testApp, tokenFor, type TestApp } from '../helpers.js';

const PAGE = '/p/sepsis-screening-bpa';
const operator = { username: 'admin' };

function clock(start = Date.parse('2026-03-02T09:00:00Z')) {
  let now = start;
  return { clock: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

/** Another process (the CLI's `user` commands) writing to the same store file. */
function elsewhere<T>(t: TestApp, fn: (store: ReturnType<typeof openStore>) => T): T {
  const other = openStore(t.dir);
  try {
    return fn(other);
  } finally {
    other.close();
  }
}

const signedOut = (res: { statusCode: number; headers: Record<string, unknown> }) => res.statusCode === 303 && String(res.headers.location).startsWith('/login');

describe('page views by session cookie take the read-only session path', () => {
  let t: TestApp;
  afterEach(async () => {
    vi.restoreAllMocks();
    await t?.close();
  });

  async function signedIn(username = 'reader', config = {}, time = clock()) {
    t = await testApp(config, { clock: time.clock });
    seedPage(t.store);
    const browser = new Browser(t.app);
    await browser.signIn(username);
    expect((await browser.get(PAGE)).statusCode).toBe(200);
    return browser;
  }

  it('serves a repeated view without reading the session or the auth counter from the store, and reads the store version once', async () => {
    const browser = await signedIn();
    const sessionRead = vi.spyOn(t.store.sessions, 'get');
    const sessionWrite = vi.spyOn(t.store.sessions, 'set');
    const generation = vi.spyOn(t.store.users, 'authGeneration');
    const version = vi.spyOn(t.store, 'version');
    const readOnly = vi.spyOn(ReadOnlySession.prototype, 'changed');
    for (let i = 0; i < 3; i++) {
      const res = await browser.get(PAGE);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('Sign out');
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(readOnly).toHaveBeenCalledTimes(3);
    expect(sessionRead).not.toHaveBeenCalled();
    expect(sessionWrite).not.toHaveBeenCalled();
    expect(generation).not.toHaveBeenCalled();
    // Every cache a view consults shares the one reading of SQLite's change counters.
    expect(version).toHaveBeenCalledTimes(3);
  });

  it('skips the session for a page view signed in by token: none is read, made or stored', async () => {
    t = await testApp();
    seedPage(t.store);
    const bearer = { authorization: `Bearer ${tokenFor(t.store, 'reader')}` };
    const readOnly = vi.spyOn(ReadOnlySession.prototype, 'changed');
    const sessionWrite = vi.spyOn(t.store.sessions, 'set');
    const res = await t.app.inject({ url: PAGE, headers: bearer });
    expect(res.statusCode).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(readOnly).toHaveBeenCalledTimes(1);
    expect(sessionWrite).not.toHaveBeenCalled();
  });

  it('is signed out on the very next view after signing out, with the old cookie', async () => {
    const browser = await signedIn();
    const old = { ...browser.cookies };
    expect((await t.app.inject({ url: PAGE, cookies: old })).statusCode).toBe(200);
    expect((await browser.post('/logout', {})).statusCode).toBeLessThan(400);
    expect(signedOut(await t.app.inject({ url: PAGE, cookies: old }))).toBe(true);
  });

  it('is signed out on the very next view when another process deactivates the account', async () => {
    const browser = await signedIn();
    elsewhere(t, (s) => setUserActive({ store: s, actor: operator }, { username: 'reader', active: false }));
    expect(signedOut(await browser.get(PAGE))).toBe(true);
  });

  it('is signed out on the very next view when another process resets the password', async () => {
    const browser = await signedIn('editor');
    const other = openStore(t.dir);
    await resetPassword({ store: other, actor: operator }, { username: 'editor' });
    other.close();
    expect(signedOut(await browser.get(PAGE))).toBe(true);
  });

  it('applies a role change on the very next view, made here or by another process', async () => {
    const browser = await signedIn('reader');
    const editLink = /href="\/p\/sepsis-screening-bpa\/edit"/;
    expect((await browser.get(PAGE)).body).not.toMatch(editLink);
    elsewhere(t, (s) => changeRole({ store: s, actor: operator }, { username: 'reader', role: 'editor' }));
    expect((await browser.get(PAGE)).body).toMatch(editLink);
    changeRole({ store: t.store, actor: operator }, { username: 'reader', role: 'reader' });
    expect((await browser.get(PAGE)).body).not.toMatch(editLink);
  });

  it('refuses a token revoked by another process on the very next page view', async () => {
    t = await testApp();
    seedPage(t.store);
    const token = tokenFor(t.store, 'reader');
    const bearer = { authorization: `Bearer ${token}` };
    expect((await t.app.inject({ url: PAGE, headers: bearer })).statusCode).toBe(200);
    const id = t.store.users.tokens(t.store.users.byName('reader')!.id)[0]!.id;
    elsewhere(t, (s) => revokeApiToken({ store: s, actor: operator }, { username: 'reader', tokenId: id }));
    expect((await t.app.inject({ url: PAGE, headers: bearer })).statusCode).toBe(401);
  });

  it('keeps the idle time-out by the injected clock: a session left alone past it is signed out', async () => {
    const time = clock();
    const browser = await signedIn('reader', { sessionIdleMs: 30 * 60_000 }, time);
    time.advance(29 * 60_000);
    expect((await browser.get(PAGE)).statusCode).toBe(200);
    // That view was due to move the expiry, so it went the full way and sent the cookie again.
    time.advance(31 * 60_000);
    expect(signedOut(await browser.get(PAGE))).toBe(true);
  });

  it('keeps the absolute time-out: however often it is used, a session ends that long after sign-in', async () => {
    const time = clock();
    const browser = await signedIn('reader', { sessionIdleMs: 30 * 60_000, sessionMaxMs: 60 * 60_000 }, time);
    for (let i = 0; i < 5; i++) {
      time.advance(11 * 60_000);
      expect((await browser.get(PAGE)).statusCode).toBe(200);
    }
    time.advance(6 * 60_000);
    expect(signedOut(await browser.get(PAGE))).toBe(true);
  });

  it('shows a confirmation once and stores that it was shown, though the view only reads the session', async () => {
    const browser = await signedIn('admin');
    expect((await browser.post('/p/sepsis-screening-bpa/review', { note: 'still holds' })).statusCode).toBe(303);
    const readOnly = vi.spyOn(ReadOnlySession.prototype, 'changed');
    expect((await browser.get(PAGE)).body).toContain('Marked reviewed.');
    expect(readOnly).toHaveBeenCalledTimes(1);
    expect((await browser.get(PAGE)).body).not.toContain('Marked reviewed.');
    // Stored without it too, so another process or a restart does not show it again.
    expect(t.store.sessions.get(sessionIdOf(browser), 0)).not.toContain('Marked reviewed.');
  });

  it('still checks CSRF on a form posted from a page view served by the read path', async () => {
    const browser = await signedIn('editor');
    expect((await browser.get(PAGE)).statusCode).toBe(200);
    const refused = await browser.post('/p/sepsis-screening-bpa/watch', { _csrf: 'forged' });
    expect(refused.statusCode).toBe(403);
    expect((await browser.post('/p/sepsis-screening-bpa/watch', {})).statusCode).toBeLessThan(400);
  });
});

/** The session id inside the signed cookie value (`<id>.<signature>`). */
function sessionIdOf(browser: Browser): string {
  const value = browser.cookies.whywiki_session ?? '';
  return value.slice(0, value.lastIndexOf('.'));
}
