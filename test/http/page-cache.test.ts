import { afterEach, describe, expect, it } from 'vitest';
import { Browser, csrfFrom, seedPage, testApp, type TestApp } from '../helpers.js';

let t: TestApp;
afterEach(async () => t?.close());

describe('cached page views', () => {
  it('are rendered once per role and personalized per person', async () => {
    t = await testApp();
    seedPage(t.store);
    const reader = new Browser(t.app);
    const editor = new Browser(t.app);
    const admin = new Browser(t.app);
    await reader.signIn('reader');
    await editor.signIn('editor');
    await admin.signIn('admin');
    const r1 = await reader.get('/p/sepsis-screening-bpa');
    const e1 = await editor.get('/p/sepsis-screening-bpa');
    const e2 = await editor.get('/p/sepsis-screening-bpa');
    const a1 = await admin.get('/p/sepsis-screening-bpa');
    expect(r1.body).toContain('Signed in as reader (reader)');
    expect(r1.body).not.toContain('/p/sepsis-screening-bpa/edit"');
    expect(e1.body).toContain('Signed in as editor (editor)');
    expect(e1.body).toContain('/p/sepsis-screening-bpa/edit');
    expect(a1.body).toContain('Signed in as admin (admin)');
    expect(e2.body).toBe(e1.body.replaceAll(csrfFrom(e1.body), csrfFrom(e2.body)));
    expect(csrfFrom(a1.body)).not.toBe(csrfFrom(e1.body));
    expect(e1.body).not.toMatch(/\u0001|\u0000/);
    // The token in a cached page is the person's own: it signs them out.
    const out = await editor.post('/logout', {});
    expect(out.statusCode).toBe(303);
  });

  it('show a save at once', async () => {
    t = await testApp();
    seedPage(t.store);
    const editor = new Browser(t.app);
    await editor.signIn('editor');
    await editor.get('/p/sepsis-screening-bpa');
    await editor.get('/p/sepsis-screening-bpa/edit');
    await editor.post('/p/sepsis-screening-bpa/edit', { title: 'Sepsis screening BPA', why: 'Changed why for the cache test.', owners: 'mreyes', system: 'Epic', status: 'live', body: 'New body', summary: 'Edit', base_version: '1' });
    const after = await editor.get('/p/sepsis-screening-bpa');
    expect(after.body).toContain('Changed why for the cache test.');
  });

  it('never fill the stand-ins into what a page says', async () => {
    t = await testApp();
    // The stand-ins earlier releases used, as page text: shown as written, not as the viewer's token or name.
    seedPage(t.store, 'stand-ins', 'Token: \u0001ww-csrf\u0001 user: \u0001ww-user\u0001 role: \u0001ww-role\u0001 end');
    const editor = new Browser(t.app);
    await editor.signIn('editor');
    const res = await editor.get('/p/stand-ins');
    expect(res.statusCode).toBe(200);
    const csrf = csrfFrom(res.body);
    expect(res.body).toContain('Token: \u0001ww-csrf\u0001 user: \u0001ww-user\u0001 role: \u0001ww-role\u0001 end');
    expect(res.body).not.toContain(`Token: ${csrf}`);
    expect(res.body).not.toContain('user: editor');
  });
});
