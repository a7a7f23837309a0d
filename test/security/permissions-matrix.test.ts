import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandContext, sampleFrontMatter, testApp, tokenFor, Browser, type TestApp } from '../helpers.js';
import { privacyTeam } from '../helpers.js';
import { createPage } from '../../server/pages/commands.js';
import type { Access } from '../../server/auth/plugin.js';
import { attachFile } from '../../server/files/commands.js';
import { DEFAULT_INSPECT_LIMITS } from '../../server/files/inspect.js';
import { savePath } from '../../server/knowledge-transfer/commands/save-path.js';
import { connectIntegration } from '../../server/integrations/commands/connect-integration.js';

/**
 * Every route the app registers, with who may call it. A route missing here fails the test, so nobody can
 * add one without deciding its access; a level changed in the code without changing it here fails too.
 * HEAD routes follow their GET.
 */
const MATRIX: Record<string, Access> = {
  'GET /login': 'public', 'POST /login': 'public', 'POST /logout': 'read', 'GET /signed-out': 'public',
  'GET /account/password': 'read', 'POST /account/password': 'read', 'GET /auth/oidc/login': 'public', 'GET /auth/oidc/callback': 'public',
  'GET /': 'read', 'GET /p/:slug': 'read', 'GET /p/:slug/v/:version': 'read', 'GET /new': 'write', 'POST /new': 'write',
  'GET /p/:slug/edit': 'write', 'POST /p/:slug/edit': 'write', 'POST /p/:slug/review': 'read', 'GET /p/:slug/status': 'write', 'POST /p/:slug/status': 'write',
  'GET /people': 'read', 'GET /people/new': 'admin', 'POST /people/new': 'admin', 'GET /people/:handle': 'read',
  'GET /people/:handle/edit': 'admin', 'POST /people/:handle/edit': 'admin', 'GET /people/:handle/depart': 'admin', 'POST /people/:handle/depart': 'admin',
  'GET /people/:handle/reassign': 'admin', 'POST /people/:handle/reassign': 'admin', 'GET /teams/new': 'admin', 'POST /teams/new': 'admin',
  'GET /teams/:handle': 'read', 'GET /teams/:handle/edit': 'admin', 'POST /teams/:handle/edit': 'admin',
  'GET /reports': 'read', 'GET /reports/orphans': 'read', 'GET /reports/stale': 'read', 'GET /reports/health': 'read', 'GET /reports/health.csv': 'read', 'GET /reports/broken-links': 'read',
  'GET /p/:slug/history': 'read', 'GET /p/:slug/diff': 'read', 'GET /p/:slug/blame': 'read',
  'POST /p/:slug/restore': 'write', 'POST /p/:slug/archive': 'write', 'POST /p/:slug/unarchive': 'write',
  'GET /as-of/:date/': 'read', 'GET /as-of-go': 'read', 'GET /as-of/:date': 'read', 'GET /as-of/:date/p/:slug': 'read',
  'GET /admin/users': 'admin', 'GET /admin/users/new': 'admin', 'POST /admin/users/new': 'admin', 'GET /admin/users/:username': 'admin',
  'POST /admin/users/:username/role': 'admin', 'POST /admin/users/:username/deactivate': 'admin', 'POST /admin/users/:username/reactivate': 'admin',
  'POST /admin/users/:username/password': 'admin', 'POST /admin/users/:username/tokens': 'admin', 'POST /admin/users/:username/tokens/:id/revoke': 'admin',
  'GET /admin/phi': 'admin', 'POST /admin/phi/rules': 'admin', 'POST /admin/phi/rules/:id/retire': 'admin', 'POST /admin/phi/try': 'admin',
  'GET /admin/import': 'admin', 'POST /admin/import': 'admin', 'POST /admin/import/run': 'admin',
  'GET /audit': 'audit', 'GET /audit/verify': 'audit', 'GET /api/audit': 'audit', 'GET /api/audit/export.json': 'audit', 'GET /api/audit/export.csv': 'audit',
  'POST /audit/export.csv': 'audit', 'POST /audit/export.json': 'audit',
  'GET /api/reports/phi': 'audit', 'GET /admin/phi/scan': 'audit',
  'GET /api/search': 'read', 'GET /api/search/status': 'read', 'POST /api/search/rebuild': 'admin', 'GET /search': 'read', 'GET /healthz': 'public',
  'GET /api/pages': 'read', 'GET /api/pages/:slug': 'read', 'POST /api/pages': 'write', 'PUT /api/pages/:slug': 'write',
  'GET /api/pages/:slug/versions': 'read', 'GET /api/pages/:slug/versions/:n': 'read', 'GET /api/pages/:slug/diff': 'read', 'GET /api/pages/:slug/blame': 'read',
  'POST /api/pages/:slug/restore': 'write', 'POST /api/pages/:slug/archive': 'write', 'POST /api/pages/:slug/unarchive': 'write', 'POST /api/preview': 'write',
  'GET /api/reports/orphans': 'read', 'GET /api/reports/stale': 'read', 'GET /api/reports/key-person': 'read', 'GET /api/reports/health': 'read', 'GET /api/reports/broken-links': 'read',
  'GET /api/people': 'read', 'POST /api/people': 'admin', 'GET /api/people/:handle': 'read', 'PATCH /api/people/:handle': 'admin', 'POST /api/people/:handle/depart': 'admin',
  'POST /api/people/:handle/handover': 'admin', 'GET /api/people/:handle/handover': 'read', 'POST /api/people/:handle/handover/:slug': 'write',
  'GET /people/:handle/handover': 'read', 'POST /people/:handle/handover': 'admin', 'POST /people/:handle/handover/:slug': 'write',
  'GET /api/paths': 'read', 'POST /api/paths': 'write', 'GET /api/paths/:id': 'read', 'PUT /api/paths/:id': 'write', 'POST /api/paths/:id/assign': 'write',
  'POST /api/paths/:id/read': 'read', 'GET /api/people/:handle/paths': 'read',
  'GET /paths': 'read', 'POST /paths': 'write', 'GET /paths/:id': 'read', 'POST /paths/:id/read': 'read', 'POST /paths/:id/assign': 'write',
  'GET /api/teams': 'read', 'GET /api/teams/:handle': 'read', 'POST /api/teams': 'admin', 'PATCH /api/teams/:handle': 'admin', 'POST /api/reassign': 'admin',
  'POST /api/pages/:slug/review': 'read', 'POST /api/pages/:slug/status': 'write', 'GET /api/pages/:slug/backlinks': 'read',
  'POST /api/pages/:slug/attachments': 'write', 'GET /api/pages/:slug/attachments': 'read', 'GET /p/:slug/files/:sha256/:name': 'read',
  'GET /admin/templates': 'admin', 'POST /admin/templates': 'admin', 'GET /admin/templates/:id': 'admin', 'POST /admin/templates/:id': 'admin',
  'GET /api/templates': 'read', 'POST /api/templates': 'admin', 'PUT /api/templates/:id': 'admin',
  'GET /p/:slug/rename': 'write', 'POST /p/:slug/rename': 'write', 'POST /api/pages/:slug/rename': 'write',
  'GET /api/drafts': 'write', 'GET /api/pages/:slug/draft': 'write', 'PUT /api/pages/:slug/draft': 'write', 'DELETE /api/pages/:slug/draft': 'write',
  'GET /api/pages/:slug/comments': 'read', 'POST /api/pages/:slug/comments': 'read', 'POST /api/comments/:id/resolve': 'read', 'POST /api/comments/:id/reopen': 'read',
  'POST /p/:slug/comments': 'read', 'POST /p/:slug/comments/:id/resolve': 'read', 'POST /p/:slug/comments/:id/reopen': 'read', 'GET /reports/flagged': 'read',
  'GET /api/pages/:slug/signatures': 'read', 'POST /api/pages/:slug/signatures': 'read', 'POST /p/:slug/signatures': 'read',
  'POST /api/pages/:slug/approval-requests': 'write', 'POST /p/:slug/approval-requests': 'write',
  'GET /reports/access': 'audit', 'GET /reports/access.csv': 'audit', 'POST /reports/access/review': 'admin', 'GET /api/reports/access': 'audit', 'POST /api/reports/access/reviews': 'admin',
  'POST /api/pages/:slug/versions/:n/purge': 'admin', 'POST /api/purges/:id/approve': 'admin', 'GET /api/purges': 'admin',
  'GET /p/:slug/v/:version/purge': 'admin', 'POST /p/:slug/v/:version/purge': 'admin', 'GET /admin/purges': 'admin', 'POST /admin/purges/:id/approve': 'admin',
  'GET /inbox': 'read', 'POST /inbox/read': 'read', 'POST /inbox/:id/open': 'read', 'GET /inbox/settings': 'read', 'POST /inbox/settings': 'read',
  'POST /inbox/watches': 'read', 'POST /inbox/watches/:id/remove': 'read', 'POST /p/:slug/watch': 'read', 'POST /p/:slug/unwatch': 'read', 'GET /admin/notifications': 'admin',
  'GET /api/notifications': 'read', 'POST /api/notifications/read': 'read', 'GET /api/notifications/preferences': 'read', 'PUT /api/notifications/preferences': 'read',
  'GET /api/watches': 'read', 'POST /api/watches': 'read', 'DELETE /api/watches/:id': 'read', 'POST /api/pages/:slug/watch': 'read', 'DELETE /api/pages/:slug/watch': 'read',
  'GET /api/openapi.json': 'read', 'GET /api/docs': 'read', 'GET /api/docs/json': 'read', 'GET /api/docs/yaml': 'read',
  'GET /api/docs/static/index.html': 'read', 'GET /api/docs/static/swagger-initializer.js': 'read', 'GET /api/docs/static/*': 'read',
  'GET /admin/integrations': 'admin', 'POST /admin/integrations': 'admin', 'POST /admin/integrations/:id/remove': 'admin',
  'GET /api/webhooks': 'admin', 'POST /api/webhooks': 'admin', 'DELETE /api/webhooks/:id': 'admin', 'GET /api/webhooks/:id/deliveries': 'admin',
  'GET /api/tickets/:id': 'read', 'GET /api/records/:id': 'read',
  'GET /api/feed': 'admin', 'GET /api/standby': 'read',
};

/** Where a route answers differently from its level, and why. */
const EVERYONE = (status: number) => Object.fromEntries((['signed out', 'reader', 'editor', 'auditor', 'admin', 'team member', 'non-member'] as const).map((w) => [w, status]));
const EXCEPTIONS: Record<string, Partial<Record<string, number>>> = {
  // The upload takes a multipart body, checked by the route after the page is found: a hidden page is
  // missing first, with the same 404 a missing page gets.
  'POST /api/pages/:slug/attachments': { 'non-member': 404 },
  // Discarding takes no body: a hidden page's draft is missing (404), as a missing page's is.
  'DELETE /api/pages/:slug/draft': { 'non-member': 404 },
  // Unwatching takes no body: a hidden page is missing (404), as a missing page is.
  'DELETE /api/pages/:slug/watch': { 'non-member': 404 },
  // A watch is its owner's alone and takes no body: nobody here has watch 1, so it is missing to everyone signed in.
  'DELETE /api/watches/:id': { ...EVERYONE(404), 'signed out': 401 },
  // Signing in is CSRF-protected too (login CSRF): the probe carries no token. Token clients need no CSRF
  // token, and meet the form's validation instead.
  'POST /login': { ...EVERYONE(400), 'signed out': 403 },
  // Purging is for admins only and refused by role before any page is looked up: an editor gets the same
  // 403 for a hidden page as for an open or a missing one, so it tells them nothing.
  ...Object.fromEntries(['POST /api/pages/:slug/versions/:n/purge', 'GET /p/:slug/v/:version/purge', 'POST /p/:slug/v/:version/purge'].map((k) => [k, { 'non-member': 403 }])),
  // Signing out when already signed out just goes to the sign-in page.
  'POST /logout': { 'signed out': 303 },
  // Single sign-on routes exist only with WHYWIKI_AUTH=oidc; this app signs in with passwords.
  'GET /auth/oidc/login': EVERYONE(404),
  'GET /auth/oidc/callback': EVERYONE(404),
  // The API reference is pages for people: signed out, they are sent to sign in, like every other screen.
  ...Object.fromEntries(['', '/json', '/yaml', '/static/index.html', '/static/swagger-initializer.js', '/static/*'].map((p) => [`GET /api/docs${p}`, { 'signed out': 303 }])),
};

const ROLES = ['reader', 'editor', 'auditor', 'admin'] as const;
const ALLOWED: Record<Exclude<Access, 'public'>, readonly string[]> = { read: ROLES, write: ['editor', 'admin'], audit: ['auditor', 'admin'], admin: ['admin'] };
type Who = 'signed out' | (typeof ROLES)[number] | 'team member' | 'non-member';

/** The status each caller must get: exact for refusals, "not refused" (any status but 401/403/404) for those allowed. */
function expected(key: string, access: Access, who: Who, restrictedSlug: boolean): number | 'allowed' {
  const [method, url] = key.split(' ') as [string, string];
  const exception = EXCEPTIONS[key]?.[who];
  if (exception !== undefined) return exception;
  // A hidden page answers exactly as a missing one: 404 to a read; a write here carries a field no route
  // accepts, so validation refuses it first (400), as it would for a page that does not exist.
  if (who === 'non-member' && restrictedSlug) return method === 'GET' ? 404 : 400;
  const role = who === 'team member' || who === 'non-member' ? 'editor' : who;
  if (access === 'public') return 'allowed';
  if (role === 'signed out') return url.startsWith('/api/') ? 401 : method === 'GET' ? 303 : 401;
  return ALLOWED[access].includes(role) ? 'allowed' : 403;
}

let t: TestApp;
const tokens: Record<string, string> = {};
const RESTRICTED = 'privacy-only-page';

beforeAll(async () => {
  t = await testApp();
  await privacyTeam(t.store);
  for (const role of ROLES) tokens[role] = tokenFor(t.store, role);
  tokens['team member'] = tokenFor(t.store, 'pat');
  tokens['non-member'] = tokens.editor!;
  createPage(commandContext(t.store), { slug: 'open-page', frontMatter: { ...sampleFrontMatter }, body: 'x' });
  createPage(commandContext(t.store, 'pwong'), { slug: RESTRICTED, frontMatter: { ...sampleFrontMatter, title: 'Privacy only', restricted_to: ['privacy'] }, body: 'x' });
  // One file on each page, so the file route has something to serve to those allowed.
  const ctx = { ...commandContext(t.store), limits: DEFAULT_INSPECT_LIMITS };
  fileSha = (await attachFile(ctx, { slug: 'open-page', name: 'notes.txt', bytes: Buffer.from('Interface notes') })).sha256;
  await attachFile(ctx, { slug: RESTRICTED, name: 'notes.txt', bytes: Buffer.from('Interface notes') });
  // Reading path 1, so its routes have something to show.
  savePath(commandContext(t.store), { title: 'First weeks', steps: [{ slug: 'open-page' }] });
  // A draft for each writer who reads one (a person without a draft of a page gets 404, as for any missing thing), and a template.
  const at = new Date().toISOString();
  for (const username of ['editor', 'admin']) t.store.drafts.put({ username, slug: 'open-page', base_version: 1, fields: '{}', updated_at: at });
  t.store.drafts.put({ username: 'pat', slug: RESTRICTED, base_version: 1, fields: '{}', updated_at: at });
  t.store.templates.insert({ name: 'Interface', description: '', front_matter: '{}', body: '', updated_at: at, updated_by: 'admin' });
  // Webhook 1, for its delivery log and for the admin's DELETE to remove.
  connectIntegration(commandContext(t.store, 'admin'), { url: 'https://hooks.example.org/matrix', events: ['page.saved'] });
  await t.app.searchIndex.whenReady();
});
let fileSha = '';
afterAll(async () => { await t.close(); });

function fill(url: string, slug: string): string {
  return url.replace(':slug', slug).replace(':sha256', fileSha).replace(':name', 'notes.txt').replace(':version', '1').replace(':n', '1').replace(':date', '2999-01-01').replace(':username', 'reader').replace(':id', '1')
    .replace(':handle', url.includes('/teams') ? 'epic-clindoc' : 'mreyes').replace('*', 'swagger-ui.css') + (url === '/as-of-go' ? '?date=2024-01-01' : '');
}

describe('the permissions matrix', () => {
  it('has an entry for every route, and the route table agrees with it', () => {
    const routes = new Map(t.app.routeTable.filter((r) => r.method !== 'HEAD').map((r) => [`${r.method} ${r.url}`, r.access]));
    expect([...routes.keys()].filter((k) => !(k in MATRIX)), 'routes missing from the matrix').toEqual([]);
    expect(Object.keys(MATRIX).filter((k) => !routes.has(k)), 'matrix entries for routes that no longer exist').toEqual([]);
    for (const [k, access] of routes) expect(access, k).toBe(MATRIX[k]);
  });

  const callers: Who[] = ['signed out', ...ROLES, 'team member', 'non-member'];
  it('gives every caller the expected status on every route', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const [key, access] of Object.entries(MATRIX)) {
      const [method, url] = key.split(' ') as [string, string];
      for (const who of callers) {
        const restricted = url.includes(':slug') && (who === 'team member' || who === 'non-member');
        const target = fill(url, restricted ? RESTRICTED : 'open-page');
        const headers: Record<string, string> = who === 'signed out' ? {} : { authorization: `Bearer ${tokens[who]}` };
        // Writes carry a field no route accepts: an allowed caller is stopped by validation, so nothing changes.
        const res = await t.app.inject({ method: method as 'GET', url: target, headers, ...(method === 'GET' ? {} : { payload: { matrix_probe: 1 } }) });
        const want = expected(key, access, who, restricted);
        checked++;
        const ok = want === 'allowed' ? ![401, 403, 404].includes(res.statusCode) && res.statusCode < 500 : res.statusCode === want;
        if (!ok) failures.push(`${who} ${method} ${target}: got ${res.statusCode}, expected ${want}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBe(Object.keys(MATRIX).length * callers.length);
  });

  it('treats signed-in browsers like tokens: the same refusals through a session cookie', async () => {
    const reader = new Browser(t.app);
    await reader.signIn('reader');
    for (const [key, access] of Object.entries(MATRIX).filter(([k, a]) => k.startsWith('GET ') && (a === 'admin' || a === 'write' || a === 'audit'))) {
      const res = await reader.get(fill(key.slice(4), 'open-page'));
      expect(res.statusCode, `${key} (${access})`).toBe(403);
    }
  });
});
