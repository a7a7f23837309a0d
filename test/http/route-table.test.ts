import { multipartBody } from '../files/fixtures.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, sampleFrontMatter, seedPage, testApp, tokenFor, type TestApp } from '../helpers.js';
import { savePage } from '../../server/pages/commands.js';
import { commandContext } from '../helpers.js';
import { createPage } from '../../server/pages/commands.js';
import { attachFile } from '../../server/files/commands.js';
import { DEFAULT_INSPECT_LIMITS } from '../../server/files/inspect.js';
import { savePath } from '../../server/knowledge-transfer/commands/save-path.js';
import { createUser } from '../../server/auth/commands/create-user.js';

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  seedPage(t.store, 'p', 'one');
  savePage(commandContext(t.store), { slug: 'p', frontMatter: sampleFrontMatter, body: 'two', summary: 'two', baseVersion: 1 });
  savePath(commandContext(t.store), { title: 'First weeks', steps: [{ slug: 'p' }] });
  await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'maria', password: 'quiet harbour words 45', role: 'editor', person: 'mreyes' });
  mariaToken = tokenFor(t.store, 'maria');
  fileSha = (await attachFile({ ...commandContext(t.store), limits: DEFAULT_INSPECT_LIMITS }, { slug: 'p', name: 'notes.txt', bytes: Buffer.from('Interface notes') })).sha256;
});
let fileSha = '';
let mariaToken = '';
const lastComment = () => t.store.unsafeDatabaseForTests().prepare('SELECT max(id) FROM comments').pluck().get() as number;
afterAll(async () => { await t.close(); });

const fill = (url: string) => url.replace(':slug', 'p').replace(':sha256', fileSha).replace(':name', 'notes.txt').replace(':version', '1').replace(':n', '1').replace(':handle', url.includes('/teams') ? 'epic-clindoc' : 'mreyes').replace(':date', '2999-01-01').replace(':id', '1').replace('*', 'swagger-ui.css');

describe('the route table', () => {
  it('gives readers and auditors 403 on every write route, and writes nothing', async () => {
    const writes = t.app.routeTable.filter((r) => r.access === 'write' || r.access === 'admin');
    expect(writes.length).toBeGreaterThanOrEqual(10);
    const before = t.store.unsafeDatabaseForTests().prepare('SELECT (SELECT count(*) FROM page_versions) + (SELECT count(*) FROM pages)').pluck().get();
    for (const role of ['reader', 'auditor']) {
      const token = tokenFor(t.store, role);
      for (const r of writes) {
        const res = await t.app.inject({ method: r.method as 'GET', url: fill(r.url), headers: { authorization: `Bearer ${token}` }, payload: r.method === 'GET' ? undefined : { summary: 'x', version: 1 } });
        expect(res.statusCode, `${role} ${r.method} ${r.url}`).toBe(403);
      }
    }
    expect(t.store.unsafeDatabaseForTests().prepare('SELECT (SELECT count(*) FROM page_versions) + (SELECT count(*) FROM pages)').pluck().get()).toBe(before);
  });

  it('lets auditors read every read and audit route', async () => {
    const token = tokenFor(t.store, 'auditor');
    await t.app.searchIndex.whenReady(); // search answers 503 while its index warms up
    for (const r of t.app.routeTable.filter((x) => x.method === 'GET' && (x.access === 'read' || x.access === 'audit') && !x.url.includes('export'))) {
      const url = r.url === '/as-of-go' ? '/as-of-go?date=2024-01-01' : fill(r.url);
      const res = await t.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode, r.url).toBeLessThan(400);
    }
  });
});

describe('every write path', () => {
  it('creates exactly one audit event', async () => {
    const editor = new Browser(t.app);
    const admin = new Browser(t.app);
    const newbie = new Browser(t.app);
    const auditor = new Browser(t.app);
    const maria = new Browser(t.app);
    const admin2 = new Browser(t.app);
    await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'admin2', password: 'second admin words 12', role: 'admin' });
    const admin2Token = tokenFor(t.store, 'admin2');
    const adminToken = tokenFor(t.store, 'admin');
    const adminApi = (method: 'POST' | 'PATCH' | 'PUT', url: string, payload: object) => t.app.inject({ method, url, payload, headers: { authorization: `Bearer ${adminToken}` } });
    const count = () => t.store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM audit_events').pluck().get() as number;
    const token = tokenFor(t.store, 'editor');
    const api = (method: 'POST' | 'PUT', url: string, payload: object) => t.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
    const form = { ...sampleFrontMatter, owners: 'mreyes', tickets: 'CHG0012345', records: 'BPA 1234567' };
    const steps: [string, () => Promise<{ statusCode: number }>][] = [
      ['sign in', async () => { await editor.get('/login'); return editor.post('/login', { username: 'editor', password: 'a-long-test-password' }); }],
      ['POST /new', async () => { await editor.get('/new'); return editor.post('/new', { ...form, title: 'Form page', slug: 'form-page', body: 'b' }); }],
      ['POST /p/:slug/edit', async () => { await editor.get('/p/form-page/edit'); return editor.post('/p/form-page/edit', { ...form, title: 'Form page', body: 'b2', summary: 's', base_version: '1' }); }],
      ['POST /p/:slug/restore', async () => { await editor.get('/p/form-page/v/1'); return editor.post('/p/form-page/restore', { version: '1', summary: 'back' }); }],
      ['POST /p/:slug/archive', () => editor.post('/p/form-page/archive', { summary: 'gone' })],
      ['POST /p/:slug/unarchive', () => editor.post('/p/form-page/unarchive', { summary: 'back' })],
      ['POST /api/pages', () => api('POST', '/api/pages', { ...sampleFrontMatter, slug: 'api-page', body: 'x' })],
      ['PUT /api/pages/:slug', () => api('PUT', '/api/pages/api-page', { ...sampleFrontMatter, status: 'retired', body: 'y', summary: 's', base_version: 1 })],
      ['POST /api/pages/:slug/restore', () => api('POST', '/api/pages/api-page/restore', { version: 1, summary: 'r' })],
      ['POST /api/pages/:slug/archive', () => api('POST', '/api/pages/api-page/archive', { summary: 'a' })],
      ['POST /api/pages/:slug/unarchive', () => api('POST', '/api/pages/api-page/unarchive', { summary: 'u' })],
      ['POST /p/:slug/review', async () => { await editor.get('/p/form-page'); return editor.post('/p/form-page/review', { note: 'still holds' }); }],
      ['POST /api/pages/:slug/review', () => api('POST', '/api/pages/api-page/review', {})],
      ['POST /p/:slug/status', async () => { await editor.get('/p/form-page/status'); return editor.post('/p/form-page/status', { status: 'retired', reason: 'Replaced by the vendor build' }); }],
      ['POST /api/pages/:slug/status', () => api('POST', '/api/pages/api-page/status', { status: 'in-build', reason: 'Reopened for the upgrade' })],
      ['POST /api/pages/:slug/attachments', () => {
        const body = multipartBody([{ name: 'file', value: Buffer.from('Interface notes'), filename: 'notes.txt', type: 'text/plain' }]);
        return t.app.inject({ method: 'POST', url: '/api/pages/api-page/attachments', headers: { ...body.headers, authorization: `Bearer ${token}` }, payload: body.payload });
      }],
      // Reading paths: composed, versioned, assigned and read (mreyes reads through the "maria" account).
      ['POST /api/paths', () => api('POST', '/api/paths', { title: 'New analyst', steps: [{ slug: 'p', note: 'Start here' }] })],
      ['PUT /api/paths/:id', () => api('PUT', '/api/paths/1', { title: 'First weeks', description: 'For new analysts', steps: [{ slug: 'p' }, { slug: 'api-page' }] })],
      ['POST /api/paths/:id/assign', () => api('POST', '/api/paths/1/assign', { people: ['mreyes'] })],
      ['POST /api/paths/:id/read', () => t.app.inject({ method: 'POST', url: '/api/paths/1/read', payload: { slug: 'p' }, headers: { authorization: `Bearer ${mariaToken}` } })],
      ['POST /paths', async () => { await editor.get('/paths'); return editor.post('/paths', { title: 'Form path', description: '', steps: 'p | first\napi-page' }); }],
      ['POST /paths/:id/assign', async () => { await editor.get('/paths/1'); return editor.post('/paths/1/assign', { people: 'dokafor' }); }],
      ['sign in maria', async () => { await maria.get('/login'); return maria.post('/login', { username: 'maria', password: 'quiet harbour words 45' }); }],
      ['POST /paths/:id/read', async () => { await maria.get('/paths/1'); return maria.post('/paths/1/read', { slug: 'api-page' }); }],
      ['POST /p/:slug/rename', async () => { await editor.get('/p/form-page/rename'); return editor.post('/p/form-page/rename', { slug: 'form-page-moved', summary: 'clearer name' }); }],
      ['POST /api/pages/:slug/rename', () => api('POST', '/api/pages/api-page/rename', { slug: 'api-page-moved', summary: 'clearer name' })],
      // Signatures (re-entering the password), approval requests and the access review's signature.
      ['POST /api/pages/:slug/signatures', () => api('POST', '/api/pages/p/signatures', { version: 2, meaning: 'reviewed', password: 'a-long-test-password' })],
      ['POST /p/:slug/signatures', async () => { await editor.get('/p/p'); return editor.post('/p/p/signatures', { version: '2', meaning: 'verified', password: 'a-long-test-password' }); }],
      ['POST /api/pages/:slug/approval-requests', () => api('POST', '/api/pages/p/approval-requests', {})],
      ['POST /p/:slug/approval-requests', async () => { await editor.get('/p/p'); return editor.post('/p/p/approval-requests', {}); }],
      ['POST /logout', async () => { await editor.get('/'); return editor.post('/logout', {}); }],
      // The directory and reassignment, as an admin.
      ['sign in admin', async () => { await admin.get('/login'); return admin.post('/login', { username: 'admin', password: 'a-long-test-password' }); }],
      ['POST /api/people', () => adminApi('POST', '/api/people', { handle: 'jdoe', name: 'Jane Doe', team: 'epic-clindoc' })],
      ['PATCH /api/people/:handle', () => adminApi('PATCH', '/api/people/jdoe', { title: 'Epic Analyst' })],
      ['POST /people/new', async () => { await admin.get('/people/new'); return admin.post('/people/new', { handle: 'asmith', name: 'Al Smith' }); }],
      ['POST /people/:handle/edit', async () => { await admin.get('/people/asmith/edit'); return admin.post('/people/asmith/edit', { name: 'Al Smith', title: 'Interface Analyst' }); }],
      ['POST /api/teams', () => adminApi('POST', '/api/teams', { handle: 't1', name: 'Team one', members: ['jdoe'] })],
      ['PATCH /api/teams/:handle', () => adminApi('PATCH', '/api/teams/t1', { name: 'Team One' })],
      ['POST /teams/new', async () => { await admin.get('/teams/new'); return admin.post('/teams/new', { handle: 't2', name: 'Team two', members: 'asmith' }); }],
      ['POST /teams/:handle/edit', async () => { await admin.get('/teams/t2/edit'); return admin.post('/teams/t2/edit', { name: 'Team Two', members: 'asmith' }); }],
      ['a page owned by jdoe', async () => { createPage(commandContext(t.store), { slug: 'jdoe-page', frontMatter: { ...sampleFrontMatter, owners: ['jdoe'] }, body: 'b' }); return { statusCode: 201 }; }],
      ['POST /api/people/:handle/depart', () => adminApi('POST', '/api/people/jdoe/depart', { reason: 'Left', successor: 'dokafor' })],
      ['POST /api/reassign', () => adminApi('POST', '/api/reassign', { from: 'jdoe', to: 'dokafor', summary: 'Jane left' })],
      // Handover plans: dokafor now owns jdoe-page; mreyes owns p.
      ['POST /api/people/:handle/handover', () => adminApi('POST', '/api/people/dokafor/handover', { date: '2999-01-01' })],
      ['POST /api/people/:handle/handover/:slug', () => adminApi('POST', '/api/people/dokafor/handover/jdoe-page', { state: 'walked_through', note: 'Shown the build' })],
      ['POST /people/:handle/handover', async () => { await admin.get('/people/mreyes/handover'); return admin.post('/people/mreyes/handover', { date: '2999-01-01', successor: '' }); }],
      ['POST /people/:handle/handover/:slug', async () => { await admin.get('/people/mreyes/handover'); return admin.post('/people/mreyes/handover/p', { state: 'walked_through', note: 'Walked through' }); }],
      ['a page owned by asmith', async () => { createPage(commandContext(t.store), { slug: 'asmith-page', frontMatter: { ...sampleFrontMatter, owners: ['asmith'] }, body: 'b' }); return { statusCode: 201 }; }],
      ['POST /people/:handle/depart', async () => { await admin.get('/people/asmith/depart'); return admin.post('/people/asmith/depart', { date: '2026-01-05', reason: 'Left', successor: 'dokafor' }); }],
      ['POST /people/:handle/reassign', async () => { await admin.get('/people/asmith/reassign'); return admin.post('/people/asmith/reassign', { 'to:asmith-page': 'dokafor', summary: 'Al left' }); }],
      // Accounts, as an admin, and a new user choosing their own password.
      ['POST /admin/users/new', async () => { await admin.get('/admin/users/new'); return admin.post('/admin/users/new', { username: 'newbie', role: 'reader', password: 'first temporary words 41' }); }],
      ['sign in newbie', async () => { await newbie.get('/login'); return newbie.post('/login', { username: 'newbie', password: 'first temporary words 41' }); }],
      ['POST /account/password', async () => { await newbie.get('/account/password'); return newbie.post('/account/password', { current: 'first temporary words 41', password: 'my own quiet harbour 7', confirm: 'my own quiet harbour 7' }); }],
      ['POST /admin/users/:username/role', () => admin.post('/admin/users/newbie/role', { role: 'editor' })],
      ['POST /admin/users/:username/tokens', () => admin.post('/admin/users/newbie/tokens', { label: 'report script' })],
      ['POST /admin/users/:username/tokens/:id/revoke', () => admin.post(`/admin/users/newbie/tokens/${t.store.users.tokens(t.store.users.byName('newbie')!.id)[0]!.id}/revoke`, {})],
      ['POST /admin/users/:username/password', () => admin.post('/admin/users/newbie/password', {})],
      ['POST /admin/users/:username/deactivate', () => admin.post('/admin/users/newbie/deactivate', {})],
      ['POST /admin/users/:username/reactivate', () => admin.post('/admin/users/newbie/reactivate', {})],
      ['POST /admin/phi/rules', async () => { await admin.get('/admin/phi'); return admin.post('/admin/phi/rules', { kind: 'allow', value: '555-010-4357', label: 'Service desk' }); }],
      ['POST /admin/phi/rules/:id/retire', () => admin.post('/admin/phi/rules/1/retire', {})],
      ['POST /api/reports/access/reviews', () => adminApi('POST', '/api/reports/access/reviews', { password: 'a-long-test-password', comment: 'All accounts confirmed' })],
      ['POST /reports/access/review', async () => { const screen = await admin.get('/reports/access'); return admin.post('/reports/access/review', { hash: /name="hash" value="([0-9a-f]{64})"/.exec(screen.body)![1]!, password: 'a-long-test-password' }); }],
      ['POST /admin/templates', async () => { await admin.get('/admin/templates'); return admin.post('/admin/templates', { name: 'Interface (HL7 feed)', system: 'Interfaces', body: '## Messages' }); }],
      ['POST /admin/templates/:id', () => admin.post('/admin/templates/1', { name: 'Interface (HL7 feed)', system: 'Interfaces', body: '## Messages\n\n## Filters' })],
      ['POST /api/templates', () => adminApi('POST', '/api/templates', { name: 'Report or extract', body: '## Who uses it' })],
      ['PUT /api/templates/:id', () => adminApi('PUT', '/api/templates/2', { name: 'Report or extract', body: '## Who uses it\n\n## Delivery' })],
      // Comments: added, resolved and reopened, by form and by API; one event each.
      ['POST /p/:slug/comments', async () => { await admin.get('/p/p'); return admin.post('/p/p/comments', { body: 'Still true?', kind: 'comment' }); }],
      ['POST /p/:slug/comments/:id/resolve', () => admin.post(`/p/p/comments/${lastComment()}/resolve`, {})],
      ['POST /p/:slug/comments/:id/reopen', () => admin.post(`/p/p/comments/${lastComment()}/reopen`, {})],
      ['POST /api/pages/:slug/comments', () => api('POST', '/api/pages/p/comments', { body: 'Wrong since the upgrade', kind: 'wrong' })],
      ['POST /api/comments/:id/resolve', () => api('POST', `/api/comments/${lastComment()}/resolve`, {})],
      ['POST /api/comments/:id/reopen', () => api('POST', `/api/comments/${lastComment()}/reopen`, {})],
      // Webhooks and chat channels, by the API and the admin screen.
      ['POST /api/webhooks', () => adminApi('POST', '/api/webhooks', { url: 'https://hooks.example.org/in', events: ['page.saved'] })],
      ['DELETE /api/webhooks/:id', () => t.app.inject({ method: 'DELETE', url: '/api/webhooks/1', headers: { authorization: `Bearer ${adminToken}` } })],
      ['POST /admin/integrations', async () => { await admin.get('/admin/integrations'); return admin.post('/admin/integrations', { kind: 'slack', url: 'https://hooks.slack.example/services/T0/B0/x', events: 'page.created' }); }],
      ['POST /admin/integrations/:id/remove', () => admin.post('/admin/integrations/2/remove', {})],
      // Audit exports from the screen are recorded (export.made), as every export is.
      ['sign in auditor', async () => { await auditor.get('/login'); return auditor.post('/login', { username: 'auditor', password: 'a-long-test-password' }); }],
      ['POST /audit/export.csv', async () => { await auditor.get('/audit'); return auditor.post('/audit/export.csv', { action: 'page.created' }); }],
      ['POST /audit/export.json', () => auditor.post('/audit/export.json', {})],
      // A purge: requested by one admin, applied by a second with their password (one event each).
      ['POST /api/pages/:slug/versions/:n/purge', () => adminApi('POST', '/api/pages/p/versions/1/purge', { reason: 'Pasted by mistake', text: 'one' })],
      ['POST /api/purges/:id/approve', () => t.app.inject({ method: 'POST', url: '/api/purges/1/approve', payload: { password: 'second admin words 12' }, headers: { authorization: `Bearer ${admin2Token}` } })],
      ['POST /p/:slug/v/:version/purge', async () => { await admin.get('/p/p/v/2/purge'); return admin.post('/p/p/v/2/purge', { reason: 'Pasted by mistake', text: 'two' }); }],
      ['sign in admin2', async () => { await admin2.get('/login'); return admin2.post('/login', { username: 'admin2', password: 'second admin words 12' }); }],
      ['POST /admin/purges/:id/approve', async () => { await admin2.get('/admin/purges'); return admin2.post('/admin/purges/2/approve', { password: 'second admin words 12' }); }],
    ];
    for (const [name, step] of steps) {
      const before = count();
      const res = await step();
      expect(res.statusCode, name).toBeLessThan(400);
      expect(count() - before, name).toBe(1);
    }
    const covered = new Set(steps.map(([n]) => n));
    // Every route that changes something (all but preview and the index rebuild, which change no record,
    // drafts: a person's private scratch, never part of the record, which a save replaces by a version
    // and its event; and the admin import, whose dry run changes nothing and whose run writes a version
    // and an event per page plus an import.made event, checked in test/transfer/admin-import.test.ts).
    // A person's own notification state (read marks, delivery preferences, watches) is theirs like a
    // draft: it changes nothing anyone else reads and no record, so it writes no audit event.
    const personal = /^\/(api\/)?(inbox|notifications|watches)(\/|$)|\/watch$|\/unwatch$/;
    const writeRoutes = t.app.routeTable
      .filter((r) => r.access !== 'public' && r.method !== 'GET' && r.method !== 'HEAD' && !['/api/preview', '/api/search/rebuild', '/admin/phi/try', '/api/pages/:slug/draft', '/admin/import', '/admin/import/run'].includes(r.url) && !personal.test(r.url))
      .map((r) => `${r.method} ${r.url}`);
    expect(writeRoutes.filter((r) => !covered.has(r))).toEqual([]);
  });
});
