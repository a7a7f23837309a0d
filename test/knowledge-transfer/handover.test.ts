import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPage } from '../../server/pages/commands.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { captureChecklist } from '../../server/knowledge-transfer/checklist.js';
import type { FrontMatter } from '../../server/pages/schema.js';
import { commandContext, sampleFrontMatter, testApp, tokenFor, type TestApp } from '../helpers.js';

/**
 * Maria Reyes (mreyes) leaves on 2026-06-15; David Okafor (dokafor) takes over. She answers for:
 *   p1, p2   owned directly
 *   p3       owned by epic-clindoc, of which she is the last active member
 *   p4       owned with dokafor (still hers directly, so in the plan)
 * and not for p5 (dokafor's). The clock starts on 2026-06-01 and moves to the leaving date.
 */
let t: TestApp;
let now = new Date('2026-06-01T09:00:00Z');
const tokens: Record<string, string> = {};
const api = (who: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  t.app.inject({ method, url, payload, headers: { authorization: `Bearer ${tokens[who]}` } });
const audits = () => t.store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM audit_events').pluck().get() as number;
const ownersOf = (slug: string) => t.store.pages.ownersOf(t.store.pages.head(slug)!.id).sort();

beforeAll(async () => {
  t = await testApp({}, { clock: () => now });
  await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'maria', password: 'quiet harbour words 41', role: 'editor', person: 'mreyes' });
  await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'david', password: 'quiet harbour words 42', role: 'editor', person: 'dokafor' });
  for (const who of ['admin', 'editor', 'reader', 'maria', 'david']) tokens[who] = tokenFor(t.store, who);
  const ctx = commandContext(t.store);
  const page = (slug: string, owners: string[]) => createPage(ctx, { slug, frontMatter: { ...sampleFrontMatter, title: `Page ${slug}`, owners }, body: `## Context\n\n${slug}\n` });
  page('p1', ['mreyes']);
  page('p2', ['mreyes']);
  page('p3', ['epic-clindoc']);
  page('p4', ['mreyes', 'dokafor']);
  page('p5', ['dokafor']);
});
afterAll(async () => { await t.close(); });

describe('a handover plan, from opening to the leaving date', () => {
  it('refuses bad input with the status the issue names', async () => {
    expect((await api('admin', 'POST', '/api/people/nobody/handover', { date: '2026-06-15' })).statusCode).toBe(404);
    expect((await api('admin', 'POST', '/api/people/epic-clindoc/handover', { date: '2026-06-15' })).statusCode).toBe(404);
    const departed = await api('admin', 'POST', '/api/people/tbrennan/handover', { date: '2026-06-15' });
    expect(departed.statusCode).toBe(409);
    const past = await api('admin', 'POST', '/api/people/mreyes/handover', { date: '2026-05-31' });
    expect(past.statusCode).toBe(400);
    expect(past.json().message).toMatch(/in the past; record a departure instead/);
    expect((await api('admin', 'POST', '/api/people/mreyes/handover', { date: '2026-06-15', successor: 'tbrennan' })).json().message).toMatch(/has departed/);
    expect((await api('admin', 'POST', '/api/people/mreyes/handover', { date: '2026-06-15', successor: 'ghost' })).statusCode).toBe(400);
    expect((await api('editor', 'POST', '/api/people/mreyes/handover', { date: '2026-06-15' })).statusCode).toBe(403);
    expect(t.store.transfer.latestHandover('mreyes')).toBeUndefined();
  });

  it('lists every page the person answers for, with the proposed successor', async () => {
    const before = audits();
    const res = await api('admin', 'POST', '/api/people/mreyes/handover', { date: '2026-06-15', successor: 'dokafor' });
    expect(res.statusCode).toBe(201);
    expect(audits() - before).toBe(1);
    const plan = res.json();
    expect(plan.date).toBe('2026-06-15');
    expect(plan.pages.map((p: { slug: string }) => p.slug).sort()).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(plan.pages.every((p: { successor: string; state: string }) => p.successor === 'dokafor' && p.state === 'not_started')).toBe(true);
    expect([plan.done, plan.total]).toEqual([0, 4]);
    expect((await api('admin', 'POST', '/api/people/mreyes/handover', { date: '2026-06-20' })).statusCode).toBe(409);
  });

  it('records a walk-through with its note, through the PHI guard', async () => {
    const before = audits();
    const res = await api('maria', 'POST', '/api/people/mreyes/handover/p2', { state: 'walked_through', note: 'Walked David through the BPA build on Tuesday.' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ slug: 'p2', state: 'walked_through', note: 'Walked David through the BPA build on Tuesday.' });
    expect(audits() - before).toBe(1);
    const phi = await api('maria', 'POST', '/api/people/mreyes/handover/p2', { state: 'walked_through', note: 'Showed the chart of SSN 123-45-6789.' });
    expect(phi.statusCode).toBe(422);
    expect((await api('maria', 'POST', '/api/people/mreyes/handover/p2', { state: 'finished' })).statusCode).toBe(400);
    expect((await api('maria', 'POST', '/api/people/mreyes/handover/p5', { state: 'walked_through' })).statusCode).toBe(404);
    expect((await api('maria', 'POST', '/api/people/mreyes/handover/p2', { state: 'walked_through', successor: 'tbrennan' })).statusCode).toBe(400);
  });

  it('lets only the successor accept, and accepting moves the ownership with one version and one audit event', async () => {
    for (const who of ['maria', 'admin', 'editor']) {
      const res = await api(who, 'POST', '/api/people/mreyes/handover/p1', { state: 'accepted' });
      expect(res.statusCode, who).toBe(403);
    }
    expect(ownersOf('p1')).toEqual(['mreyes']);
    for (const slug of ['p1', 'p3']) {
      const version = t.store.pages.head(slug)!.current_version;
      const before = audits();
      const res = await api('david', 'POST', `/api/people/mreyes/handover/${slug}`, { state: 'accepted' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ state: 'accepted', version: version + 1 });
      expect(t.store.pages.head(slug)!.current_version).toBe(version + 1);
      expect(audits() - before).toBe(1);
      const event = t.store.audit.search({ action: 'page.ownership_moved' }, 1, 0)[0]!;
      expect(event.target).toBe(slug);
      expect(JSON.parse(event.details)).toMatchObject({ to: 'dokafor', handover: 'mreyes' });
    }
    expect(ownersOf('p1')).toEqual(['dokafor']);
    expect(ownersOf('p3')).toEqual(['dokafor']);
    expect((await api('david', 'POST', '/api/people/mreyes/handover/p1', { state: 'walked_through' })).statusCode).toBe(409);
    const plan = (await api('reader', 'GET', '/api/people/mreyes/handover')).json();
    expect([plan.done, plan.total]).toEqual([2, 4]);
  });

  it('shows progress on the person page, the team page and the health dashboard', async () => {
    for (const url of ['/people/mreyes', '/teams/epic-clindoc', '/reports/health']) {
      const res = await api('reader', 'GET', url);
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toMatch(/2 of 4/);
    }
  });

  it('on the leaving date marks the person departed: what was not accepted is orphaned, and the plan stays as a record', async () => {
    expect((await api('reader', 'GET', '/api/reports/orphans')).json().pages).toEqual([]);
    now = new Date('2026-06-15T07:00:00Z');
    const orphans = (await api('reader', 'GET', '/api/reports/orphans')).json();
    // p2 was only walked through and p4 still has dokafor: only p2 is left with nobody.
    expect(orphans.pages.map((p: { slug: string }) => p.slug)).toEqual(['p2']);
    const person = t.store.parties.get('mreyes')!;
    expect([person.status, person.departed_on, person.successor]).toEqual(['departed', '2026-06-15', 'dokafor']);
    const plan = (await api('reader', 'GET', '/api/people/mreyes/handover')).json();
    expect(plan).toMatchObject({ date: '2026-06-15', closed: true, done: 2, total: 4 });
    expect(plan.pages.find((p: { slug: string }) => p.slug === 'p2')).toMatchObject({ state: 'walked_through', note: 'Walked David through the BPA build on Tuesday.' });
    expect((await api('david', 'POST', '/api/people/mreyes/handover/p2', { state: 'accepted' })).statusCode).toBe(409);
    expect((await api('admin', 'POST', '/api/people/mreyes/handover', { date: '2026-07-01' })).statusCode).toBe(409);
    expect(t.store.audit.search({ action: 'person.departed' }, 5, 0).filter((e) => e.target === 'person:mreyes')).toHaveLength(1);
  });
});

describe('the capture checklist', () => {
  it('lists exactly the gaps of a fixture page', () => {
    const fm = { ...sampleFrontMatter, tickets: [] } as unknown as FrontMatter;
    const body = '## Context\n\nWhy it was built.\n\n## What was built\n\n## Notes\n\n```\nrule 42\n```\n';
    expect(captureChecklist({ fm, body, lastReviewedAt: '2025-05-01T00:00:00Z' }, new Date('2026-06-01T00:00:00Z'))).toEqual([
      { kind: 'missing_section', message: 'No "Consequences" section.' },
      { kind: 'empty_section', message: 'The "What was built" section is empty.' },
      { kind: 'no_tickets', message: 'No ticket links the page to its change or incident.' },
      { kind: 'no_review', message: 'Not reviewed in a year (last on 2025-05-01).' },
    ]);
    const complete = '## Context\n\nx\n\n## What was built\n\ny\n\n## Consequences\n\nz\n';
    expect(captureChecklist({ fm: { ...sampleFrontMatter } as unknown as FrontMatter, body: complete, lastReviewedAt: '2026-01-01T00:00:00Z' }, new Date('2026-06-01T00:00:00Z'))).toEqual([]);
  });
});
