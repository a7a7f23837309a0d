import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, testApp, type TestApp } from '../helpers.js';
import { multipartBody } from '../files/fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
});
afterAll(async () => {
  await t.close();
});

async function zipOf(files: Record<string, string>): Promise<Buffer> {
  const zip = new JSZip();
  for (const [name, text] of Object.entries(files)) zip.file(name, text);
  return zip.generateAsync({ type: 'nodebuffer' });
}

function post(browser: Browser, file: { name: string; bytes: Buffer }, fields: Record<string, string>) {
  const body = multipartBody([{ name: '_csrf', value: browser.csrf }, ...Object.entries(fields).map(([name, value]) => ({ name, value })), { name: 'file', value: file.bytes, filename: file.name, type: 'application/zip' }]);
  return t.app.inject({ method: 'POST', url: '/admin/import', headers: body.headers, payload: body.payload, cookies: browser.cookies });
}

describe('/admin/import', () => {
  it('shows a dry run of an uploaded zip with every file, writes nothing, then imports on confirmation', async () => {
    const admin = new Browser(t.app);
    await admin.signIn('admin');
    const form = await admin.get('/admin/import');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Check (dry run)');
    const bytes = await zipOf({
      'adr/0001-pending-choice.md': '# Pending choice\n\n* Status: Pending\n* Deciders: Maria Reyes\n\n## Context and Problem Statement\n\nWhy.\n',
      'adr/0002-bad.md': '---\ntitle: Bad\nsystem: Cerner\n---\nx\n',
      'adr/README.md': '# Records\n',
    });
    const pagesBefore = t.store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM pages').pluck().get();
    const dry = await post(admin, { name: 'records.zip', bytes }, { system: 'Interfaces', owners: 'mreyes', why: 'Imported', status_map: '' });
    expect(dry.statusCode, dry.body).toBe(200);
    expect(dry.body).toContain('Import: dry run');
    expect(dry.body).toMatch(/would create 1, update 0, leave 0 unchanged; 1 failed, 1 skipped/);
    expect(dry.body).toContain('0001-pending-choice.md');
    expect(dry.body).toContain('the status &quot;Pending&quot; is not one Whywiki knows');
    expect(dry.body).toContain('README.md');
    expect(dry.body).toContain('System must be one of');
    expect(t.store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM pages').pluck().get()).toBe(pagesBefore);
    expect(t.store.pages.head('0001-pending-choice')).toBeUndefined();

    const token = /name="upload" value="([^"]+)"/.exec(dry.body)![1]!;
    admin.csrf = /name="_csrf" value="([^"]+)"/.exec(dry.body)![1]!;
    const done = await admin.post('/admin/import/run', { upload: token });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.body).toMatch(/created 1, updated 0, 0 unchanged; 1 failed, 1 skipped/);
    expect(t.store.pages.head('0001-pending-choice')).toMatchObject({ status: 'proposed' });
    // The import is recorded as one event, besides each page's own.
    expect(t.store.audit.search({ action: 'import.made' }, 10, 0)).toHaveLength(1);
    // A dry run is confirmed once.
    expect((await admin.post('/admin/import/run', { upload: token })).statusCode).toBe(410);
  }, 60_000);

  it('refuses what is not a zip and a zip that names paths outside itself, with a 4xx and the form; only admins see it', async () => {
    const admin = new Browser(t.app);
    await admin.signIn('admin');
    await admin.get('/admin/import');
    const notZip = await post(admin, { name: 'notes.zip', bytes: Buffer.from('plain text') }, {});
    expect(notZip.statusCode).toBe(400);
    expect(notZip.body).toContain('The upload is not a zip file');
    await admin.get('/admin/import');
    const evil = new JSZip();
    evil.file('../../escape.md', '# Escape\n');
    const escaped = await post(admin, { name: 'evil.zip', bytes: await evil.generateAsync({ type: 'nodebuffer' }) }, {});
    expect(escaped.statusCode).toBe(400);
    expect(escaped.body).toContain('names a path outside itself');
    const editor = new Browser(t.app);
    await editor.signIn('editor');
    expect((await editor.get('/admin/import')).statusCode).toBe(403);
  }, 60_000);
});
