import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.js';
import { loadConfig, ConfigError } from '../../server/config.js';
import { testStore, type TestApp } from '../helpers.js';
import { freePort } from '../server-process.js';
import { DEMO_CLIENT, startDemoIdp } from './demo-idp.js';

/** A tiny browser over fetch: follows redirects by hand, keeps cookies per host, submits the first form on a page. */
class WebClient {
  private jars = new Map<string, Map<string, string>>();
  async go(url: string, init: RequestInit = {}, hops = 20): Promise<{ url: string; status: number; body: string }> {
    let current = url;
    let options = init;
    for (let i = 0; i < hops; i++) {
      const u = new URL(current);
      const jar = this.jars.get(u.host) ?? new Map<string, string>();
      this.jars.set(u.host, jar);
      const res = await fetch(current, { ...options, redirect: 'manual', headers: { ...(options.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const at = pair!.indexOf('=');
        jar.set(pair!.slice(0, at), pair!.slice(at + 1));
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        current = new URL(location, current).href;
        options = {};
        continue;
      }
      return { url: current, status: res.status, body: await res.text() };
    }
    return { url: current, status: 302, body: '' }; // stopped before following the last redirect
  }
  /** Fills and posts the page's first form (hidden inputs kept), as a person pressing its button would. */
  async submit(page: { url: string; body: string }, fields: Record<string, string>) {
    const action = /<form[^>]*action="([^"]*)"/.exec(page.body)![1]!;
    const data = new URLSearchParams();
    for (const m of page.body.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) data.set(m[1]!, m[2]!);
    for (const [k, v] of Object.entries(fields)) data.set(k, v);
    return this.go(new URL(action.replace(/&amp;/g, '&'), page.url).href, { method: 'POST', body: data, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(page.url).origin } });
  }
}

describe('OpenID Connect against a real identity provider on 127.0.0.1', () => {
  let idp: { issuer: string; close: () => Promise<void> };
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    const [idpPort, appPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${appPort}`;
    idp = await startDemoIdp(idpPort, `${base}/auth/oidc/callback`);
    const { store, dir } = testStore();
    const config = loadConfig({
      WHYWIKI_DATA: dir,
      WHYWIKI_AUTH: 'oidc',
      WHYWIKI_PUBLIC_URL: base,
      WHYWIKI_OIDC_ISSUER: idp.issuer,
      WHYWIKI_OIDC_CLIENT_ID: DEMO_CLIENT.id,
      WHYWIKI_OIDC_CLIENT_SECRET: DEMO_CLIENT.secret,
      WHYWIKI_ROLE_MAP: 'wiki-admins=admin,epic-analysts=editor',
      WHYWIKI_DEFAULT_ROLE: 'none',
    });
    const app: FastifyInstance = await buildApp({ config, store, logger: false });
    await app.listen({ port: appPort, host: '127.0.0.1' });
    t = { app, store, dir, close: async () => { await app.close(); store.close(); } };
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  async function signInAs(login: string, next = '/people') {
    const web = new WebClient();
    const loginPage = await web.go(`${base}/auth/oidc/login?next=${encodeURIComponent(next)}`);
    expect(loginPage.url.startsWith(idp.issuer)).toBe(true);
    const consent = await web.submit(loginPage, { login, password: 'anything' });
    const back = consent.url.startsWith(base) ? consent : await web.submit(consent, {});
    return { web, back };
  }

  it('signs in with code + PKCE, checks state and nonce, and maps roles from the groups claim', async () => {
    const { back } = await signInAs('wiki-admin');
    expect(back.url).toBe(`${base}/people`);
    expect(back.status).toBe(200);
    const user = t.store.users.byExternal('oidc', `${idp.issuer} wiki-admin`)!;
    expect(user).toMatchObject({ username: 'wiki-admin', role: 'admin', auth_source: 'oidc', password_hash: null });
    const analyst = await signInAs('epic-analyst');
    expect(analyst.back.status).toBe(200);
    expect(t.store.users.byExternal('oidc', `${idp.issuer} epic-analyst`)!.role).toBe('editor');
    const events = t.store.unsafeDatabaseForTests().prepare("SELECT actor, details FROM audit_events WHERE action = 'signin.succeeded'").all() as { actor: string; details: string }[];
    expect(events.map((e) => e.actor)).toEqual(['wiki-admin', 'epic-analyst']);
  });

  it('refuses someone whose groups map to no role, and writes no account for them', async () => {
    const { back } = await signInAs('outsider');
    expect(back.status).toBe(403);
    expect(back.body).toMatch(/not in any group that may use Whywiki/);
    expect(t.store.users.byExternal('oidc', `${idp.issuer} outsider`)).toBeUndefined();
    const refused = t.store.unsafeDatabaseForTests().prepare("SELECT target, details FROM audit_events WHERE action = 'signin.refused'").all() as { target: string; details: string }[];
    expect(refused.map((e) => [e.target, JSON.parse(e.details).reason])).toEqual([['user:outsider', expect.stringMatching(/not in any group/)]]);
  });

  it('returns to a page on this site only, whatever the sign-in link asks for', async () => {
    for (const [next, where] of [['/\t/evil.example', '/'], ['//evil.example', '/'], ['/\\evil.example', '/'], ['/p/café', '/p/caf%C3%A9']]) {
      const { back } = await signInAs('wiki-admin', next!);
      expect(back.url, next).toBe(`${base}${where}`);
    }
  });

  it('refuses a callback whose state does not match, or that was never started here', async () => {
    const web = new WebClient();
    const page = await web.go(`${base}/auth/oidc/login`, {}, 1);
    const location = new URL(page.url);
    expect(location.origin).toBe(idp.issuer);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('nonce')).toBeTruthy();
    const forged = await web.go(`${base}/auth/oidc/callback?code=forged&state=not-the-state&iss=${encodeURIComponent(idp.issuer)}`);
    expect(forged.status).toBe(403);
    expect(forged.body).not.toMatch(/at .*\.ts:\d+/);
    const stranger = await new WebClient().go(`${base}/auth/oidc/callback?code=x&state=y`);
    expect(stranger.status).toBe(400);
    expect(stranger.body).toMatch(/not started here/);
  });

  it('refuses to start without the settings it needs', () => {
    expect(() => loadConfig({ WHYWIKI_AUTH: 'oidc' })).toThrow(ConfigError);
    expect(() => loadConfig({ WHYWIKI_AUTH: 'oidc', WHYWIKI_OIDC_ISSUER: 'http://idp.example.org', WHYWIKI_OIDC_CLIENT_ID: 'a', WHYWIKI_OIDC_CLIENT_SECRET: 'b', WHYWIKI_PUBLIC_URL: 'https://wiki.example.org' })).toThrow(/must use https/);
  });
});

describe('trusted reverse-proxy header', () => {
  let app: FastifyInstance;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const { store, dir } = testStore();
    const config = loadConfig({ WHYWIKI_DATA: dir, WHYWIKI_AUTH: 'proxy', WHYWIKI_TRUSTED_PROXIES: '10.0.0.5', WHYWIKI_PROXY_GROUPS_HEADER: 'X-Remote-Groups', WHYWIKI_ROLE_MAP: 'wiki-admins=admin,epic-analysts=editor' });
    app = await buildApp({ config, store, logger: false });
    close = async () => { await app.close(); store.close(); };
  });
  afterAll(async () => close());

  it('believes X-Remote-User only from a configured proxy address', async () => {
    const fromProxy = await app.inject({ url: '/people', remoteAddress: '10.0.0.5', headers: { 'x-remote-user': 'jdoe', 'x-remote-groups': 'epic-analysts' } });
    expect(fromProxy.statusCode).toBe(200);
    expect(fromProxy.body).toContain('jdoe');
    expect(app.store.users.byExternal('proxy', 'jdoe')!.role).toBe('editor');
    const spoofed = await app.inject({ url: '/people', remoteAddress: '192.168.1.50', headers: { 'x-remote-user': 'admin', 'x-remote-groups': 'wiki-admins' } });
    expect(spoofed.statusCode).toBe(303);
    expect(spoofed.headers.location).toMatch(/^\/login/);
    const spoofedApi = await app.inject({ url: '/api/people', remoteAddress: '192.168.1.50', headers: { 'x-remote-user': 'admin' } });
    expect(spoofedApi.statusCode).toBe(401);
  });

  it('still needs a CSRF token for writes a proxied browser sends', async () => {
    const res = await app.inject({ method: 'POST', url: '/new', remoteAddress: '10.0.0.5', headers: { 'x-remote-user': 'jdoe', 'x-remote-groups': 'epic-analysts' }, payload: { title: 'No token' } });
    expect(res.statusCode).toBe(403);
  });

  it('refuses to start with an empty list of proxies', () => {
    expect(() => loadConfig({ WHYWIKI_AUTH: 'proxy' })).toThrow(/WHYWIKI_TRUSTED_PROXIES must list/);
    expect(() => loadConfig({ WHYWIKI_AUTH: 'proxy', WHYWIKI_TRUSTED_PROXIES: 'not-an-ip' })).toThrow(/not an IP address/);
  });
});
