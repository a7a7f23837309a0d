import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, PASSWORD, testApp, type TestApp } from '../helpers.js';
import { createUser } from '../../server/auth/accounts.js';
import { passwordProblem } from '../../server/auth/password-policy.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sessions', () => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(); });
  afterAll(async () => { await t.close(); });

  it('makes a session cookie copied before sign-out useless after it', async () => {
    const b = new Browser(t.app);
    await b.signIn('editor');
    const stolen = { ...b.cookies };
    expect((await t.app.inject({ url: '/', cookies: stolen })).statusCode).toBe(200);
    await b.post('/logout', {});
    const after = await t.app.inject({ url: '/', cookies: stolen });
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toMatch(/^\/login/);
  });

  it('gives a new session id at sign-in, so an id planted before is worth nothing', async () => {
    const b = new Browser(t.app);
    await b.get('/login');
    const planted = { ...b.cookies };
    await b.post('/login', { username: 'reader', password: PASSWORD });
    expect(b.cookies.whywiki_session).not.toBe(planted.whywiki_session);
    expect((await t.app.inject({ url: '/', cookies: planted })).statusCode).toBe(303);
  });

  it('ends every session of a user who is deactivated, and of one whose password an admin resets', async () => {
    await createUser(t.store, { username: 'leaver', password: 'orbit lantern ferry 11', role: 'editor' }, { actor: 'test' });
    const leaver = new Browser(t.app);
    await leaver.signIn('leaver', 'orbit lantern ferry 11');
    const admin = new Browser(t.app);
    await admin.signIn('admin');
    await admin.get('/admin/users/leaver');
    expect((await admin.post('/admin/users/leaver/deactivate', {})).statusCode).toBe(200);
    expect((await leaver.get('/')).statusCode).toBe(303);
    expect((await admin.post('/admin/users/leaver/reactivate', {})).statusCode).toBe(200);
    await leaver.signIn('leaver', 'orbit lantern ferry 11');
    expect((await leaver.get('/')).statusCode).toBe(200);
    const reset = await admin.post('/admin/users/leaver/password', {});
    const temporary = /<code class="secret">([^<]+)<\/code>/.exec(reset.body)![1]!;
    expect((await leaver.get('/')).statusCode).toBe(303);
    // The temporary password works once, and only to choose a new one.
    const forced = new Browser(t.app);
    await forced.get('/login');
    const signin = await forced.post('/login', { username: 'leaver', password: temporary });
    expect(signin.headers.location).toBe('/account/password');
    expect((await forced.get('/')).headers.location).toBe('/account/password');
    await forced.get('/account/password');
    const weak = await forced.post('/account/password', { current: temporary, password: 'password1234', confirm: 'password1234' });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toMatch(/common passwords/);
    const ok = await forced.post('/account/password', { current: temporary, password: 'a fresh set of words 8', confirm: 'a fresh set of words 8' });
    expect(ok.statusCode).toBe(200);
    expect((await forced.get('/')).statusCode).toBe(200);
    const actions = t.store.db.prepare("SELECT action FROM audit_events WHERE target = 'user:leaver' ORDER BY id").pluck().all();
    expect(actions).toEqual(expect.arrayContaining(['user.deactivated', 'user.reactivated', 'user.password_reset', 'user.password_changed']));
  });

  it('ends the other sessions when a person changes their own password, keeping theirs with a new id', async () => {
    await createUser(t.store, { username: 'twodevices', password: 'two devices passphrase 1', role: 'reader' }, { actor: 'test' });
    const laptop = new Browser(t.app);
    const phone = new Browser(t.app);
    await laptop.signIn('twodevices', 'two devices passphrase 1');
    await phone.signIn('twodevices', 'two devices passphrase 1');
    const before = laptop.cookies.whywiki_session;
    await laptop.get('/account/password');
    const res = await laptop.post('/account/password', { current: 'two devices passphrase 1', password: 'three devices now, 2', confirm: 'three devices now, 2' });
    expect(res.statusCode).toBe(200);
    expect(laptop.cookies.whywiki_session).not.toBe(before);
    expect((await laptop.get('/')).statusCode).toBe(200);
    expect((await phone.get('/')).statusCode).toBe(303);
  });
});

describe('session timeouts', () => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp({ sessionIdleMs: 1500, sessionMaxMs: 3500 }); });
  afterAll(async () => { await t.close(); });

  it('ends a session after the idle timeout, and an active one at the absolute timeout', async () => {
    const idle = new Browser(t.app);
    await idle.signIn('reader');
    await sleep(1800);
    expect((await idle.get('/')).statusCode).toBe(303);

    const busy = new Browser(t.app);
    await busy.signIn('reader');
    for (let i = 0; i < 5; i++) {
      await sleep(500);
      expect((await busy.get('/')).statusCode, `request ${i} while active`).toBe(200);
    }
    await sleep(1200);
    expect((await busy.get('/')).statusCode).toBe(303);
  });
});

describe('cookies over HTTPS', () => {
  it('use the __Host- prefix, Secure, HttpOnly and SameSite=Lax', async () => {
    const t = await testApp({ secureCookies: true, trustedProxies: ['127.0.0.1'] });
    try {
      // Behind a TLS-terminating proxy: the request reached the proxy over HTTPS.
      const res = await t.app.inject({ url: '/login', headers: { 'x-forwarded-proto': 'https' } });
      const cookie = String(res.headers['set-cookie']);
      expect(cookie).toMatch(/^__Host-whywiki=/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/; HttpOnly/);
      expect(cookie).toMatch(/; SameSite=Lax/);
      expect(cookie).toMatch(/; Path=\//);
      expect(cookie).not.toMatch(/Domain=/);
    } finally {
      await t.close();
    }
  });
});

describe('sign-in', () => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp({ signinAttempts: 10, signinAttemptsPerAddress: 30, signinWindowMs: 2500 }); });
  afterAll(async () => { await t.close(); });

  it('answers 20 rapid wrong passwords with 429 and Retry-After; the right password works after the window', async () => {
    const b = new Browser(t.app);
    await b.get('/login');
    const codes: number[] = [];
    let last;
    for (let i = 0; i < 20; i++) {
      last = await b.post('/login', { username: 'editor', password: `wrong guess ${i}` });
      codes.push(last.statusCode);
    }
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10).every((c) => c === 429)).toBe(true);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    expect(last!.body).toMatch(/Too many sign-in attempts/);
    // Even the right password waits out the window: the limit is on the account, not on wrong guesses.
    expect((await b.post('/login', { username: 'editor', password: PASSWORD })).statusCode).toBe(429);
    // Another account is not blocked by this one's limit.
    expect((await b.post('/login', { username: 'reader', password: PASSWORD })).statusCode).toBe(303);
    await sleep(2700);
    const ok = new Browser(t.app);
    await ok.get('/login');
    expect((await ok.post('/login', { username: 'editor', password: PASSWORD })).statusCode).toBe(303);
  });

  it('limits one address trying many accounts', async () => {
    const b = new Browser(t.app);
    await b.get('/login');
    const codes: number[] = [];
    for (let i = 0; i < 35; i++) codes.push((await b.post('/login', { username: `user${i}`, password: 'wrong password here' })).statusCode);
    expect(codes).toContain(429);
    await sleep(2700);
  });

  it('answers an unknown user and a wrong password identically, in words and in time', async () => {
    const b = new Browser(t.app);
    await b.get('/login');
    const time = async (username: string) => {
      const start = process.hrtime.bigint();
      const res = await b.post('/login', { username, password: 'not the password 1' });
      return { ms: Number(process.hrtime.bigint() - start) / 1e6, res };
    };
    const unknown: number[] = [];
    const wrong: number[] = [];
    let bodies: string[] = [];
    for (let i = 0; i < 4; i++) {
      const u = await time(`nobody${i}`);
      const w = await time('auditor');
      unknown.push(u.ms);
      wrong.push(w.ms);
      expect(u.res.statusCode).toBe(w.res.statusCode);
      bodies = [u.res.body.replace(/nobody\d/g, 'X').replace(/value="[^"]{20,}"/g, ''), w.res.body.replace(/auditor/g, 'X').replace(/value="[^"]{20,}"/g, '')];
      expect(bodies[0]).toBe(bodies[1]);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    // Both pay for one scrypt verification (tens of ms); a missing account is not a fast path.
    expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.5);
    expect(median(unknown)).toBeLessThan(median(wrong) * 2);
  });
});

describe('passwords', () => {
  it('accept 12 to 256 characters and refuse common ones', () => {
    expect(passwordProblem('short pass')).toMatch(/12 to 256/);
    expect(passwordProblem('x'.repeat(257))).toMatch(/12 to 256/);
    expect(passwordProblem('correct horse battery staple'.padEnd(128, ' plus more words'))).toBeNull();
    for (const common of ['password1234', 'qwertyuiop123', 'iloveyou1234', '123456789012', 'aaaaaaaaaaaa']) expect(passwordProblem(common), common).toMatch(/common passwords/);
    expect(passwordProblem('jdoe-is-my-password', ['jdoe'])).toMatch(/username/);
    expect(passwordProblem('lantern orbit ferry 31')).toBeNull();
  });
});
