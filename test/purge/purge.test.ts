import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, commandContext, PASSWORD, sampleFrontMatter, tempDir, testApp, testConfig, tokenFor, type TestApp } from '../helpers.js';
import { createPage, savePage } from '../../server/pages/commands.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { verifyStore, describeReport } from '../../server/audit/verify.js';
import { exportStore } from '../../server/transfer/export.js';
import { exportOffline } from '../../server/transfer/offline.js';
import { openDatabase } from '../../server/store/db.js';
import { migrate, readMigrations } from '../../server/store/migrate.js';
import { MIGRATIONS_DIR } from '../../server/paths.js';
import { openStore } from '../../server/setup.js';
import { canonicalJson, chainHash, versionRecord } from '../../server/core/hash.js';
import { approvePurge, requestPurge } from '../../server/purge/commands.js';

const SECRET = 'Jane Roe';
const SECOND = 'second admin words 12';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('purging patient text with two admins', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let admin2: Record<string, string>;
  let reader: Record<string, string>;
  const api = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const search = async (q: string, history = false) => (await api('GET', `/api/search?q=${encodeURIComponent(q)}${history ? '&history=1' : ''}`, reader)).json() as { total: number };

  beforeAll(async () => {
    t = await testApp({}, {});
    await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'admin2', password: SECOND, role: 'admin' });
    admin = { authorization: `Bearer ${tokenFor(t.store, 'admin')}` };
    admin2 = { authorization: `Bearer ${tokenFor(t.store, 'admin2')}` };
    reader = { authorization: `Bearer ${tokenFor(t.store, 'reader')}` };
    createPage(commandContext(t.store), { slug: 'ed-escalation', frontMatter: { ...sampleFrontMatter, title: 'ED escalation' }, body: 'Call the charge nurse.\n', summary: 'Created' });
    // Version 2 carries a patient's name in its body, its summary and its why.
    savePage(commandContext(t.store, 'dokafor'), { slug: 'ed-escalation', frontMatter: { ...sampleFrontMatter, title: 'ED escalation', why: `Escalations stalled when ${SECRET} waited in triage.` }, body: `Call the charge nurse.\n\nExample: ${SECRET} waited four hours.\n`, summary: `Added the ${SECRET} example`, baseVersion: 1 });
    // An editor's unsaved draft of the page holds it too.
    t.store.drafts.put({ username: 'editor', slug: 'ed-escalation', base_version: 2, fields: JSON.stringify({ body: `Draft about ${SECRET}` }), updated_at: new Date().toISOString() });
    // An export made before the purge: a copy that must be named for destruction.
    exportStore(t.store, tempDir(), { actor: 'admin' });
    await t.app.searchIndex.whenReady();
  });
  afterAll(async () => { await t?.close(); });

  it('refuses text that is not in the version with 400, and changes nothing', async () => {
    const res = await api('POST', '/api/pages/ed-escalation/versions/1/purge', admin, { reason: 'Patient name pasted', text: SECRET });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ field: 'text' });
    expect(res.json().message).toMatch(/does not occur in version 1/);
    expect((await api('GET', '/api/purges', admin)).json().purges).toEqual([]);
  });

  it('removes the text everywhere once a second admin approves with their password, and verify still passes', async () => {
    // Before: the text is found, in the current page and in the history.
    expect((await search('Roe')).total).toBeGreaterThan(0);
    expect((await search('Roe', true)).total).toBeGreaterThan(0);
    // Rendered and cached before the purge, so the caches must let it go.
    for (const url of ['/p/ed-escalation', '/p/ed-escalation/v/2']) expect((await api('GET', url, reader)).body, url).toContain(SECRET);
    const eventsBefore = t.store.audit.all().length;

    const requested = await api('POST', '/api/pages/ed-escalation/versions/2/purge', admin, { reason: 'A patient name was pasted from a ticket', text: SECRET });
    expect(requested.statusCode).toBe(202);
    const { id } = requested.json() as { id: number };
    expect(requested.json()).toMatchObject({ id, status: 'awaiting approval', fields: { body: 1, summary: 1, front_matter: 1 } });
    // Nothing changed yet, and neither the list nor the audit log holds the text.
    expect((await api('GET', '/api/pages/ed-escalation', reader)).body).toContain(SECRET);
    const listed = await api('GET', '/api/purges', admin);
    expect(listed.json().purges).toHaveLength(1);
    expect(listed.body).not.toContain(SECRET);

    // The admin who asked cannot approve.
    const self = await api('POST', `/api/purges/${id}/approve`, admin, { password: PASSWORD });
    expect(self.statusCode).toBe(403);
    expect(self.json().message).toMatch(/second admin/);
    // A wrong password is refused as a failed sign-in.
    const wrong = await api('POST', `/api/purges/${id}/approve`, admin2, { password: 'not my password' });
    expect(wrong.statusCode).toBe(401);
    expect(t.store.audit.all().at(-1)).toMatchObject({ action: 'signin.failed', actor: 'admin2' });
    expect((await api('GET', '/api/pages/ed-escalation', reader)).body).toContain(SECRET);
    // The approval screen says the same, keeping the request waiting.
    const browser = new Browser(t.app);
    await browser.signIn('admin2', SECOND);
    expect((await browser.get('/admin/purges')).body).toContain('Approve and remove the text');
    const wrongForm = await browser.post(`/admin/purges/${id}/approve`, { password: 'still not it' });
    expect(wrongForm.statusCode).toBe(401);
    expect(wrongForm.body).toContain('That is not your password');
    expect(t.store.purges.get(id)!.status).toBe('awaiting approval');

    const approved = await api('POST', `/api/purges/${id}/approve`, admin2, { password: SECOND });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ id, status: 'applied', approved_by: 'admin2', requested_by: 'admin' });
    expect(approved.json().copies_to_destroy.exports).toEqual([expect.objectContaining({ what: 'markdown', actor: 'admin' })]);
    expect(JSON.stringify(t.store.audit.all().slice(eventsBefore))).not.toContain(SECRET);
    expect(t.store.purges.get(id)!.pending_text).toBeNull();

    // The record still verifies, and says where text was removed.
    const report = verifyStore(t.store);
    expect(report.break).toBeNull();
    expect(report.purges).toEqual([expect.objectContaining({ slug: 'ed-escalation', version: 2, approved_by: 'admin2', requested_by: 'admin' })]);
    expect(describeReport(report).join('\n')).toMatch(/purged from 1 version/);

    // Gone from the version, the current page, diffs, blame, history and search.
    const v2 = (await api('GET', '/api/pages/ed-escalation/versions/2', reader)).json() as { body: string; summary: string; why: string };
    expect(v2.body).toContain('Example: [removed] waited four hours.');
    expect(v2.summary).toBe('Added the [removed] example');
    for (const url of ['/api/pages/ed-escalation', '/api/pages/ed-escalation/versions', '/api/pages/ed-escalation/diff?from=1&to=2', '/api/pages/ed-escalation/blame', '/p/ed-escalation', '/p/ed-escalation/v/2', '/p/ed-escalation/history', '/p/ed-escalation/diff?from=1&to=2', '/p/ed-escalation/blame']) {
      const res = await api('GET', url, reader);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).not.toContain(SECRET);
    }
    expect((await search('Roe')).total).toBe(0);
    expect((await search('Roe', true)).total).toBe(0);
    expect(t.store.drafts.get('editor', 'ed-escalation')!.fields).not.toContain(SECRET);

    // The page says what happened.
    const page = (await api('GET', '/p/ed-escalation', reader)).body;
    expect(page).toContain('Content removed');
    expect(page).toMatch(/by admin, approved by admin2: <em>A patient name was pasted from a ticket<\/em>/);

    // A fresh export holds only the marker; the search index file no longer holds the text.
    const dir = tempDir();
    exportStore(t.store, dir, { actor: 'admin' });
    const exported = filesUnder(dir).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
    expect(exported).toContain('[removed]');
    expect(exported).not.toContain(SECRET);
    const offline = tempDir();
    exportOffline(t.store, testConfig(t.dir), offline, { actor: 'admin' });
    expect(filesUnder(offline).some((f) => fs.readFileSync(f).includes(SECRET))).toBe(false);
    // Nor does the database file or its log: what SQLite freed was overwritten.
    for (const f of filesUnder(t.dir)) expect(fs.readFileSync(f).includes(SECRET), f).toBe(false);

    // The audit log repeated the summary: its events lost the text too, and still verify.
    const scrubbed = t.store.audit.all().filter((e) => e.target === 'ed-escalation' && e.details.includes('[removed]'));
    expect(scrubbed.map((e) => e.action)).toEqual(['page.saved']);
    expect((await api('GET', '/api/audit?page=ed-escalation', { authorization: `Bearer ${tokenFor(t.store, 'auditor')}` })).body).not.toContain(SECRET);

    // Approving again is refused: it is applied.
    expect((await api('POST', `/api/purges/${id}/approve`, admin2, { password: SECOND })).statusCode).toBe(409);

    // An event whose details were purged is held to the digest the purge recorded.
    t.store.unsafeDatabaseForTests().prepare('UPDATE audit_events SET details = ? WHERE id = ?').run(scrubbed[0]!.details.replace('[removed]', 'someone else'), scrubbed[0]!.id);
    expect(verifyStore(t.store).break).toMatchObject({ table: 'audit_events', id: String(scrubbed[0]!.id) });
  });

  it('counts wrong approval passwords toward the sign-in limit', async () => {
    const limited = await testApp({ signinAttempts: 2 });
    try {
      await createUser({ store: limited.store, actor: { username: 'test' } }, { username: 'admin2', password: SECOND, role: 'admin' });
      createPage(commandContext(limited.store), { slug: 'p', frontMatter: { ...sampleFrontMatter }, body: `Mentions ${SECRET}.`, summary: 'Created' });
      const a1 = { authorization: `Bearer ${tokenFor(limited.store, 'admin')}` };
      const a2 = { authorization: `Bearer ${tokenFor(limited.store, 'admin2')}` };
      const { id } = (await limited.app.inject({ method: 'POST', url: '/api/pages/p/versions/1/purge', headers: a1, payload: { reason: 'Name pasted', text: SECRET } })).json() as { id: number };
      for (let i = 0; i < 2; i++) {
        expect((await limited.app.inject({ method: 'POST', url: `/api/purges/${id}/approve`, headers: a2, payload: { password: 'guess' } })).statusCode).toBe(401);
      }
      const third = await limited.app.inject({ method: 'POST', url: `/api/purges/${id}/approve`, headers: a2, payload: { password: SECOND } });
      expect(third.statusCode).toBe(429);
      // The same limit stops signing in to that account.
      const browser = new Browser(limited.app);
      expect((await browser.signIn('admin2', SECOND)).statusCode).toBe(429);
      expect(limited.store.purges.get(id)!.status).toBe('awaiting approval');
    } finally {
      await limited.close();
    }
  });
});

describe('a store written before versions sealed digests', () => {
  /** Versions hashed as the code before migration 014 hashed them, in a store at schema 8. */
  function oldStore(): string {
    const dir = tempDir();
    const db = openDatabase(dir);
    migrate(db, readMigrations(MIGRATIONS_DIR).filter((m) => m.version <= 8));
    const at = '2024-05-01T10:00:00.000Z';
    db.prepare(`INSERT INTO parties (handle, kind, name, created_at) VALUES ('mreyes', 'person', 'Maria Reyes', ?)`).run(at);
    db.prepare(`INSERT INTO pages (id, slug, current_version, title, system, module, status, created_at, updated_at, updated_by) VALUES (1, 'old-page', 2, 'Old page', 'Epic', NULL, 'live', ?, ?, 'mreyes')`).run(at, at);
    const fm = canonicalJson({ title: 'Old page', why: 'Kept from before.', owners: ['mreyes'], system: 'Epic', status: 'live' });
    let prev: string | null = null;
    let lastEvent: string | null = null;
    for (const [version, body, summary] of [[1, 'First text.', 'Created'], [2, `Second text naming ${SECRET}.`, 'Added an example']] as const) {
      const row = { page_id: 1, version, slug: 'old-page', front_matter: fm, body, summary, author: 'mreyes', created_at: at, prev_hash: prev, archived: 0, files: null };
      const hash = chainHash(prev, versionRecord(row));
      db.prepare('INSERT INTO page_versions (page_id, version, slug, front_matter, body, summary, author, created_at, prev_hash, hash, archived, files) VALUES (@page_id, @version, @slug, @front_matter, @body, @summary, @author, @created_at, @prev_hash, @hash, @archived, @files)').run({ ...row, hash });
      prev = hash;
      const event = { at, actor: 'mreyes', action: version === 1 ? 'page.created' : 'page.saved', target: 'old-page', client: null, details: { version, hash } };
      const eventHash = chainHash(lastEvent, event);
      db.prepare('INSERT INTO audit_events (at, actor, action, target, client, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(at, 'mreyes', event.action, 'old-page', null, canonicalJson(event.details), lastEvent, eventHash);
      lastEvent = eventHash;
    }
    db.close();
    return dir;
  }

  it('migrates, seals the digests of its versions once, keeps every old hash and verifies', () => {
    const dir = oldStore();
    const store = openStore(dir);
    try {
      const rows = store.pages.chain(1);
      expect(rows.map((r) => r.record_form)).toEqual([1, 1]);
      const seals = store.audit.all().filter((e) => e.action === 'store.digests_sealed');
      expect(seals).toHaveLength(1);
      expect(JSON.parse(seals[0]!.details)).toMatchObject({ versions: 2 });
      expect(rows.every((r) => r.sealed_by === seals[0]!.id && r.digests)).toBe(true);
      expect(verifyStore(store).break).toBeNull();
      // A new version is written in the digest form and chains onto the old ones.
      savePage(commandContext(store), { slug: 'old-page', frontMatter: { ...JSON.parse(rows[1]!.front_matter) }, body: 'Third text.', summary: 'Rewritten', baseVersion: 2 });
      expect(store.pages.chain(1).map((r) => r.record_form)).toEqual([1, 1, 2]);
      expect(verifyStore(store).break).toBeNull();
    } finally {
      store.close();
    }
    // Opening it again seals nothing more.
    const again = openStore(dir);
    expect(again.audit.all().filter((e) => e.action === 'store.digests_sealed')).toHaveLength(1);
    again.close();
  });

  it('purges an old version and still verifies it against the sealed digests; a changed digest or purged field breaks it', () => {
    const store = openStore(oldStore());
    try {
      const asker = commandContext(store, 'admin', { actor: { username: 'admin', role: 'admin' } });
      const { id } = requestPurge(asker, { slug: 'old-page', version: 2, reason: 'A patient name', text: SECRET });
      approvePurge(commandContext(store, 'admin2', { actor: { username: 'admin2', role: 'admin' } }), { id });
      const v2 = store.pages.version(1, 2)!;
      expect(v2.body).toBe('Second text naming [removed].');
      const report = verifyStore(store);
      expect(report.break).toBeNull();
      expect(report.purges).toEqual([expect.objectContaining({ slug: 'old-page', version: 2, fields: ['body'] })]);

      // The old hash cannot be recomputed from the purged text: what holds it is the seal. Tampering shows.
      const db = store.unsafeDatabaseForTests();
      db.exec('DROP TRIGGER page_versions_immutable_update');
      db.prepare("UPDATE page_versions SET body = 'Second text naming nobody.' WHERE page_id = 1 AND version = 2").run();
      expect(verifyStore(store).break).toMatchObject({ id: 'old-page v2', reason: 'its body changed after it was purged' });
      db.prepare("UPDATE page_versions SET body = 'Second text naming [removed].' WHERE page_id = 1 AND version = 2").run();
      const digests = JSON.parse(v2.digests!) as Record<string, string>;
      db.prepare('UPDATE page_versions SET digests = ? WHERE page_id = 1 AND version = 1').run(JSON.stringify({ ...digests, summary: '0'.repeat(64) }));
      expect(verifyStore(store).break).toMatchObject({ table: 'page_versions', id: 'old-page v1' });
    } finally {
      store.close();
    }
  });
});
