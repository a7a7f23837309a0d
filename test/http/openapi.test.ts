import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { Browser, commandContext, sampleFrontMatter, seedPage, testApp, tokenFor, type TestApp } from '../helpers.js';
import { assignPath } from '../../server/knowledge-transfer/commands/assign-path.js';
import { markStepRead } from '../../server/knowledge-transfer/commands/mark-step-read.js';
import { savePath } from '../../server/knowledge-transfer/commands/save-path.js';
import { openHandover } from '../../server/knowledge-transfer/commands/open-handover.js';
import { addComment } from '../../server/comments/commands/add-comment.js';
import { connectIntegration } from '../../server/integrations/commands/connect-integration.js';
import { markReviewed } from '../../server/pages/commands/mark-reviewed.js';

let t: TestApp;
let auth: Record<string, string>;
let admin: Record<string, string>;
type Operation = { responses: Record<string, { content?: Record<string, { schema?: object }> }>; security?: object[]; tags?: string[] };
let doc: { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };

beforeAll(async () => {
  t = await testApp();
  seedPage(t.store);
  // A reading path (read by mreyes) and a handover plan, so their answers are checked with content.
  const { id } = savePath(commandContext(t.store), { title: 'First weeks', steps: [{ slug: 'sepsis-screening-bpa', note: 'Start here' }] });
  assignPath(commandContext(t.store), { id, people: ['mreyes'] });
  markStepRead(commandContext(t.store, 'mreyes', { actor: { username: 'mreyes', person: 'mreyes' } }), { id, slug: 'sepsis-screening-bpa' });
  openHandover(commandContext(t.store), { handle: 'mreyes', date: '2999-01-01', successor: 'dokafor', today: '2026-01-01' });
  // A thread with a reply, so the comments answer is checked with content.
  const root = addComment(commandContext(t.store), { slug: 'sepsis-screening-bpa', body: 'Still true, @mreyes?', kind: 'wrong' });
  addComment(commandContext(t.store), { slug: 'sepsis-screening-bpa', body: 'Yes', replyTo: root.id });
  // Webhook 1 and a delivery in its log.
  connectIntegration(commandContext(t.store, 'admin'), { url: 'https://hooks.example.org/shape', events: ['page.reviewed'] });
  t.app.integrations.derive();
  markReviewed(commandContext(t.store, 'mreyes'), { slug: 'sepsis-screening-bpa' });
  t.app.integrations.derive();
  auth = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
  admin = { authorization: `Bearer ${tokenFor(t.store, 'admin')}` };
  const res = await t.app.inject({ url: '/api/openapi.json', headers: auth });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => { await t.close(); });

/** The JSON routes fastify registered (the reference pages at /api/docs are not part of the API). */
const apiRoutes = () =>
  t.app.routeTable.filter((r) => r.method !== 'HEAD' && ((r.url.startsWith('/api/') && !/^\/api\/docs(\/|$)/.test(r.url)) || r.url === '/healthz'));
const openapiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

describe('the OpenAPI document', () => {
  it('documents every API route fastify registered, each with a 2xx response schema, and nothing else', () => {
    const missing: string[] = [];
    for (const r of apiRoutes()) {
      const op = doc.paths[openapiPath(r.url)]?.[r.method.toLowerCase()];
      const ok = Object.entries(op?.responses ?? {}).some(([code, res]) => code.startsWith('2') && Object.values(res.content ?? {}).some((c) => c.schema));
      if (!ok) missing.push(`${r.method} ${r.url}`);
    }
    expect(missing).toEqual([]);
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    expect(documented.sort()).toEqual(apiRoutes().map((r) => `${r.method} ${openapiPath(r.url)}`).sort());
    expect(doc.openapi).toMatch(/^3\./);
  });

  it('says how to authenticate each route, and the error shape of its refusals', () => {
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearerToken', 'csrfToken', 'sessionCookie']);
    for (const r of apiRoutes()) {
      const op = doc.paths[openapiPath(r.url)]![r.method.toLowerCase()]!;
      const access = r.access;
      if (access === 'public') {
        expect(op.security, r.url).toEqual([]);
        continue;
      }
      expect(op.security, `${r.method} ${r.url}`).toContainEqual({ bearerToken: [] });
      expect(op.security, `${r.method} ${r.url}`).toContainEqual(r.method === 'GET' ? { sessionCookie: [] } : { sessionCookie: [], csrfToken: [] });
      for (const code of ['401', '403']) {
        const schema = op.responses[code]?.content?.['application/json']?.schema as { properties?: Record<string, unknown>; required?: string[] } | undefined;
        expect(schema?.required, `${code} of ${r.method} ${r.url}`).toEqual(expect.arrayContaining(['statusCode', 'error', 'message']));
      }
    }
  });

  it('needs sign-in, as the rest of the API does; the reference sends a browser to sign in', async () => {
    expect((await t.app.inject({ url: '/api/openapi.json' })).statusCode).toBe(401);
    const docs = await t.app.inject({ url: '/api/docs' });
    expect(docs.statusCode).toBe(303);
    expect(docs.headers.location).toBe('/login?next=%2Fapi%2Fdocs');
    expect((await t.app.inject({ url: '/api/docs/json' })).statusCode).toBe(303);
  });

  it('serves the browsable reference to signed-in users, from the installed Swagger UI', async () => {
    const reader = new Browser(t.app);
    await reader.signIn('reader');
    const page = await reader.get('/api/docs/');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('swagger-ui-bundle.js');
    expect(page.body).not.toMatch(/https?:\/\//);
    const bundle = await reader.get('/api/docs/static/swagger-ui-bundle.js');
    expect(bundle.statusCode).toBe(200);
    expect((await reader.get('/api/docs/json')).json().paths).toEqual(doc.paths);
  });
});

describe('answers match the document', () => {
  /** Checks an answer against the schema the document gives for that route and status. */
  function checker() {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema(doc, 'openapi.json');
    return (method: string, url: string, status: number, body: unknown) => {
      const pointer = `/paths/${openapiPath(url).replace(/~/g, '~0').replace(/\//g, '~1')}/${method.toLowerCase()}/responses/${status}/content/application~1json/schema`;
      const validate = ajv.compile({ $ref: `openapi.json#${pointer}` });
      const ok = validate(body);
      return ok ? [] : [`${method} ${url} ${status}: ${ajv.errorsText(validate.errors)}`];
    };
  }

  it('every GET answer has the shape its schema says', async () => {
    await t.app.searchIndex.whenReady();
    const check = checker();
    const problems: string[] = [];
    // Something in each list: a draft of the page (drafts answer 404 when there is none) and a template.
    expect((await t.app.inject({ method: 'PUT', url: '/api/pages/sepsis-screening-bpa/draft', headers: admin, payload: { base_version: 1, fields: { body: 'draft' } } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/templates', headers: admin, payload: { name: 'Shape', front_matter: { tags: ['shape'] }, body: 'b' } })).statusCode).toBe(201);
    const fill = (url: string) => url.replace(':slug', 'sepsis-screening-bpa').replace(':n', '1').replace(':id', '1').replace(':handle', url.includes('/teams') ? 'epic-clindoc' : 'mreyes');
    for (const r of apiRoutes().filter((x) => x.method === 'GET' && !x.url.endsWith('.csv') && x.url !== '/api/openapi.json')) {
      const res = await t.app.inject({ url: fill(r.url) + (r.url === '/api/search' ? '?q=sepsis' : ''), headers: admin });
      expect(res.statusCode, r.url).toBe(200);
      problems.push(...check('GET', r.url, 200, res.json()));
    }
    // Errors, in the shape every route documents.
    const missing = await t.app.inject({ url: '/api/pages/no-such-page', headers: auth });
    problems.push(...check('GET', '/api/pages/:slug', 404, missing.json()));
    const unsigned = await t.app.inject({ url: '/api/pages' });
    problems.push(...check('GET', '/api/pages', 401, unsigned.json()));
    expect(problems).toEqual([]);
  });

  it('write answers match too: create, save, a conflict, and a refused value', async () => {
    const check = checker();
    const created = await t.app.inject({ method: 'POST', url: '/api/pages', headers: auth, payload: { ...sampleFrontMatter, title: 'Shape check page', body: 'one' } });
    expect(created.statusCode).toBe(201);
    const saved = await t.app.inject({ method: 'PUT', url: '/api/pages/shape-check-page', headers: auth, payload: { ...(created.json() as object), body: 'two', summary: 'two' } });
    expect(saved.statusCode).toBe(200);
    const conflict = await t.app.inject({ method: 'PUT', url: '/api/pages/shape-check-page', headers: auth, payload: { ...(created.json() as object), body: 'three', summary: 'three' } });
    expect(conflict.statusCode).toBe(409);
    const refused = await t.app.inject({ method: 'POST', url: '/api/pages', headers: auth, payload: { ...sampleFrontMatter, title: 'x', body: '' } });
    expect(refused.statusCode).toBe(400);
    const draft = await t.app.inject({ method: 'PUT', url: '/api/pages/new-shapecheck/draft', headers: auth, payload: { fields: { title: 'Draft' } } });
    const phiDraft = await t.app.inject({ method: 'PUT', url: '/api/pages/new-shapecheck/draft', headers: auth, payload: { fields: { body: 'SSN 123-45-6789' } } });
    const discarded = await t.app.inject({ method: 'DELETE', url: '/api/pages/new-shapecheck/draft', headers: auth });
    const renamed = await t.app.inject({ method: 'POST', url: '/api/pages/shape-check-page/rename', headers: auth, payload: { slug: 'shape-checked-page' } });
    expect([draft.statusCode, phiDraft.statusCode, discarded.statusCode, renamed.statusCode]).toEqual([200, 422, 200, 200]);
    expect([
      ...check('PUT', '/api/pages/:slug/draft', 200, draft.json()),
      ...check('PUT', '/api/pages/:slug/draft', 422, phiDraft.json()),
      ...check('DELETE', '/api/pages/:slug/draft', 200, discarded.json()),
      ...check('POST', '/api/pages/:slug/rename', 200, renamed.json()),
      ...check('POST', '/api/pages', 201, created.json()),
      ...check('PUT', '/api/pages/:slug', 200, saved.json()),
      ...check('PUT', '/api/pages/:slug', 409, conflict.json()),
      ...check('POST', '/api/pages', 400, refused.json()),
    ]).toEqual([]);
  });

  it('comment answers match: add, resolve, reopen, and a refused body', async () => {
    const check = checker();
    const added = await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-screening-bpa/comments', headers: auth, payload: { body: 'Shape check' } });
    const resolved = await t.app.inject({ method: 'POST', url: `/api/comments/${added.json().id}/resolve`, headers: auth });
    const reopened = await t.app.inject({ method: 'POST', url: `/api/comments/${added.json().id}/reopen`, headers: auth });
    const empty = await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-screening-bpa/comments', headers: auth, payload: { body: '' } });
    expect([added.statusCode, resolved.statusCode, reopened.statusCode, empty.statusCode]).toEqual([201, 200, 200, 400]);
    expect([
      ...check('POST', '/api/pages/:slug/comments', 201, added.json()),
      ...check('POST', '/api/comments/:id/resolve', 200, resolved.json()),
      ...check('POST', '/api/comments/:id/reopen', 200, reopened.json()),
      ...check('POST', '/api/pages/:slug/comments', 400, empty.json()),
    ]).toEqual([]);
  });
});
