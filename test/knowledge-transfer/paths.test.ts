import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPage, savePage } from '../../server/pages/commands.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { Browser, commandContext, privacyTeam, sampleFrontMatter, testApp, tokenFor, type TestApp } from '../helpers.js';

/** A path over s1, s2, s3 and a restricted page r1, assigned to a new hire (nhire, signing in as "nina"). */
let t: TestApp;
const tokens: Record<string, string> = {};
const api = (who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  t.app.inject({ method, url, payload, headers: { authorization: `Bearer ${tokens[who]}` } });
const audits = () => t.store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM audit_events').pluck().get() as number;
const steps = [{ slug: 's1', note: 'Start here: why ClinDoc flowsheets look the way they do.' }, { slug: 's2' }, { slug: 's3' }, { slug: 'r1', note: 'Privacy only' }];

beforeAll(async () => {
  t = await testApp();
  await privacyTeam(t.store);
  const now = new Date().toISOString();
  t.store.parties.insert({ handle: 'nhire', kind: 'person', name: 'Nina Hire', title: null, email: null, status: 'active', departed_on: null, created_at: now });
  await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'nina', password: 'quiet harbour words 43', role: 'reader', person: 'nhire' });
  await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'maria', password: 'quiet harbour words 44', role: 'editor', person: 'mreyes' });
  for (const who of ['admin', 'editor', 'reader', 'nina', 'maria']) tokens[who] = tokenFor(t.store, who);
  const ctx = commandContext(t.store);
  for (const slug of ['s1', 's2', 's3']) createPage(ctx, { slug, frontMatter: { ...sampleFrontMatter, title: `Step ${slug}` }, body: `${slug} v1` });
  createPage(commandContext(t.store, 'pwong'), { slug: 'r1', frontMatter: { ...sampleFrontMatter, title: 'Restricted step', restricted_to: ['privacy'] }, body: 'r1' });
});
afterAll(async () => { await t.close(); });

describe('reading paths', () => {
  it('refuses a step naming a missing page, naming it', async () => {
    const res = await api('editor', 'POST', '/api/paths', { title: 'New ClinDoc analyst', description: 'First two weeks', steps: [{ slug: 's1' }, { slug: 'no-such-page' }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain('"no-such-page"');
    // A page the author may not see is missing to them, too.
    expect((await api('editor', 'POST', '/api/paths', { title: 'x', steps: [{ slug: 'r1' }] })).json().message).toContain('"r1"');
    const phi = await api('editor', 'POST', '/api/paths', { title: 'x', steps: [{ slug: 's1', note: 'See MRN for SSN 123-45-6789' }] });
    expect(phi.statusCode).toBe(422);
  });

  it('keeps every saved definition as a version, each audited', async () => {
    const before = audits();
    const created = await api('admin', 'POST', '/api/paths', { title: 'New ClinDoc analyst', description: 'First two weeks', steps: steps.slice(0, 2) });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 1, version: 1 });
    const saved = await api('admin', 'PUT', '/api/paths/1', { title: 'New Epic ClinDoc analyst — first two weeks', description: 'For analysts joining ClinDoc', steps });
    expect(saved.statusCode).toBe(200);
    expect(saved.json()).toMatchObject({ version: 2, title: 'New Epic ClinDoc analyst — first two weeks' });
    expect(audits() - before).toBe(2);
    expect(t.store.transfer.pathVersion(1, 1)!.title).toBe('New ClinDoc analyst');
    expect((await api('reader', 'GET', '/api/paths')).json().paths).toEqual([{ id: 1, version: 2, title: 'New Epic ClinDoc analyst — first two weeks', description: 'For analysts joining ClinDoc', steps: 3, assigned: 0 }]);
  });

  it('assigns to active people only', async () => {
    expect((await api('editor', 'POST', '/api/paths/1/assign', { people: ['ghost'] })).statusCode).toBe(400);
    expect((await api('editor', 'POST', '/api/paths/1/assign', { people: ['tbrennan'] })).statusCode).toBe(400);
    expect((await api('editor', 'POST', '/api/paths/9/assign', { people: ['nhire'] })).statusCode).toBe(404);
    const res = await api('editor', 'POST', '/api/paths/1/assign', { people: ['nhire'] });
    expect(res.statusCode).toBe(200);
    expect(res.json().assignees).toMatchObject([{ handle: 'nhire', done: 0, total: 3 }]);
  });

  it('records the version read, hides steps the reader cannot see, and shows what changed since', async () => {
    for (const slug of ['s1', 's2']) {
      const res = await api('nina', 'POST', '/api/paths/1/read', { slug });
      expect(res.json()).toEqual({ slug, version: 1, self_study: false });
    }
    expect((await api('nina', 'POST', '/api/paths/1/read', { slug: 'r1' })).statusCode).toBe(404);
    expect((await api('nina', 'POST', '/api/paths/1/read', { slug: 'vte-panel' })).statusCode).toBe(400);
    let mine = (await api('nina', 'GET', '/api/people/nhire/paths')).json();
    expect(mine.paths).toMatchObject([{ id: 1, done: 2, total: 3, changed_since_read: [] }]);
    expect((await api('admin', 'GET', '/api/people/nhire/paths')).json().paths[0].total).toBe(4);

    savePage(commandContext(t.store), { slug: 's1', frontMatter: { ...sampleFrontMatter, title: 'Step s1' }, body: 's1 v2', summary: 'Flowsheet rows renamed', baseVersion: 1 });
    mine = (await api('nina', 'GET', '/api/people/nhire/paths')).json();
    expect(mine.paths).toMatchObject([{ id: 1, title: 'New Epic ClinDoc analyst — first two weeks', done: 2, total: 3, changed_since_read: ['s1'] }]);

    const nina = new Browser(t.app);
    await nina.signIn('nina', 'quiet harbour words 43');
    const screen = await nina.get('/paths/1');
    expect(screen.statusCode).toBe(200);
    expect(screen.body).toContain('changed since you read it');
    expect(screen.body).toContain('href="/p/s1/diff?from=1&amp;to=2"');
    expect(screen.body).not.toContain('Restricted step');
    const diff = await nina.get('/p/s1/diff?from=1&to=2');
    expect(diff.statusCode).toBe(200);
    expect(diff.body).toContain('<h1>Version 1 → 2</h1>');
    const home = await nina.get('/');
    expect(home.body).toContain('Your reading paths');
    expect(home.body).toContain('2 of 3 read');
    expect(home.body).toContain('1 changed since you read it');

    // Reading it again clears the mark.
    await nina.post('/paths/1/read', { slug: 's1' });
    expect((await api('nina', 'GET', '/api/people/nhire/paths')).json().paths[0].changed_since_read).toEqual([]);
  });

  it('records a step read on a path not assigned to you as self-study', async () => {
    const res = await api('maria', 'POST', '/api/paths/1/read', { slug: 's2' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ slug: 's2', version: 1, self_study: true });
    expect((await api('maria', 'GET', '/api/people/mreyes/paths')).json().paths).toMatchObject([{ id: 1, done: 1, assigned: false }]);
    // An account linked to nobody has nobody to record it for.
    expect((await api('editor', 'POST', '/api/paths/1/read', { slug: 's2' })).statusCode).toBe(400);
  });
});
