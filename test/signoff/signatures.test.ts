import { afterEach, describe, expect, it } from 'vitest';
import { Browser, PASSWORD, sampleFrontMatter, testApp, tokenFor, privacyTeam, commandContext, type TestApp } from '../helpers.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { createPage } from '../../server/pages/commands.js';
import { verifyStore } from '../../server/audit/verify.js';
import { ConfigError, loadConfig } from '../../server/config.js';

let t: TestApp;
afterEach(async () => { await t?.close(); });

const MARIA = 'quiet harbour words 45';

/** An app with an Epic page written by the editor (through the API) and Maria Reyes (Epic ClinDoc) as an account. */
async function setup(config: Parameters<typeof testApp>[0] = {}, clock?: () => Date) {
  t = await testApp(config, clock ? { clock } : {});
  await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'maria', password: MARIA, role: 'editor', person: 'mreyes' });
  const editor = tokenFor(t.store, 'editor');
  const res = await t.app.inject({ method: 'POST', url: '/api/pages', headers: { authorization: `Bearer ${editor}` }, payload: { ...sampleFrontMatter, status: 'in-build', slug: 'sepsis-bpa', body: 'First text' } });
  expect(res.statusCode).toBe(201);
  return { editor, maria: tokenFor(t.store, 'maria'), admin: tokenFor(t.store, 'admin') };
}

const as = (token: string) => ({ authorization: `Bearer ${token}` });

describe('signatures on versions', () => {
  it('binds a signature to the version hash, shows it on later versions as for that version, and verify catches an edited row', async () => {
    const { maria, editor } = await setup();
    const signed = await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-bpa/signatures', headers: as(maria), payload: { version: 1, meaning: 'approved', password: MARIA, comment: 'Checked against the build' } });
    expect(signed.statusCode, signed.body).toBe(201);
    const v1 = t.store.pages.version(t.store.pages.head('sepsis-bpa')!.id, 1)!;
    expect(signed.json()).toMatchObject({ version: 1, meaning: 'approved', signer: 'maria', name: 'Maria Reyes', version_hash: v1.hash });
    expect(signed.json().text).toMatch(new RegExp(`^Approved by Maria Reyes, \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC — version 1, hash ${v1.hash.slice(0, 4)}…$`));
    // One audit event, carrying the signature's own hash.
    const events = t.store.audit.forTarget('sepsis-bpa').filter((e) => e.action === 'signature.added');
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.details)).toMatchObject({ version: 1, meaning: 'approved', version_hash: v1.hash, hash: signed.json().hash });

    const list = await t.app.inject({ url: '/api/pages/sepsis-bpa/signatures', headers: as(editor) });
    expect(list.json().signatures).toEqual([expect.objectContaining({ version: 1, meaning: 'approved', signer: 'maria', name: 'Maria Reyes', signed_at: expect.any(String), version_hash: v1.hash })]);

    // A later version: the signature stays with version 1 and says so.
    const saved = await t.app.inject({ method: 'PUT', url: '/api/pages/sepsis-bpa', headers: as(editor), payload: { ...sampleFrontMatter, status: 'in-build', body: 'Second text', summary: 'More', base_version: 1 } });
    expect(saved.statusCode, saved.body).toBe(200);
    const reader = new Browser(t.app);
    await reader.signIn('reader');
    const page = await reader.get('/p/sepsis-bpa');
    expect(page.body).toContain('Approved by Maria Reyes');
    expect(page.body).toContain('for version 1, not the current one');
    const history = await reader.get('/p/sepsis-bpa/history');
    expect(history.body).toContain('Approved by Maria Reyes');

    expect(verifyStore(t.store).break).toBeNull();
    expect(verifyStore(t.store).signatures).toBe(1);
    // Someone with write access to the database moves the signature to version 2: verify names it.
    const db = t.store.unsafeDatabaseForTests();
    db.exec('DROP TRIGGER signatures_immutable_update');
    const v2 = t.store.pages.version(t.store.pages.head('sepsis-bpa')!.id, 2)!;
    db.prepare('UPDATE signatures SET version = 2, content_hash = ? WHERE signer = ?').run(v2.hash, 'maria');
    const broken = verifyStore(t.store).break;
    expect(broken).toMatchObject({ table: 'signatures', reason: expect.stringContaining('was edited') });
    // Re-hashing the copied row does not help: the audit event recorded the original hash.
    const { signatureHash } = await import('../../server/signoff/signatures.js');
    const row = t.store.signatures.all()[0]!;
    db.prepare('UPDATE signatures SET hash = ? WHERE id = ?').run(signatureHash(row), row.id);
    expect(verifyStore(t.store).break).toMatchObject({ table: 'signatures', reason: expect.stringContaining('audit event') });
  });

  it('refuses the author of a version an approval of it (separation of duties), but lets them sign it as authored', async () => {
    const { editor } = await setup();
    const own = await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-bpa/signatures', headers: as(editor), payload: { version: 1, meaning: 'approved', password: PASSWORD } });
    expect(own.statusCode).toBe(409);
    expect(own.json().message).toMatch(/You wrote version 1, so you cannot sign it as approved.*separation of duties/);
    const authored = await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-bpa/signatures', headers: as(editor), payload: { version: 1, meaning: 'authored', password: PASSWORD } });
    expect(authored.statusCode).toBe(201);
    // The comment is stored free text: the PHI guard reads it first.
    const phi = await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-bpa/signatures', headers: as(editor), payload: { version: 1, meaning: 'verified', password: PASSWORD, comment: 'Tested on patient SSN 123-45-6789' } });
    expect(phi.statusCode).toBe(422);
    expect(t.store.signatures.all()).toHaveLength(1);
    // A version that does not exist, a page that does not, and a restricted page the signer may not see.
    const missingVersion = await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-bpa/signatures', headers: as(editor), payload: { version: 7, meaning: 'reviewed', password: PASSWORD } });
    expect(missingVersion.statusCode).toBe(409);
    expect(missingVersion.json().message).toContain('Version 7 of "sepsis-bpa" does not exist');
    const missingPage = await t.app.inject({ method: 'POST', url: '/api/pages/no-such-page/signatures', headers: as(editor), payload: { version: 1, meaning: 'reviewed', password: PASSWORD } });
    expect(missingPage.statusCode).toBe(404);
    await privacyTeam(t.store);
    createPage(commandContext(t.store, 'pwong'), { slug: 'private-page', frontMatter: { ...sampleFrontMatter, restricted_to: ['privacy'] }, body: 'x' });
    const hidden = await t.app.inject({ method: 'POST', url: '/api/pages/private-page/signatures', headers: as(editor), payload: { version: 1, meaning: 'reviewed', password: PASSWORD } });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json().message).toBe(missingPage.json().message.replace('no-such-page', 'private-page'));
  });

  it('answers a wrong password with 401 and counts it toward the sign-in limit', async () => {
    const { maria } = await setup({ signinAttempts: 3 });
    for (let i = 0; i < 3; i++) {
      const wrong = await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-bpa/signatures', headers: as(maria), payload: { version: 1, meaning: 'reviewed', password: 'not my password' } });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json().message).toContain('nothing was signed');
    }
    expect(t.store.signatures.all()).toHaveLength(0);
    expect(t.store.audit.all().filter((e) => e.action === 'signin.failed' && e.actor === 'maria')).toHaveLength(3);
    // The account is now locked: the right password is refused for signing and for signing in alike.
    const locked = await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-bpa/signatures', headers: as(maria), payload: { version: 1, meaning: 'reviewed', password: MARIA } });
    expect(locked.statusCode).toBe(429);
    const browser = new Browser(t.app);
    await browser.get('/login');
    expect((await browser.post('/login', { username: 'maria', password: MARIA })).statusCode).toBe(429);
  });

  it('signs from the page form with the password, and hands the comment back on a wrong one', async () => {
    await setup();
    const maria = new Browser(t.app);
    await maria.signIn('maria', MARIA);
    await maria.get('/p/sepsis-bpa');
    const wrong = await maria.post('/p/sepsis-bpa/signatures', { version: '1', meaning: 'reviewed', password: 'wrong words here', comment: 'Read it twice' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Read it twice');
    const ok = await maria.post('/p/sepsis-bpa/signatures', { version: '1', meaning: 'reviewed', password: MARIA, comment: 'Read it twice' });
    expect(ok.statusCode).toBe(303);
    const page = await maria.get('/p/sepsis-bpa');
    expect(page.body).toContain('Reviewed by Maria Reyes');
    expect(page.body).toContain('Read it twice');
  });
});

describe('approval rules', () => {
  it('reads WHYWIKI_APPROVALS as system=count pairs and names what it cannot use', () => {
    expect(loadConfig({ WHYWIKI_DATA: '/tmp/x', WHYWIKI_APPROVALS: 'Epic=1, Workday=2' }).approvals).toEqual({ Epic: 1, Workday: 2 });
    expect(loadConfig({ WHYWIKI_DATA: '/tmp/x' }).approvals).toEqual({});
    expect(() => loadConfig({ WHYWIKI_DATA: '/tmp/x', WHYWIKI_APPROVALS: 'Epic=one' })).toThrow(ConfigError);
    expect(() => loadConfig({ WHYWIKI_DATA: '/tmp/x', WHYWIKI_APPROVALS: 'Cerner=1' })).toThrow(/names "Cerner", which is not one of the systems/);
  });


  it('blocks live until the current version has the approvals its system needs, from the owners\' team, not the author', async () => {
    const { editor, maria } = await setup({ approvals: { Epic: 1 } });
    const blocked = await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-bpa/status', headers: as(editor), payload: { status: 'live', reason: 'Went live' } });
    expect(blocked.statusCode).toBe(409);
    expect(blocked.json().message).toMatch(/Epic needs 1 approved signature on version 1 .*it has 0.*Epic ClinDoc Team or an admin/);
    // Saving the status through the page itself is held to the same rule.
    const viaSave = await t.app.inject({ method: 'PUT', url: '/api/pages/sepsis-bpa', headers: as(editor), payload: { ...sampleFrontMatter, status: 'live', body: 'First text', summary: 'Live', base_version: 1 } });
    expect(viaSave.statusCode).toBe(409);
    // The HTML form says it beside the status field.
    const form = new Browser(t.app);
    await form.signIn('editor');
    await form.get('/p/sepsis-bpa/status');
    const refused = await form.post('/p/sepsis-bpa/status', { status: 'live', reason: 'Went live' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Epic needs 1 approved signature');

    // Asking for approval names who may give it: Maria (Epic ClinDoc) and the admin, not the author.
    const asked = await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-bpa/approval-requests', headers: as(editor), payload: {} });
    expect(asked.statusCode, asked.body).toBe(201);
    expect(asked.json()).toEqual({ slug: 'sepsis-bpa', version: 1, approvers: ['admin', 'maria'] });
    const event = t.store.audit.forTarget('sepsis-bpa').find((e) => e.action === 'approval.requested')!;
    expect(JSON.parse(event.details)).toEqual({ version: 1, approvers: ['admin', 'maria'] });
    const mariaHome = new Browser(t.app);
    await mariaHome.signIn('maria', MARIA);
    expect((await mariaHome.get('/')).body).toMatch(/Awaiting my approval[\s\S]*Sepsis screening BPA/);

    // A reviewed signature is not an approval; Maria's approval is.
    expect((await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-bpa/signatures', headers: as(maria), payload: { version: 1, meaning: 'reviewed', password: MARIA } })).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-bpa/status', headers: as(editor), payload: { status: 'live', reason: 'Went live' } })).statusCode).toBe(409);
    expect((await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-bpa/signatures', headers: as(maria), payload: { version: 1, meaning: 'approved', password: MARIA } })).statusCode).toBe(201);
    expect((await mariaHome.get('/')).body).not.toContain('Awaiting my approval');
    const live = await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-bpa/status', headers: as(editor), payload: { status: 'live', reason: 'Went live' } });
    expect(live.statusCode, live.body).toBe(200);
    expect(t.store.pages.head('sepsis-bpa')!.status).toBe('live');
  });
});

describe('the access review', () => {
  it('lists a dormant account and a departed person\'s active account, as JSON and CSV, and is signed by an admin', async () => {
    let now = new Date();
    await setup({}, () => now);
    await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'tom', password: 'tom quiet harbour 1', role: 'editor', person: 'tbrennan' });
    now = new Date(Date.now() + 120 * 24 * 60 * 60 * 1000);
    const admin = new Browser(t.app);
    await admin.signIn('admin'); // signed in "now": not dormant
    const res = await t.app.inject({ url: '/api/reports/access', headers: as(tokenFor(t.store, 'auditor')) });
    expect(res.statusCode).toBe(200);
    const users = res.json().users as { username: string; dormant: boolean; departed_but_active: boolean; sign_in: string; person: { status: string } | null }[];
    const by = (u: string) => users.find((x) => x.username === u)!;
    expect(by('reader')).toMatchObject({ dormant: true, departed_but_active: false, sign_in: 'password' });
    expect(by('admin')).toMatchObject({ dormant: false });
    expect(by('tom')).toMatchObject({ departed_but_active: true, person: expect.objectContaining({ status: 'departed' }) });

    const csv = await admin.get('/reports/access.csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toContain('username,role,active,person');
    expect(csv.body).toMatch(/\ntom,editor,yes,tbrennan,Tom Brennan,departed,password,.*,yes,/);

    const user = await admin.get('/admin/users/tom');
    expect(user.body).toContain('Tom Brennan has departed');

    const screen = await admin.get('/reports/access');
    expect(screen.statusCode).toBe(200);
    const hash = /name="hash" value="([0-9a-f]{64})"/.exec(screen.body)![1]!;
    const wrong = await admin.post('/reports/access/review', { hash, password: 'not it at all', comment: 'Tom to be deactivated' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('Tom to be deactivated');
    const signed = await admin.post('/reports/access/review', { hash, password: PASSWORD, comment: 'Tom to be deactivated' });
    expect(signed.statusCode).toBe(200);
    expect(signed.body).toMatch(/Reviewed by admin, .* UTC — report hash/);
    const after = (await t.app.inject({ url: '/api/reports/access', headers: as(tokenFor(t.store, 'auditor')) })).json();
    expect(after.reviews).toEqual([expect.objectContaining({ meaning: 'reviewed', signer: 'admin', version_hash: hash, comment: 'Tom to be deactivated' })]);
    expect(verifyStore(t.store).break).toBeNull();
    // A report that changed since it was read is not signed.
    const stale = await admin.post('/reports/access/review', { hash: '0'.repeat(64), password: PASSWORD });
    expect(stale.statusCode).toBe(409);
  });
});
