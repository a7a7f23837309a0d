import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, sampleFrontMatter, seedPage, testApp, tokenFor, type TestApp } from '../helpers.js';

let t: TestApp;
const tokens: Record<string, string> = {};
beforeAll(async () => {
  t = await testApp();
  seedPage(t.store);
  for (const role of ['reader', 'editor', 'auditor', 'admin']) tokens[role] = tokenFor(t.store, role);
});
afterAll(async () => { await t.close(); });

const writes = [
  { method: 'POST' as const, url: '/api/pages', payload: { ...sampleFrontMatter, title: 'Another page', body: 'x' } },
  { method: 'PUT' as const, url: '/api/pages/sepsis-screening-bpa', payload: { ...sampleFrontMatter, body: 'y', summary: 's', base_version: 1 } },
  { method: 'POST' as const, url: '/api/preview', payload: { body: 'x' } },
];

describe('roles', () => {
  for (const role of ['reader', 'auditor']) {
    it(`gives a ${role} 403 on every API write, and changes nothing`, async () => {
      for (const w of writes) {
        const res = await t.app.inject({ method: w.method, url: w.url, payload: w.payload, headers: { authorization: `Bearer ${tokens[role]}` } });
        expect(res.statusCode, `${w.method} ${w.url}`).toBe(403);
        expect(res.json().message).toMatch(new RegExp(`Your role \\(${role}\\)`));
      }
      expect(t.store.pages.count()).toBe(1);
    });

    it(`gives a ${role} 403 on the new-page and edit forms`, async () => {
      const b = new Browser(t.app);
      await b.signIn(role);
      expect((await b.get('/new')).statusCode).toBe(403);
      expect((await b.get('/p/sepsis-screening-bpa/edit')).statusCode).toBe(403);
      const post = await b.post('/new', { ...sampleFrontMatter, owners: 'mreyes', title: 'Sneaky page', tickets: '', records: '' });
      expect(post.statusCode).toBe(403);
      expect(t.store.pages.count()).toBe(1);
    });

    it(`lets a ${role} read`, async () => {
      const res = await t.app.inject({ url: '/api/pages/sepsis-screening-bpa', headers: { authorization: `Bearer ${tokens[role]}` } });
      expect(res.statusCode).toBe(200);
    });
  }

  for (const role of ['editor', 'admin']) {
    it(`lets an ${role} write`, async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/preview', payload: { body: '**b**' }, headers: { authorization: `Bearer ${tokens[role]}` } });
      expect(res.statusCode).toBe(200);
      expect(res.json().html).toBe('<p><strong>b</strong></p>');
    });
  }
});
