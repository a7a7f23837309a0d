import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { Browser, seedPage, testApp, tokenFor, type TestApp } from '../helpers.js';

let t: TestApp;
let auditor: Browser;
let tokens: Record<string, string>;
beforeAll(async () => {
  t = await testApp();
  seedPage(t.store);
  auditor = new Browser(t.app);
  await auditor.signIn('auditor');
  tokens = { auditor: tokenFor(t.store, 'auditor'), reader: tokenFor(t.store, 'reader'), editor: tokenFor(t.store, 'editor') };
});
afterAll(async () => { await t.close(); });

const api = (url: string, who = 'auditor') => t.app.inject({ url, headers: { authorization: `Bearer ${tokens[who]}` } });

describe('audit log screens and API', () => {
  it('lists events for auditors with filters and links to versions', async () => {
    const res = await auditor.get('/audit?action=page.created');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('href="/p/sepsis-screening-bpa/v/1"');
    expect(res.body).not.toContain('<code>signin.succeeded</code>');
    expect(res.body).toContain('href="/audit"');
  });

  it('filters by actor, action, page, system and date range in the API', async () => {
    expect((await api('/api/audit?page=sepsis-screening-bpa')).json().events.map((e: { action: string }) => e.action)).toEqual(['page.created']);
    expect((await api('/api/audit?system=Epic')).json().total).toBe(1);
    expect((await api('/api/audit?actor=auditor&action=signin.succeeded')).json().total).toBeGreaterThanOrEqual(1);
    expect((await api('/api/audit?from=2000-01-01&to=2000-12-31')).json().total).toBe(0);
  });

  it('names the bad filter with 400', async () => {
    for (const [query, field] of [['action=page.eaten', 'action'], ['from=yesterday', 'from'], ['system=Cerner', 'system'], ['from=2025-02-01&to=2025-01-01', 'from'], ['p=0', 'p']]) {
      const res = await api(`/api/audit?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().field, query).toBe(field);
    }
    expect((await auditor.get('/audit?from=nope')).statusCode).toBe(400);
  });

  it('exports the filtered set as CSV and JSON, and audits each export', async () => {
    const before = t.store.audit.count({ action: 'export.made' });
    const csv = await api('/api/audit/export.csv?action=page.created');
    expect(csv.headers['content-type']).toContain('text/csv');
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'page.created', target: 'sepsis-screening-bpa' });
    const json = (await api('/api/audit/export.json?page=sepsis-screening-bpa')).json();
    expect(json.count).toBe(1);
    expect(json.events[0].hash).toMatch(/^[0-9a-f]{64}$/);
    const after = t.store.audit.search({ action: 'export.made' }, 10, 0);
    expect(after.length - before).toBe(2);
    expect(JSON.parse(after[0]!.details)).toMatchObject({ format: 'json', count: 1 });
  });

  it('makes no export and records nothing when a browser merely loads an export URL', async () => {
    const before = t.store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM audit_events').pluck().get();
    // As an image in a page would: the auditor's own cookie, a GET, no token.
    for (const url of ['/api/audit/export.csv', '/api/audit/export.json?action=page.created']) {
      const res = await t.app.inject({ url, cookies: auditor.cookies, headers: { accept: 'image/avif,image/webp,*/*', 'sec-fetch-dest': 'image' } });
      expect(res.statusCode, url).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(res.json().message).toMatch(/button on \/audit/);
      expect(res.body).not.toContain('page.created,');
    }
    expect(t.store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM audit_events').pluck().get()).toBe(before);
  });

  it('exports from the /audit screen with a POST carrying the form token, recorded once under the auditor', async () => {
    const screen = await auditor.get('/audit?action=page.created');
    expect(screen.body).toContain('<form method="post" action="/audit/export.csv"');
    expect(screen.body).toContain('<input type="hidden" name="action" value="page.created">');
    expect(screen.body).not.toContain('href="/api/audit/export');
    const exports = () => t.store.audit.search({ action: 'export.made' }, 100, 0);
    const before = exports().length;
    const csv = await auditor.post('/audit/export.csv', { action: 'page.created' });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-disposition']).toContain('whywiki-audit.csv');
    expect(parse(csv.body, { columns: true })).toHaveLength(1);
    const json = await auditor.post('/audit/export.json', { page: 'sepsis-screening-bpa' });
    expect(json.json().count).toBe(1);
    expect(exports().length - before).toBe(2);
    expect(exports()[0]).toMatchObject({ actor: 'auditor' });
    // Without the token, or from another site, nothing is exported or recorded.
    expect((await auditor.post('/audit/export.csv', { action: 'page.created' }, false)).statusCode).toBe(403);
    const foreign = await t.app.inject({ method: 'POST', url: '/audit/export.csv', cookies: auditor.cookies, headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' }, payload: new URLSearchParams({ _csrf: auditor.csrf }).toString() });
    expect(foreign.statusCode).toBe(403);
    expect(exports().length - before).toBe(2);
    // A bad filter is named, as on the screen.
    const bad = await auditor.post('/audit/export.csv', { from: 'yesterday' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/from must be a date/);
  });

  it('is closed to readers and editors', async () => {
    expect((await api('/api/audit', 'reader')).statusCode).toBe(403);
    expect((await api('/api/audit/export.csv', 'editor')).statusCode).toBe(403);
    const editor = new Browser(t.app);
    await editor.signIn('editor');
    await editor.get('/');
    expect((await editor.post('/audit/export.csv', {})).statusCode).toBe(403);
    const reader = new Browser(t.app);
    await reader.signIn('reader');
    expect((await reader.get('/audit')).statusCode).toBe(403);
    expect((await reader.get('/')).body).not.toContain('href="/audit"');
  });

  it('verifies the record on screen', async () => {
    const res = await auditor.get('/audit/verify');
    expect(res.body).toContain('Intact');
    expect(res.body).toMatch(/Checked 1 pages with 1 versions and \d+ audit events\./);
  });
});
