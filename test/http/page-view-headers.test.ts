import { afterEach, describe, expect, it, vi } from 'vitest';
import Fastify from 'fastify';
import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { LightMyRequestResponse } from 'fastify';
import { Browser, seedPage, testApp, tokenFor, type TestApp } from '../helpers.js';
import { securityHeaderOptions } from '../../server/plugins/security-headers.js';

let t: TestApp;
afterEach(async () => t?.close());

/** The app's clock, moved by the test. */
function clock(start = Date.parse('2026-03-02T09:00:00Z')) {
  let now = start;
  return { clock: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

/** What @fastify/helmet itself answers with, for the same options: the reference the app's headers must equal. */
async function helmetReference(secureCookies: boolean): Promise<Record<string, string>> {
  const bare = Fastify({ logger: false });
  await bare.register(helmet, securityHeaderOptions(secureCookies) as FastifyHelmetOptions);
  bare.get('/', async () => 'ok');
  const res = await bare.inject({ method: 'GET', url: '/' });
  await bare.close();
  const { date: _date, connection: _connection, 'content-length': _length, 'content-type': _type, ...headers } = res.headers;
  return headers as Record<string, string>;
}

function withoutDate(res: LightMyRequestResponse): Record<string, unknown> {
  const { date: _date, ...rest } = res.headers;
  return rest;
}

describe('a page view', () => {
  it.each([false, true])("carries helmet's headers, byte for byte, cached or not, and on errors and assets (HTTPS: %s)", async (secureCookies) => {
    const reference = await helmetReference(secureCookies);
    expect(Object.keys(reference)).toEqual(expect.arrayContaining(['content-security-policy', 'x-frame-options', 'referrer-policy', 'x-content-type-options']));
    expect('strict-transport-security' in reference).toBe(secureCookies);
    t = await testApp({ secureCookies, trustedProxies: secureCookies ? ['127.0.0.1'] : [] });
    seedPage(t.store);
    const token = tokenFor(t.store, 'reader');
    const answers = [
      await t.app.inject({ method: 'GET', url: '/p/sepsis-screening-bpa', headers: { authorization: `Bearer ${token}`, 'x-forwarded-proto': 'https' } }),
      await t.app.inject({ method: 'GET', url: '/p/sepsis-screening-bpa', headers: { authorization: `Bearer ${token}`, 'x-forwarded-proto': 'https' } }),
      await t.app.inject({ method: 'GET', url: '/p/no-such-page', headers: { authorization: `Bearer ${token}` } }),
      await t.app.inject({ method: 'GET', url: '/api/pages/no-such-page', headers: { authorization: `Bearer ${token}` } }),
      await t.app.inject({ method: 'GET', url: '/login' }),
      await t.app.inject({ method: 'GET', url: '/assets/pico/pico.min.css' }),
    ];
    for (const res of answers) {
      for (const [name, value] of Object.entries(reference)) expect(res.headers[name], `${name} on ${res.statusCode}`).toBe(value);
    }
    // An app's start-up (its render workers) is slow on a loaded machine; nothing here is timed.
  }, 60_000);

  it('has the same headers served from the page cache as rendered afresh, and sends no cookie when the session did not change', async () => {
    const time = clock();
    t = await testApp({ sessionIdleMs: 30 * 60_000 }, { clock: time.clock });
    seedPage(t.store);
    const reader = new Browser(t.app);
    await reader.signIn('reader');
    t.app.pageHtml.invalidate();
    const fresh = await reader.get('/p/sepsis-screening-bpa');
    const cached = await reader.get('/p/sepsis-screening-bpa');
    expect(fresh.statusCode).toBe(200);
    expect(withoutDate(cached)).toEqual(withoutDate(fresh));
    expect(fresh.headers['set-cookie']).toBeUndefined();
    expect(cached.headers['set-cookie']).toBeUndefined();
    expect(cached.headers['cache-control']).toBe('no-store');

    // The form on a cached page still carries a token that works: the comment is accepted.
    const posted = await reader.post('/p/sepsis-screening-bpa/comments', { kind: 'comment', body: 'Still valid on a cached page.' });
    expect(posted.statusCode).toBeLessThan(400);

    // A session that is used keeps moving its expiry: the cookie is sent again once that is due, and the
    // session outlives the idle timeout counted from sign-in.
    time.advance(20 * 60_000);
    const rolled = await reader.get('/p/sepsis-screening-bpa');
    expect(rolled.statusCode).toBe(200);
    expect(String(rolled.headers['set-cookie'])).toMatch(/^whywiki_session=.*; Expires=/);
    expect((await reader.get('/p/sepsis-screening-bpa')).headers['set-cookie']).toBeUndefined();
    time.advance(20 * 60_000);
    expect((await reader.get('/p/sepsis-screening-bpa')).statusCode).toBe(200);
  });

  it('reads nothing about the page from the store while nothing was written, and shows a change on the next view', async () => {
    // The cached view is keyed by the minute (overdue banners appear on time): a held clock keeps a slow
    // machine from crossing a minute between the two views and re-reading for that reason.
    t = await testApp({}, { clock: clock().clock });
    seedPage(t.store);
    const reader = new Browser(t.app);
    await reader.signIn('reader');
    expect((await reader.get('/p/sepsis-screening-bpa')).body).toContain('aria-pressed="false"');
    const head = vi.spyOn(t.store.pages, 'head');
    const watches = vi.spyOn(t.store.notifications, 'watchesOf');
    const unread = vi.spyOn(t.store.notifications, 'unreadCount');
    expect((await reader.get('/p/sepsis-screening-bpa')).statusCode).toBe(200);
    expect(head).not.toHaveBeenCalled();
    expect(watches).not.toHaveBeenCalled();
    expect(unread).not.toHaveBeenCalled();
    // A write (here, by the viewer) is seen by the very next view.
    expect((await reader.post('/p/sepsis-screening-bpa/watch', {})).statusCode).toBeLessThan(400);
    expect((await reader.get('/p/sepsis-screening-bpa')).body).toContain('aria-pressed="true"');
    expect(watches).toHaveBeenCalled();
  });
});
