import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Browser, csrfFrom, PASSWORD, testApp, type TestApp } from '../helpers.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { passwordProblem } from '../../server/auth/password-policy.js';

/** The app's clock, moved by the test: timeouts and limit windows pass without waiting. */
function testClock() {
  let now = Date.now();
  return { clock: () => new Date(now), advance: (ms: number) => { now += ms; } };
}
const MINUTE = 60_000;

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
    await b.signIn('reader');
    const planted = { ...b.cookies };
    expect(planted.whywiki_session).toBeTruthy();
    await b.post('/logout', {});
    await b.get('/login');
    b.cookies.whywiki_session = planted.whywiki_session!;
    await b.post('/login', { username: 'reader', password: PASSWORD });
    expect(b.cookies.whywiki_session).not.toBe(planted.whywiki_session);
    expect((await t.app.inject({ url: '/', cookies: planted })).statusCode).toBe(303);
  });

  it('stores no session for a visit to the sign-in page, and its form still needs its token', async () => {
    const sessions = () => t.store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM sessions').pluck().get() as number;
    const before = sessions();
    const visitor = new Browser(t.app);
    for (let i = 0; i < 3; i++) expect((await visitor.get('/login')).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/login' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/signed-out' })).statusCode).toBe(200);
    expect(sessions()).toBe(before);
    expect(visitor.cookies.whywiki_session).toBeUndefined();
    // The token is bound to this browser's sign-in cookie: none, or another browser's, is refused.
    expect((await visitor.post('/login', { username: 'reader', password: PASSWORD }, false)).statusCode).toBe(403);
    const other = new Browser(t.app);
    await other.get('/login');
    expect((await visitor.post('/login', { username: 'reader', password: PASSWORD, _csrf: other.csrf }, false)).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/login', payload: new URLSearchParams({ username: 'reader', password: PASSWORD, _csrf: visitor.csrf }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(403);
    expect(sessions()).toBe(before);
    const ok = await visitor.post('/login', { username: 'reader', password: PASSWORD });
    expect(ok.statusCode).toBe(303);
    expect(sessions()).toBe(before + 1);
  });

  it('ends every session of a user who is deactivated, and of one whose password an admin resets', async () => {
    await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'leaver', password: 'orbit lantern ferry 11', role: 'editor' });
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
    const actions = t.store.unsafeDatabaseForTests().prepare("SELECT action FROM audit_events WHERE target = 'user:leaver' ORDER BY id").pluck().all();
    expect(actions).toEqual(expect.arrayContaining(['user.deactivated', 'user.reactivated', 'user.password_reset', 'user.password_changed']));
  });

  it('ends the other sessions when a person changes their own password, keeping theirs with a new id', async () => {
    await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'twodevices', password: 'two devices passphrase 1', role: 'reader' });
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
  const time = testClock();
  let t: TestApp;
  beforeAll(async () => { t = await testApp({ sessionIdleMs: 30 * MINUTE, sessionMaxMs: 120 * MINUTE }, { clock: time.clock }); });
  afterAll(async () => { await t.close(); });

  it('ends a session after the idle timeout', async () => {
    const idle = new Browser(t.app);
    await idle.signIn('reader');
    time.advance(29 * MINUTE);
    expect((await idle.get('/')).statusCode).toBe(200);
    time.advance(31 * MINUTE);
    expect((await idle.get('/')).statusCode).toBe(303);
  });

  it('ends an active session at the absolute timeout', async () => {
    const busy = new Browser(t.app);
    await busy.signIn('reader');
    for (let i = 0; i < 5; i++) {
      time.advance(20 * MINUTE);
      expect((await busy.get('/')).statusCode, `request ${i} while active`).toBe(200);
    }
    time.advance(21 * MINUTE);
    expect((await busy.get('/')).statusCode).toBe(303);
  });
});

describe('cookies over HTTPS', () => {
  it('use the __Host- prefix, Secure, HttpOnly and SameSite=Lax', async () => {
    const t = await testApp({ secureCookies: true, trustedProxies: ['127.0.0.1'] });
    try {
      // Behind a TLS-terminating proxy: the request reached the proxy over HTTPS.
      const https = { 'x-forwarded-proto': 'https' };
      const form = await t.app.inject({ url: '/login', headers: https });
      const signin = String(form.headers['set-cookie']);
      const csrf = csrfFrom(form.body);
      const res = await t.app.inject({
        method: 'POST',
        url: '/login',
        headers: { ...https, 'content-type': 'application/x-www-form-urlencoded' },
        cookies: Object.fromEntries(form.cookies.map((c) => [c.name, c.value])),
        payload: new URLSearchParams({ username: 'reader', password: PASSWORD, _csrf: csrf }).toString(),
      });
      expect(res.statusCode).toBe(303);
      const session = String(res.headers['set-cookie']);
      expect(signin).toMatch(/^__Host-whywiki-signin=/);
      expect(session).toMatch(/^__Host-whywiki=/);
      for (const cookie of [signin, session]) {
        expect(cookie).toMatch(/; Secure/);
        expect(cookie).toMatch(/; HttpOnly/);
        expect(cookie).toMatch(/; SameSite=Lax/);
        expect(cookie).toMatch(/; Path=\//);
        expect(cookie).not.toMatch(/Domain=/);
      }
    } finally {
      await t.close();
    }
  });
});

describe('sign-in', () => {
  const time = testClock();
  let t: TestApp;
  beforeAll(async () => { t = await testApp({ signinAttempts: 10, signinAttemptsPerAddress: 15, signinWindowMs: 15 * MINUTE }, { clock: time.clock }); });
  afterAll(async () => { await t.close(); });
  // Each test starts with fresh limits.
  afterEach(() => time.advance(16 * MINUTE));
  const events = (action: string) =>
    t.store.unsafeDatabaseForTests().prepare('SELECT target, client, details FROM audit_events WHERE action = ? ORDER BY id').all(action) as { target: string; client: string; details: string }[];

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
    expect(last!.body).toContain('value="editor"'); // the form keeps what was typed
    // Even the right password waits out the window: the limit is on the account, not on wrong guesses.
    expect((await b.post('/login', { username: 'editor', password: PASSWORD })).statusCode).toBe(429);
    // Another account is not blocked by this one's limit.
    expect((await b.post('/login', { username: 'reader', password: PASSWORD })).statusCode).toBe(303);
    time.advance(14 * MINUTE);
    expect((await b.post('/login', { username: 'editor', password: PASSWORD })).statusCode).toBe(429);
    time.advance(1 * MINUTE + 1);
    const ok = new Browser(t.app);
    await ok.get('/login');
    expect((await ok.post('/login', { username: 'editor', password: PASSWORD })).statusCode).toBe(303);
  });

  it('counts only failed sign-ins: many good ones and a typo do not lock anyone out', async () => {
    const b = new Browser(t.app);
    for (let i = 0; i < 12; i++) {
      await b.get('/login');
      expect((await b.post('/login', { username: 'admin', password: PASSWORD })).statusCode, `sign-in ${i}`).toBe(303);
      await b.post('/logout', {});
    }
    await b.get('/login');
    expect((await b.post('/login', { username: 'admin', password: 'a typo in it' })).statusCode).toBe(401);
    expect((await b.post('/login', { username: 'admin', password: PASSWORD })).statusCode).toBe(303);
  });

  it('counts guesses still being checked, so a burst of parallel guesses gets no more tries', async () => {
    const b = new Browser(t.app);
    await b.get('/login');
    const codes = (await Promise.all(Array.from({ length: 25 }, (_, i) => b.post('/login', { username: 'auditor', password: `parallel guess ${i}` })))).map((r) => r.statusCode);
    expect(codes.filter((c) => c === 401)).toHaveLength(10);
    expect(codes.filter((c) => c === 429)).toHaveLength(15);
  });

  it('limits one address trying many accounts', async () => {
    const refused0 = events('signin.refused').length;
    const b = new Browser(t.app);
    await b.get('/login');
    const codes: number[] = [];
    for (let i = 0; i < 18; i++) codes.push((await b.post('/login', { username: `user${i}`, password: 'wrong password here' })).statusCode);
    expect(codes.slice(0, 15).every((c) => c === 401)).toBe(true);
    expect(codes.slice(15).every((c) => c === 429)).toBe(true);
    // A right password from that address waits too; after the window the address may try again.
    expect((await b.post('/login', { username: 'reader', password: PASSWORD })).statusCode).toBe(429);
    expect(events('signin.refused').slice(refused0).map((e) => [e.target, JSON.parse(e.details).reason])).toEqual([['user:user15', 'rate limited']]);
    time.advance(15 * MINUTE + 1);
    expect((await b.post('/login', { username: 'reader', password: PASSWORD })).statusCode).toBe(303);
  });

  it('records failed and refused sign-ins with who, from where and why, never the password, and auditors can filter them', async () => {
    await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'gone', password: 'left the building 7', role: 'reader' });
    t.store.users.update({ ...t.store.users.byName('gone')!, active: 0 });
    const [failed0, refused0] = [events('signin.failed').length, events('signin.refused').length];
    const b = new Browser(t.app);
    await b.get('/login');
    await b.post('/login', { username: 'nobody-here', password: 'secret guess number 1' });
    await b.post('/login', { username: 'gone', password: 'left the building 7' });
    for (let i = 0; i < 14; i++) await b.post('/login', { username: 'Editor ', password: `secret guess number ${i}` });
    const failed = events('signin.failed').slice(failed0);
    const refused = events('signin.refused').slice(refused0);
    expect(failed.map((e) => [e.target, JSON.parse(e.details).reason])).toEqual([
      ['user:nobody-here', 'unknown account'],
      ...Array.from({ length: 10 }, () => ['user:editor', 'wrong password']),
    ]);
    // Four refused tries, one record: a flood of refusals does not flood the log.
    expect(refused.map((e) => [e.target, JSON.parse(e.details).reason])).toEqual([['user:gone', 'deactivated'], ['user:editor', 'locked']]);
    expect([...failed, ...refused].every((e) => e.client === '127.0.0.1')).toBe(true);
    const everything = JSON.stringify(t.store.unsafeDatabaseForTests().prepare('SELECT * FROM audit_events').all());
    expect(everything).not.toMatch(/secret guess|left the building/);

    time.advance(16 * MINUTE);
    const auditor = new Browser(t.app);
    await auditor.signIn('auditor');
    const screen = await auditor.get('/audit?action=signin.refused');
    expect(screen.statusCode).toBe(200);
    expect(screen.body).toContain('<option value="signin.refused" selected>');
    expect(screen.body).toContain('user:gone');
    expect(screen.body).toContain('locked');
    expect(screen.body).not.toContain('user:nobody-here');
    const byAccount = await auditor.get('/audit?action=signin.failed&page=user:nobody-here');
    expect(byAccount.body).toContain('unknown account');
    expect(byAccount.body).not.toContain('user:editor');
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
