import { afterEach, describe, expect, it } from 'vitest';
import { addInterval, reviewState } from '../../server/pages/review.js';
import { Browser, commandContext, sampleFrontMatter, testApp, tokenFor, PASSWORD, type TestApp } from '../helpers.js';
import { createPage } from '../../server/pages/commands.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { loadConfig } from '../../server/config.js';

const defaults = { Epic: '1y', Workday: '6m' };
const page = (over: Partial<{ review_every: string; status: string; system: string }>, createdAt: string, lastReviewedAt: string | null = null) => ({
  frontMatter: { system: 'Epic', status: 'live', ...over } as { system: string; status: 'live'; review_every?: string },
  createdAt,
  lastReviewedAt,
});

describe('review due dates', () => {
  it('adds intervals on the UTC calendar, clamping to the end of short months', () => {
    expect(addInterval('2026-01-31T00:00:00.000Z', '1m')).toBe('2026-02-28T00:00:00.000Z');
    expect(addInterval('2024-02-29T12:00:00.000Z', '1y')).toBe('2025-02-28T12:00:00.000Z');
    expect(addInterval('2026-03-01T00:00:00.000Z', '90d')).toBe('2026-05-30T00:00:00.000Z');
    expect(addInterval('2026-03-01T00:00:00.000Z', '2w')).toBe('2026-03-15T00:00:00.000Z');
  });

  it('turns overdue at the exact instant the interval has passed since the last review, else since creation', () => {
    const p = page({ review_every: '90d' }, '2026-01-01T08:00:00.000Z');
    const due = Date.parse('2026-04-01T08:00:00.000Z');
    expect(reviewState(p, defaults, new Date(due - 1))).toMatchObject({ overdue: false, dueSoon: true, dueAt: '2026-04-01T08:00:00.000Z', intervalSource: 'page', lastReviewedAt: null });
    expect(reviewState(p, defaults, new Date(due))).toMatchObject({ overdue: true, daysOverdue: 0 });
    expect(reviewState(p, defaults, new Date(due + 86_400_000))).toMatchObject({ overdue: true, daysOverdue: 1 });
    const reviewed = page({ review_every: '90d' }, '2026-01-01T08:00:00.000Z', '2026-03-31T10:00:00.000Z');
    expect(reviewState(reviewed, defaults, new Date(due))).toMatchObject({ overdue: false, dueAt: '2026-06-29T10:00:00.000Z' });
  });

  it('falls back to the system default, is due soon within 30 days, and never asks to review retired or superseded pages', () => {
    expect(reviewState(page({ system: 'Workday' }, '2026-01-10T00:00:00.000Z'), defaults, new Date('2026-06-15T00:00:00.000Z'))).toMatchObject({ interval: '6m', intervalSource: 'system', overdue: false, dueSoon: true });
    expect(reviewState(page({ system: 'Workday' }, '2026-01-10T00:00:00.000Z'), defaults, new Date('2026-06-09T23:59:59.999Z'))).toMatchObject({ dueSoon: false });
    expect(reviewState(page({ status: 'retired' }, '2019-01-01T00:00:00.000Z'), defaults, new Date('2026-06-15T00:00:00.000Z'))).toMatchObject({ interval: null, overdue: false, dueAt: null });
    expect(reviewState(page({ status: 'superseded', review_every: '1m' }, '2019-01-01T00:00:00.000Z'), defaults, new Date())).toMatchObject({ overdue: false });
    expect(reviewState(page({ system: 'Interfaces' }, '2019-01-01T00:00:00.000Z'), defaults, new Date())).toMatchObject({ interval: null, overdue: false });
  });

  it('reads per-system defaults from WHYWIKI_REVIEW_DEFAULTS and explains a bad one', () => {
    expect(loadConfig({ WHYWIKI_REVIEW_DEFAULTS: 'Epic=6m, Interfaces=never' }).reviewDefaults).toEqual({ Epic: '6m', Workday: '1y', Infrastructure: '1y' });
    expect(() => loadConfig({ WHYWIKI_REVIEW_DEFAULTS: 'Epic=quarterly' })).toThrow(/WHYWIKI_REVIEW_DEFAULTS lists system=interval pairs/);
    expect(() => loadConfig({ WHYWIKI_REVIEW_DEFAULTS: 'Cerner=1y' })).toThrow(/names "Cerner", which is not one of the systems/);
  });
});

describe('mark reviewed', () => {
  let t: TestApp;
  afterEach(async () => { await t.close(); });

  it('moves the stale report and the page banner at the boundary, and lets owners and editors (not other readers) mark a page reviewed', async () => {
    let now = new Date('2026-01-01T08:00:00.000Z');
    t = await testApp({}, { clock: () => now });
    createPage(commandContext(t.store, 'mreyes', { at: now }), { slug: 'bpa', frontMatter: { ...sampleFrontMatter, review_every: '90d', owners: ['epic-clindoc'] }, body: 'x' });
    await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'maria', password: PASSWORD, role: 'reader', person: 'mreyes' });
    const reader = { authorization: `Bearer ${tokenFor(t.store, 'reader')}` };
    const stale = async () => (await t.app.inject({ url: '/api/reports/stale', headers: reader })).json();

    now = new Date(Date.parse('2026-04-01T08:00:00.000Z') - 1);
    expect(await stale()).toMatchObject({ count: 0 });
    const maria = new Browser(t.app);
    await maria.signIn('maria');
    expect((await maria.get('/p/bpa')).body).not.toContain('Review overdue');
    // The home page lists it as due soon for the person who owns it through her team.
    expect((await maria.get('/')).body).toMatch(/Your review queue[\s\S]*href="\/p\/bpa"[\s\S]*due 1 Apr 2026/);

    now = new Date('2026-04-01T08:00:00.000Z');
    expect(await stale()).toMatchObject({ count: 1, pages: [{ slug: 'bpa', due_at: '2026-04-01T08:00:00.000Z', days_overdue: 0 }], by_owner: [{ handle: 'epic-clindoc', pages: ['bpa'] }] });
    expect((await maria.get('/p/bpa')).body).toContain('Review overdue');

    // A reader who is not an owner may not; the owner (a reader by role) may.
    const other = await t.app.inject({ method: 'POST', url: '/api/pages/bpa/review', headers: reader, payload: {} });
    expect(other.statusCode).toBe(403);
    const events = t.store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM audit_events').pluck();
    const before = events.get() as number;
    const done = await maria.post('/p/bpa/review', { note: 'Checked with the sepsis committee' });
    expect(done.statusCode).toBe(303);
    expect(events.get()).toBe(before + 1);
    expect(t.store.unsafeDatabaseForTests().prepare("SELECT actor, action, target, json_extract(details, '$.note') AS note FROM audit_events ORDER BY id DESC LIMIT 1").get()).toEqual({ actor: 'maria', action: 'page.reviewed', target: 'bpa', note: 'Checked with the sepsis committee' });
    expect(await stale()).toMatchObject({ count: 0 });
    const view = (await maria.get('/p/bpa')).body;
    expect(view).not.toContain('Review overdue');
    expect(view).toContain('Last reviewed: <time datetime="2026-04-01T08:00:00.000Z">1 Apr 2026</time>');
    // No new version: the content did not change.
    expect(t.store.pages.head('bpa')!.current_version).toBe(1);

    const missing = await t.app.inject({ method: 'POST', url: '/api/pages/nope/review', headers: reader, payload: {} });
    expect(missing.statusCode).toBe(404);
  });
});
