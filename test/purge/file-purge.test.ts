import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { Browser, commandContext, PASSWORD, sampleFrontMatter, tempDir, testApp, tokenFor, type TestApp } from '../helpers.js';
import { multipartBody, screenshot } from '../files/fixtures.js';
import { closeOcr } from '../../server/files/ocr.js';
import { createPage, savePage } from '../../server/pages/commands.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { describeReport, verifyStore } from '../../server/audit/verify.js';
import { exportStore } from '../../server/transfer/export.js';

const SECOND = 'second admin words 12';
/** A word only the screenshot shows (read by OCR) and a phrase only the text file holds. */
const OCR_WORD = 'Quokkaline';
const NOTE_WORD = 'Wombatrix';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('purging an attachment with two admins', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let admin2: Record<string, string>;
  let reader: Record<string, string>;
  let png: Buffer;
  let image: { sha256: string; url: string };
  let note: { sha256: string; url: string };
  let sharedUrl: string;
  const api = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object) => t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  const search = async (q: string, history = false) => (await api('GET', `/api/search?q=${encodeURIComponent(q)}${history ? '&history=1' : ''}`, reader)).json() as { total: number };
  const upload = async (slug: string, name: string, bytes: Buffer, type: string) => {
    const body = multipartBody([{ name: 'file', value: bytes, filename: name, type }]);
    const res = await t.app.inject({ method: 'POST', url: `/api/pages/${slug}/attachments`, headers: { ...body.headers, ...admin }, payload: body.payload });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { sha256: string; url: string };
  };

  beforeAll(async () => {
    t = await testApp({}, {});
    await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'admin2', password: SECOND, role: 'admin' });
    admin = { authorization: `Bearer ${tokenFor(t.store, 'admin')}` };
    admin2 = { authorization: `Bearer ${tokenFor(t.store, 'admin2')}` };
    reader = { authorization: `Bearer ${tokenFor(t.store, 'reader')}` };
    const ctx = commandContext(t.store);
    createPage(ctx, { slug: 'bed-board', frontMatter: { ...sampleFrontMatter, title: 'Bed board' }, body: 'How the bed board shows transfers.\n', summary: 'Created' });
    createPage(ctx, { slug: 'triage-board', frontMatter: { ...sampleFrontMatter, title: 'Triage board' }, body: 'The triage view.\n', summary: 'Created' });
    png = await screenshot([`${OCR_WORD} overflow unit`, 'Transfer pending'], { width: 640, height: 320 });
    image = await upload('bed-board', 'bed-board.png', png, 'image/png');
    note = await upload('bed-board', 'notes.txt', Buffer.from(`Runbook note: ${NOTE_WORD} escalation path\n`), 'text/plain');
    // The same screenshot added to a second page: stored once, so a purge removes it there as well.
    sharedUrl = (await upload('triage-board', 'triage.png', png, 'image/png')).url;
    savePage(commandContext(t.store), { slug: 'bed-board', frontMatter: { ...sampleFrontMatter, title: 'Bed board' }, body: `How the bed board shows transfers.\n\n![The board](${image.url})\n\n[Notes](${note.url})\n`, summary: 'Added the screenshot', baseVersion: 1 });
    savePage(commandContext(t.store), { slug: 'triage-board', frontMatter: { ...sampleFrontMatter, title: 'Triage board' }, body: `The triage view.\n\n![Triage](${sharedUrl})\n`, summary: 'Added the screenshot', baseVersion: 1 });
    await t.app.searchIndex.rebuild();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await closeOcr();
  });

  it('refuses a file the version does not show, or both text and file, with 400', async () => {
    const notShown = await api('POST', '/api/pages/bed-board/versions/1/purge', admin, { reason: 'A patient is on the screenshot', file: image.sha256 });
    expect(notShown.statusCode).toBe(400);
    expect(notShown.json()).toMatchObject({ field: 'file' });
    expect(notShown.json().message).toMatch(/does not show the file/);
    const unknown = await api('POST', '/api/pages/bed-board/versions/2/purge', admin, { reason: 'A patient is on the screenshot', file: 'a'.repeat(64) });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().message).toMatch(/does not show the file/);
    const both = await api('POST', '/api/pages/bed-board/versions/2/purge', admin, { reason: 'A patient is on the screenshot', file: image.sha256, text: 'bed board' });
    expect(both.statusCode).toBe(400);
    expect(both.json().message).toMatch(/exactly one/);
    const malformed = await api('POST', '/api/pages/bed-board/versions/2/purge', admin, { reason: 'A patient is on the screenshot', file: 'not-a-digest' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ field: 'file' });
    expect((await api('GET', '/api/purges', admin)).json().purges).toEqual([]);
  });

  it('offers the version\'s files on the request form, says a shared file goes everywhere, and keeps the choice on an error', async () => {
    const browser = new Browser(t.app);
    await browser.signIn('admin', PASSWORD);
    const form = (await browser.get('/p/bed-board/v/2/purge')).body;
    expect(form).toContain(`value="${image.sha256}"`);
    expect(form).toContain(`value="${note.sha256}"`);
    expect(form).toContain('Also shown on: triage-board');
    expect(form).toContain('removed from all of them');
    const missingReason = await browser.post('/p/bed-board/v/2/purge', { file: note.sha256, reason: '' });
    expect(missingReason.statusCode).toBe(400);
    expect(missingReason.body).toMatch(new RegExp(`value="${note.sha256}" required checked`));
    expect(missingReason.body).toContain('id="file-reason-error"');
    const requested = await browser.post('/p/bed-board/v/2/purge', { file: note.sha256, reason: 'Request from the form' });
    expect(requested.statusCode).toBe(202);
    expect(requested.body).toContain('before the file (from bed-board) is removed');
    expect(requested.body).toMatch(/the file [0-9a-f]{12}… on bed-board \(removed from every page that shows it\)/);
    // Left waiting: nothing changes until a second admin approves.
    expect((await api('GET', note.url, reader)).statusCode).toBe(200);
  });

  it('removes the bytes everywhere once a second admin approves, and verify still passes and lists it', async () => {
    // Before: served, and found by the text read from it.
    expect((await api('GET', image.url, reader)).rawPayload.equals(png)).toBe(true);
    expect((await search(OCR_WORD)).total).toBeGreaterThan(0);
    expect((await search(NOTE_WORD)).total).toBeGreaterThan(0);

    const requested = await api('POST', '/api/pages/bed-board/versions/2/purge', admin, { reason: 'A patient was visible on the board', file: image.sha256 });
    expect(requested.statusCode, requested.body).toBe(202);
    const { id } = requested.json() as { id: number };
    expect(requested.json()).toMatchObject({ id, status: 'awaiting approval', file: image.sha256, file_pages: ['bed-board', 'triage-board'] });
    expect((await api('GET', image.url, reader)).statusCode).toBe(200);

    // The admin who asked cannot approve.
    const self = await api('POST', `/api/purges/${id}/approve`, admin, { password: PASSWORD });
    expect(self.statusCode).toBe(403);
    expect(self.json().message).toMatch(/second admin/);
    expect((await api('GET', image.url, reader)).statusCode).toBe(200);

    const approved = await api('POST', `/api/purges/${id}/approve`, admin2, { password: SECOND });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({ id, status: 'applied', approved_by: 'admin2', requested_by: 'admin', file: image.sha256 });
    expect(t.store.files.meta(image.sha256)).toMatchObject({ sha256: image.sha256, size: png.length, text: null, has_thumbnail: 0, purged_by: id });

    // The chain still verifies: versions seal the digest, not the bytes; verify names the purged file.
    const report = verifyStore(t.store);
    expect(report.break).toBeNull();
    expect(report.filePurges).toEqual([expect.objectContaining({ sha256: image.sha256, slug: 'bed-board', version: 2, requested_by: 'admin', approved_by: 'admin2', reason: 'A patient was visible on the board' })]);
    expect(describeReport(report).join('\n')).toContain(`${image.sha256} (bed-board v2)`);

    // The file's address says what happened instead of serving it, on both pages, thumbnail or not.
    for (const url of [image.url, `${image.url}?size=thumb`, sharedUrl]) {
      const gone = await api('GET', url, reader);
      expect(gone.statusCode, url).toBe(410);
      expect(gone.rawPayload.includes(png.subarray(100, 164)), url).toBe(false);
      expect(gone.body).toMatch(/removed on \d{4}-\d\d-\d\d by admin, approved by admin2: A patient was visible on the board/);
    }
    // The pages show a placeholder where the image was.
    for (const url of ['/p/bed-board', '/p/bed-board/v/2', '/p/triage-board']) {
      const page = (await api('GET', url, reader)).body;
      expect(page, url).toContain('class="file-removed"');
      expect(page, url).not.toMatch(/<img[^>]+\/files\//);
    }
    expect((await api('GET', '/p/bed-board', reader)).body).toContain('<strong>File removed</strong> from version 2');
    // The other file is untouched.
    expect((await api('GET', note.url, reader)).statusCode).toBe(200);

    // Search no longer finds the text read from it, on either page, current or history.
    expect((await search(OCR_WORD)).total).toBe(0);
    expect((await search(OCR_WORD, true)).total).toBe(0);
    expect((await search(NOTE_WORD)).total).toBeGreaterThan(0);

    // An export skips its bytes and says so.
    const dir = tempDir();
    exportStore(t.store, dir, { actor: 'admin' });
    expect(fs.existsSync(path.join(dir, 'files', image.sha256))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'files', note.sha256))).toBe(true);
    const manifest = YAML.parse(fs.readFileSync(path.join(dir, 'files.yaml'), 'utf8')) as { files: { sha256: string; removed?: string }[] };
    expect(manifest.files.find((f) => f.sha256 === image.sha256)?.removed).toMatch(/removed on .* by admin, approved by admin2/);

    // No file in the data folder holds the bytes any more: what SQLite freed was overwritten.
    const chunk = png.subarray(png.length - 200, png.length - 100);
    for (const f of filesUnder(t.dir)) {
      expect(fs.readFileSync(f).includes(chunk), f).toBe(false);
      // Nor the text read from it: not the files table, not the search index on disk.
      expect(fs.readFileSync(f).includes(OCR_WORD), f).toBe(false);
    }

    // Approving again is refused, and so is a new request for the same file.
    expect((await api('POST', `/api/purges/${id}/approve`, admin2, { password: SECOND })).statusCode).toBe(409);
    expect((await api('POST', '/api/pages/triage-board/versions/2/purge', admin, { reason: 'Again', file: image.sha256 })).statusCode).toBe(409);
  }, 120_000);

  it('still catches altered bytes of any other file, and a file emptied without a purge', async () => {
    const db = t.store.unsafeDatabaseForTests();
    // The trigger refuses both; a hand edit of the file drops it first.
    expect(() => db.prepare("UPDATE files SET bytes = x'00' WHERE sha256 = ?").run(note.sha256)).toThrow(/immutable/);
    db.exec('DROP TRIGGER files_immutable_update');
    db.prepare("UPDATE files SET bytes = x'', text = NULL, purged_by = NULL WHERE sha256 = ?").run(note.sha256);
    expect(verifyStore(t.store).break).toMatchObject({ table: 'files', id: note.sha256 });
    db.prepare('UPDATE files SET bytes = ? WHERE sha256 = ?').run(Buffer.from(`Runbook note: ${NOTE_WORD} escalation path!\n`), note.sha256);
    expect(verifyStore(t.store).break).toMatchObject({ table: 'files', id: note.sha256, reason: expect.stringMatching(/altered/) });
    // A purged file no longer tied to its purge is caught too.
    db.prepare('UPDATE files SET bytes = ? WHERE sha256 = ?').run(Buffer.from(`Runbook note: ${NOTE_WORD} escalation path\n`), note.sha256);
    expect(verifyStore(t.store).break).toBeNull();
    db.prepare('UPDATE files SET purged_by = NULL WHERE sha256 = ?').run(image.sha256);
    expect(verifyStore(t.store).break).toMatchObject({ table: 'files', id: image.sha256 });
  });
});
