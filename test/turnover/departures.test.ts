import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Browser, commandContext, sampleFrontMatter, testApp, tokenFor, type TestApp } from '../helpers.js';
import { createPage } from '../../server/pages/commands.js';
import { verifyStore } from '../../server/audit/verify.js';
import { openStore } from '../../server/setup.js';
import { departPerson } from '../../server/people/commands/depart-person.js';

let t: TestApp;
let admin: Record<string, string>;
const count = (table: string) => t.store.unsafeDatabaseForTests().prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

beforeEach(async () => {
  t = await testApp();
  admin = { authorization: `Bearer ${tokenFor(t.store, 'admin')}` };
  const ctx = commandContext(t.store, 'mreyes');
  const page = (slug: string, owners: string[]) => createPage(ctx, { slug, frontMatter: { ...sampleFrontMatter, title: `Page ${slug}`, owners }, body: `Body of ${slug}` });
  page('alone', ['dokafor']);
  page('with-team', ['dokafor', 'epic-clindoc']);
  page('also-alone', ['dokafor']);
  page('someone-else', ['mreyes']);
});
afterEach(async () => { await t.close(); });

const api = (method: 'GET' | 'POST', url: string, payload?: object) => t.app.inject({ method, url, payload, headers: admin });

describe('a departure', () => {
  it('puts the pages with no active owner on the orphan report, and reassignment clears it with one version and one audit event per page', async () => {
    expect((await api('GET', '/api/reports/orphans')).json()).toMatchObject({ count: 0 });

    const departed = await api('POST', '/api/people/dokafor/depart', { date: '2026-10-30', successor: 'mreyes', reason: 'Left the organisation' });
    expect(departed.statusCode).toBe(200);
    expect(departed.json()).toMatchObject({ handle: 'dokafor', status: 'departed', departed_on: '2026-10-30', successor: 'mreyes', orphaned_pages: ['alone', 'also-alone'] });

    const orphans = (await api('GET', '/api/reports/orphans')).json();
    expect(orphans.pages.map((p: { slug: string }) => p.slug).sort()).toEqual(['alone', 'also-alone']);
    expect(orphans.pages[0]).toMatchObject({ owners: [{ handle: 'dokafor', state: 'departed', successor: 'mreyes' }], successors: [{ from: 'dokafor', to: 'mreyes', to_name: 'Maria Reyes' }] });

    const versions = count('page_versions');
    const events = count('audit_events');
    const moved = await api('POST', '/api/reassign', { from: 'dokafor', to: 'mreyes', summary: 'David left in October' });
    expect(moved.statusCode).toBe(200);
    // Every page David owned directly moves, including the one a team still covered.
    expect(moved.json().moved.map((m: { slug: string }) => m.slug).sort()).toEqual(['alone', 'also-alone', 'with-team']);
    expect(count('page_versions') - versions).toBe(3);
    expect(count('audit_events') - events).toBe(3);
    const newEvents = t.store.unsafeDatabaseForTests().prepare('SELECT action, target, details FROM audit_events ORDER BY id DESC LIMIT 3').all() as { action: string; target: string; details: string }[];
    expect(newEvents.every((e) => e.action === 'page.ownership_moved' && JSON.parse(e.details).from === 'dokafor' && JSON.parse(e.details).to === 'mreyes')).toBe(true);

    const page = (await api('GET', '/api/pages/with-team')).json();
    expect(page).toMatchObject({ owners: ['mreyes', 'epic-clindoc'], version: 2, summary: 'Ownership moved from David Okafor to Maria Reyes: David left in October' });
    expect((await api('GET', '/api/reports/orphans')).json()).toMatchObject({ count: 0 });
    expect(verifyStore(t.store).break).toBeNull();

    // Nobody is deleted: the old version still names David, shown as departed.
    const reader = new Browser(t.app);
    await reader.signIn('reader');
    const old = await reader.get('/p/alone/v/1');
    expect(old.body).toMatch(/David Okafor<\/a>\s*<span class="badge departed">departed<\/span>/);
    const person = await reader.get('/people/dokafor');
    expect(person.body).toContain('Departed on 30 Oct 2026: Left the organisation.');
    expect(person.body).toContain('Successor: <a href="/people/mreyes">Maria Reyes</a>');
  });

  it('runs through the screens: the departure form, the proposed reassignment, and the cleared report', async () => {
    const b = new Browser(t.app);
    await b.signIn('admin');
    await b.get('/people/dokafor/depart');
    const refused = await b.post('/people/dokafor/depart', { date: '2026-02-30', successor: 'tbrennan', reason: '' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('The departure date must be a real date written YYYY-MM-DD.');
    expect(refused.body).toContain('Tom Brennan has departed; choose someone who is still here.');
    expect(refused.body).toContain('Say why');
    expect(t.store.parties.get('dokafor')!.status).toBe('active');

    const done = await b.post('/people/dokafor/depart', { date: '2026-10-30', successor: 'mreyes', reason: 'Moved to another hospital' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/people/dokafor/reassign');
    const screen = await b.get('/people/dokafor/reassign');
    // The successor is proposed for each page.
    expect(screen.body.match(/<option value="mreyes" selected>/g)).toHaveLength(3);
    const orphansBefore = await b.get('/reports/orphans');
    expect(orphansBefore.body).toContain('Page alone');

    const applied = await b.post('/people/dokafor/reassign', { 'to:alone': 'mreyes', 'to:also-alone': 'epic-clindoc', 'to:with-team': '', summary: 'David left' });
    expect(applied.statusCode).toBe(303);
    expect(t.store.pages.head('alone')!.current_version).toBe(2);
    expect(t.store.pages.head('with-team')!.current_version).toBe(1); // left as it was
    const after = await b.get('/reports/orphans');
    expect(after.body).toContain('No orphaned pages');
  });

  it('sees a departure recorded by another process (the CLI) on the next report', async () => {
    expect((await api('GET', '/api/reports/orphans')).json()).toMatchObject({ count: 0 });
    const other = openStore(t.dir);
    departPerson({ store: other, actor: { username: 'cli' } }, { handle: 'dokafor', reason: 'Left', today: '2026-11-01' });
    other.close();
    expect((await api('GET', '/api/reports/orphans')).json()).toMatchObject({ count: 2 });
  });

  it('refuses bad input with clear 4xx answers and changes nothing', async () => {
    const before = [count('page_versions'), count('audit_events')];
    const unknown = await api('POST', '/api/people/nobody/depart', { reason: 'x' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toBe('There is no person "nobody".');
    const team = await api('POST', '/api/people/epic-clindoc/depart', { reason: 'x' });
    expect(team.statusCode).toBe(400);
    expect(team.json().message).toContain('is a team; only people depart');
    const toDeparted = await api('POST', '/api/reassign', { from: 'dokafor', to: 'tbrennan', summary: 'x' });
    expect(toDeparted.statusCode).toBe(400);
    expect(toDeparted.json().message).toContain('Tom Brennan has departed');
    const toUnknown = await api('POST', '/api/reassign', { from: 'dokafor', to: 'ghost', summary: 'x' });
    expect(toUnknown.statusCode).toBe(400);
    expect(toUnknown.json().message).toContain('There is no person or team "ghost"');
    const noReason = await api('POST', '/api/pages/alone/status', { status: 'retired' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().message).toContain('a status change needs a reason');
    const badStep = await api('POST', '/api/pages/alone/status', { status: 'proposed', reason: 'back to the drawing board' });
    expect(badStep.statusCode).toBe(400);
    expect(badStep.json().message).toContain('A live page can become superseded or retired or in-build, not proposed.');
    expect([count('page_versions'), count('audit_events')]).toEqual(before);

    await api('POST', '/api/people/dokafor/depart', { reason: 'Left' });
    const again = await api('POST', '/api/people/dokafor/depart', { reason: 'Left' });
    expect(again.statusCode).toBe(409);
    const dup = await api('POST', '/api/people', { handle: 'mreyes', name: 'Maria Again' });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().message).toContain('already taken');
    const extra = await api('POST', '/api/people', { handle: 'x1', name: 'X', __proto__: { admin: true }, role: 'admin' } as object);
    expect(extra.statusCode).toBe(400);
  });

  it('shows a malformed review interval as a form error listing the accepted forms, keeping the text', async () => {
    const b = new Browser(t.app);
    await b.signIn('editor');
    await b.get('/p/alone/edit');
    const res = await b.post('/p/alone/edit', { ...sampleFrontMatter, title: 'Page alone', owners: 'dokafor', tickets: 'CHG0012345', records: 'BPA 1234567', review_every: 'quarterly', body: 'My careful edit', summary: 'Set a review cycle', base_version: '1' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Review interval is a number followed by d, w, m or y, for example 90d, 6m or 1y.');
    expect(res.body).toContain('value="quarterly"');
    expect(res.body).toContain('My careful edit');
  });
});
