import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, testApp, type TestApp } from '../helpers.js';

let t: TestApp;
beforeAll(async () => { t = await testApp(); });
afterAll(async () => { await t.close(); });

describe('the integrations screen', () => {
  it('connects a webhook through the form, shows its secret once, and keeps what was typed when refused', async () => {
    const admin = new Browser(t.app);
    await admin.signIn('admin');
    const page = await admin.get('/admin/integrations');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Nothing connected yet.');

    const refused = await admin.post('/admin/integrations', { kind: 'webhook', label: 'Change feed', url: 'ftp://itsm.example.org/in', events: 'page.saved' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Only http:// and https:// addresses can receive events');
    expect(refused.body).toContain('value="ftp://itsm.example.org/in"');
    expect(refused.body).toContain('value="Change feed"');

    const payload = new URLSearchParams([['_csrf', admin.csrf], ['kind', 'webhook'], ['label', 'Change feed'], ['url', 'https://itsm.example.org/in'], ['events', 'page.saved'], ['events', 'page.reviewed']]).toString();
    const made = await t.app.inject({ method: 'POST', url: '/admin/integrations', payload, cookies: admin.cookies, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(made.statusCode).toBe(200);
    const secret = made.body.match(/<code class="secret">([0-9a-f]{64})<\/code>/)?.[1];
    expect(secret).toBeDefined();
    const again = await admin.get('/admin/integrations');
    expect(again.body).toContain('Change feed');
    expect(again.body).toContain('<code>page.reviewed</code>');
    expect(again.body).not.toContain(secret!);

    const id = t.store.integrations.active()[0]!.id;
    const removed = await admin.post(`/admin/integrations/${id}/remove`, {});
    expect(removed.statusCode).toBe(200);
    expect(removed.body).toContain('Disconnected Change feed');
    expect((await admin.post(`/admin/integrations/${id}/remove`, {})).statusCode).toBe(404);
  });

  it('is for admins only', async () => {
    const editor = new Browser(t.app);
    await editor.signIn('editor');
    expect((await editor.get('/admin/integrations')).statusCode).toBe(403);
  });
});
