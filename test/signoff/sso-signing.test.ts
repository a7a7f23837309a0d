import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { createApiToken } from '../../server/auth/commands/create-api-token.js';
import { seedPage, testStore, type TestApp } from '../helpers.js';
import { freePort } from '../server-process.js';
import { DEMO_CLIENT, startDemoIdp } from '../security/demo-idp.js';

/** A browser over fetch: follows redirects by hand and keeps cookies per host. */
class WebClient {
  private jars = new Map<string, Map<string, string>>();
  async go(url: string, init: RequestInit = {}): Promise<{ url: string; status: number; body: string }> {
    let current = url;
    let options = init;
    for (let i = 0; i < 20; i++) {
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
    throw new Error('too many redirects');
  }
  /** Posts the page's first form that has `marker` in its action, with its hidden fields and these. */
  async post(page: { url: string; body: string }, marker: string, fields: Record<string, string>) {
    const form = [...page.body.matchAll(/<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/g)].find((m) => m[1]!.includes(marker))!;
    const data = new URLSearchParams();
    for (const m of form[2]!.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) data.set(m[1]!, m[2]!);
    for (const [k, v] of Object.entries(fields)) data.set(k, v);
    return this.go(new URL(form[1]!.replace(/&amp;/g, '&'), page.url).href, { method: 'POST', body: data, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(page.url).origin } });
  }
}

describe('signing with single sign-on', () => {
  let idp: { issuer: string; close: () => Promise<void> };
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    const [idpPort, appPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${appPort}`;
    idp = await startDemoIdp(idpPort, `${base}/auth/oidc/callback`);
    const { store, dir } = testStore();
    seedPage(store);
    const config = loadConfig({
      WHYWIKI_DATA: dir, WHYWIKI_AUTH: 'oidc', WHYWIKI_PUBLIC_URL: base, WHYWIKI_OIDC_ISSUER: idp.issuer,
      WHYWIKI_OIDC_CLIENT_ID: DEMO_CLIENT.id, WHYWIKI_OIDC_CLIENT_SECRET: DEMO_CLIENT.secret, WHYWIKI_ROLE_MAP: 'wiki-admins=admin,epic-analysts=editor',
    });
    const app = await buildApp({ config, store, logger: false });
    await app.listen({ port: appPort, host: '127.0.0.1' });
    t = { app, store, dir, close: async () => { await app.close(); store.close(); } };
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  /** Goes through the identity provider's login (and consent) pages as `login`; answers where it lands. */
  async function throughIdp(web: WebClient, start: string, login: string) {
    const loginPage = await web.go(`${base}${start}`);
    expect(loginPage.url.startsWith(idp.issuer), 'the identity provider asks for a sign-in').toBe(true);
    expect(loginPage.body).toMatch(/name="login"/);
    const consent = await web.post(loginPage, '', { login, password: 'anything' });
    return consent.url.startsWith(base) ? consent : web.post(consent, '', {});
  }

  it('sends the signer through a fresh sign-in with the identity provider, good for one signature', async () => {
    const web = new WebClient();
    await throughIdp(web, '/auth/oidc/login?next=/p/sepsis-screening-bpa', 'epic-analyst');
    const page = await web.go(`${base}/p/sepsis-screening-bpa`);
    expect(page.body).toContain('sign in again with your identity provider');
    // Signed in an hour's worth of clicks ago as far as signing goes: not fresh, so not signed.
    const stale = await web.post(page, '/signatures', { meaning: 'reviewed', comment: 'Read it' });
    expect(stale.status).toBe(401);
    expect(stale.body).toMatch(/<a href="\/auth\/oidc\/login\?fresh&#x3D;1&amp;next&#x3D;%2Fp%2Fsepsis-screening-bpa%23signatures" role="button">Sign in again<\/a>/);
    expect(stale.body).toContain('Read it');
    expect(t.store.signatures.all()).toHaveLength(0);

    // prompt=login: the identity provider asks again even though its own session is live.
    const back = await throughIdp(web, '/auth/oidc/login?fresh=1&next=%2Fp%2Fsepsis-screening-bpa', 'epic-analyst');
    expect(back.url).toBe(`${base}/p/sepsis-screening-bpa`);
    const signed = await web.post(back, '/signatures', { meaning: 'reviewed', comment: 'Read it' });
    expect(signed.status).toBe(200);
    expect(signed.body).toContain('Reviewed by epic-analyst');
    expect(t.store.signatures.all()).toEqual([expect.objectContaining({ signer: 'epic-analyst', meaning: 'reviewed' })]);
    // One fresh sign-in, one signature.
    const again = await web.post(await web.go(`${base}/p/sepsis-screening-bpa`), '/signatures', { meaning: 'verified' });
    expect(again.status).toBe(401);
  });

  it('refuses an API token of a single-sign-on account clearly: there is no password to check', async () => {
    const token = createApiToken({ store: t.store, actor: { username: 'test' } }, { username: 'epic-analyst', label: 'script' });
    const res = await fetch(`${base}/api/pages/sepsis-screening-bpa/signatures`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ version: 1, meaning: 'reviewed', password: 'anything' }) });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toContain('single sign-on');
  });
});
