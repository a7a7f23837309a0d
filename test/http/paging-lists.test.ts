import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPage } from '../../server/pages/commands.js';
import { connectIntegration } from '../../server/integrations/commands/connect-integration.js';
import { DELIVERY_LOG_KEEP, DELIVERY_PRUNE_BATCH } from '../../server/integrations/derive.js';
import { Browser, commandContext, openAndHiddenPages, sampleFrontMatter, testApp, tokenFor, type TestApp } from '../helpers.js';
import { downUrl } from '../integrations/receiver.js';

// The lists that grew without a pager: a user's tokens, purges, the delivery log, the access review and the
// notifications API. Rows are written straight into the store where the list only reads them.

let t: TestApp;
let admin: Browser;
let adminAuth: Record<string, string>;
let editorAuth: Record<string, string>;
const HIDDEN = ['zz-restricted-1', 'aa-restricted-2', 'mm-restricted-3'];
const at = '2026-01-01T00:00:00.000Z';

beforeAll(async () => {
  t = await testApp();
  await openAndHiddenPages(t.store, HIDDEN);
  admin = new Browser(t.app);
  await admin.signIn('admin');
  adminAuth = { authorization: `Bearer ${tokenFor(t.store, 'admin')}` };
  editorAuth = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
}, 60_000);
afterAll(async () => { await t.close(); });

/** Every answer of an API list from `url`, following `next` and checking it against the Link header. */
async function follow(url: string, auth: Record<string, string>): Promise<(Record<string, unknown> & { total: number; limit: number; next?: string })[]> {
  const answers: (Record<string, unknown> & { total: number; limit: number; next?: string })[] = [];
  let next: string | undefined = url;
  for (let n = 0; next && n < 50; n++) {
    const res = await t.app.inject({ url: next, headers: auth });
    expect(res.statusCode, `${next}: ${res.body.slice(0, 200)}`).toBe(200);
    const body = res.json() as Record<string, unknown> & { total: number; limit: number; next?: string };
    expect(res.headers.link).toBe(body.next ? `<${body.next}>; rel="next"` : undefined);
    answers.push(body);
    next = body.next;
  }
  return answers;
}

async function refuses(url: string, field: string, auth: Record<string, string> | Browser = adminAuth) {
  const res = auth instanceof Browser ? await auth.get(url) : await t.app.inject({ url, headers: auth });
  expect(res.statusCode, url).toBe(400);
  expect(res.body, url).toContain(field);
}

/** The numbers shown in the pager's "from–to of total" line. */
const range = (html: string) => /(\d+)–(\d+) of (\d+)/.exec(html)?.slice(1).map(Number);

describe('GET /api/notifications, a page at a time', () => {
  let userId = 0;
  beforeAll(() => {
    userId = t.store.users.byName('editor')!.id;
    const note = (i: number, slug: string) =>
      t.store.notifications.insert({ key: `lists-${i}-${slug}`, user_id: userId, kind: 'changed', event_id: null, slug, actor: 'mreyes', title: `Note ${i} on ${slug}`, text: 'Changed.', link: `/p/${slug}`, delivery: 'immediate', created_at: at });
    for (let i = 0; i < 230; i++) note(i, 'open-page');
    HIDDEN.forEach((slug, i) => note(1000 + i, slug));
    // A third read: unread ones come first in every answer.
    const ids = t.store.notifications.inbox(userId, 1000, 0, []).map((n) => n.id).filter((id) => id % 3 === 0);
    t.store.unsafeDatabaseForTests().prepare('UPDATE notifications SET read_at = ? WHERE id IN (SELECT value FROM json_each(?))').run(at, JSON.stringify(ids));
  });

  it('answers 100 by default, then the rest by next, unread first, disjoint and complete, hidden pages\' neither listed nor counted', async () => {
    const answers = await follow('/api/notifications', editorAuth);
    const lists = answers.map((a) => a.notifications as { id: number; read: boolean; slug: string }[]);
    expect(lists.map((l) => l.length)).toEqual([100, 100, 30]);
    expect(answers.every((a) => a.total === 230 && a.limit === 100)).toBe(true);
    expect(answers[0]!.unread).toBeGreaterThan(0);
    const all = lists.flat();
    expect(new Set(all.map((n) => n.id)).size).toBe(230);
    const firstRead = all.findIndex((n) => n.read);
    expect(all.slice(firstRead).every((n) => n.read)).toBe(true);
    expect(all.slice(0, firstRead).every((n) => !n.read)).toBe(true);
    expect(JSON.stringify(answers)).not.toContain('restricted');
  });

  it('skips nothing when the last one listed is marked read before the next answer (it comes again among the read)', async () => {
    const [first] = await follow('/api/notifications?limit=40', editorAuth).then((a) => a.slice(0, 1));
    const shown = first!.notifications as { id: number; read: boolean }[];
    expect(shown.at(-1)!.read).toBe(false);
    const read = await t.app.inject({ method: 'POST', url: '/api/notifications/read', headers: editorAuth, payload: { ids: [shown.at(-1)!.id] } });
    expect(read.statusCode).toBeLessThan(300);
    const rest = await follow(first!.next!, editorAuth);
    const ids = [...shown, ...rest.flatMap((a) => a.notifications as { id: number }[])].map((n) => n.id);
    expect(new Set(ids).size).toBe(230);
    expect(ids).toHaveLength(231);
    expect(ids.filter((id) => id === shown.at(-1)!.id)).toHaveLength(2);
  });

  it('refuses a bad limit or after with a 400 that names it, and an after naming a hidden page\'s notification as one naming nothing', async () => {
    const hiddenId = t.store.notifications.inbox(userId, 1000, 0, []).find((n) => n.slug === HIDDEN[0])!.id;
    for (const [url, field] of [
      ['/api/notifications?limit=0', 'limit'],
      ['/api/notifications?limit=1001', 'limit'],
      ['/api/notifications?after=12', 'after'],
      ['/api/notifications?after=u99999999', 'after'],
      [`/api/notifications?after=u${hiddenId}`, 'after'],
    ] as const) await refuses(url, field, editorAuth);
  });
});

describe('the delivery log, a page at a time and pruned as it grows', () => {
  let hook = 0;
  let other = 0;
  let event = 1_000_000;
  const insert = (integration: number, n: number, state: 'delivered' | 'pending' | 'failed' = 'delivered') => {
    t.store.transaction(() => {
      for (let i = 0; i < n; i++) {
        t.store.integrations.insertDelivery({ delivery_id: `d-${integration}-${state}-${i}-${Math.random()}`, integration_id: integration, event_id: event++, event: 'page.saved', slug: 'open-page', body: '{}', state, next_attempt_at: at, created_at: at });
      }
    });
  };
  beforeAll(async () => {
    const url = await downUrl();
    hook = connectIntegration(commandContext(t.store, 'admin'), { url, events: ['page.saved'] }).integration.id;
    other = connectIntegration(commandContext(t.store, 'admin'), { url, events: ['page.saved'] }).integration.id;
    insert(hook, 250);
    insert(other, 3);
  });

  it('GET /api/webhooks/:id/deliveries: 100 by default, newest first, disjoint and complete, only its own', async () => {
    const answers = await follow(`/api/webhooks/${hook}/deliveries`, adminAuth);
    const lists = answers.map((a) => a.deliveries as { delivery: string }[]);
    expect(lists.map((l) => l.length)).toEqual([100, 100, 50]);
    expect(answers.every((a) => a.total === 250)).toBe(true);
    expect(answers[0]!.webhook).toMatchObject({ id: hook });
    const ids = lists.flat().map((d) => d.delivery);
    expect(new Set(ids).size).toBe(250);
    expect(ids.every((d) => d.startsWith(`d-${hook}-`))).toBe(true);
    expect(ids.at(-1)).toContain('-0-');
  });

  it('refuses a bad limit or an after from another integration\'s log with a 400 that names it', async () => {
    const theirs = (await follow(`/api/webhooks/${other}/deliveries`, adminAuth))[0]!.deliveries as { delivery: string }[];
    await refuses(`/api/webhooks/${hook}/deliveries?limit=0`, 'limit');
    await refuses(`/api/webhooks/${hook}/deliveries?limit=1001`, 'limit');
    await refuses(`/api/webhooks/${hook}/deliveries?after=no-such-delivery`, 'after');
    await refuses(`/api/webhooks/${hook}/deliveries?after=${theirs[0]!.delivery}`, 'after');
    expect((await t.app.inject({ url: `/api/webhooks/${hook}/deliveries`, headers: editorAuth })).statusCode).toBe(403);
  });

  it('/admin/integrations shows the log 100 a screen with the shared pager and refuses a bad page', async () => {
    const first = await admin.get('/admin/integrations');
    const total = t.store.integrations.deliveryCount();
    const rows = (html: string) => (html.slice(html.indexOf('deliveries-table')).match(/<tr>\s*<td><small>/g) ?? []).length;
    expect(rows(first.body)).toBe(100);
    expect(range(first.body)).toEqual([1, 100, total]);
    const last = await admin.get(`/admin/integrations?page=${Math.ceil(total / 100)}`);
    expect(rows(last.body)).toBe(total - 100 * (Math.ceil(total / 100) - 1));
    expect(last.body).not.toContain('rel="next"');
    await refuses('/admin/integrations?page=0', 'page', admin);
  });

  it(`keeps the newest ${DELIVERY_LOG_KEEP} of an integration, pruning the oldest settled ones (and their attempts) as new ones are written, never a pending one`, async () => {
    const db = t.store.unsafeDatabaseForTests();
    const url = await downUrl();
    const full = connectIntegration(commandContext(t.store, 'admin'), { url, events: ['page.saved'] }).integration.id;
    insert(full, 1, 'pending');
    insert(full, DELIVERY_LOG_KEEP + 30, 'delivered');
    const ids = () => db.prepare('SELECT id FROM integration_deliveries WHERE integration_id = ? ORDER BY id').pluck().all(full) as number[];
    const [pending, oldest, second] = ids();
    t.store.integrations.recordAttempt({ delivery: oldest!, attempt: 1, at, status: 200, error: null });
    const othersBefore = t.store.integrations.deliveryCount(other);
    const auditBefore = db.prepare('SELECT count(*) FROM audit_events').pluck().get() as number;

    // A save reaches every integration that wants page.saved: one new delivery each, written by the consumer.
    const { getCurrentPage } = await import('../../server/pages/queries.js');
    const save = async (body: string) => {
      const current = getCurrentPage(t.store, 'open-page');
      const res = await t.app.inject({ method: 'PUT', url: '/api/pages/open-page', headers: editorAuth, payload: { ...sampleFrontMatter, title: 'Open page', body, summary: body, base_version: current.version } });
      expect(res.statusCode).toBe(200);
      await t.app.integrations.tick();
    };
    await save('Second text.');
    const after = ids();
    expect(after).toHaveLength(1 + DELIVERY_LOG_KEEP + 30 + 1 - DELIVERY_PRUNE_BATCH);
    expect(after).toContain(pending);
    expect(after).not.toContain(oldest);
    expect(after).not.toContain(second);
    expect(db.prepare('SELECT count(*) FROM integration_attempts WHERE delivery = ?').pluck().get(oldest)).toBe(0);
    // The others are under the kept number: nothing of theirs went. The audit log holds one more event: the save.
    expect(t.store.integrations.deliveryCount(other)).toBe(othersBefore + 1);
    expect(db.prepare('SELECT count(*) FROM audit_events').pluck().get()).toBe(auditBefore + 1);

    // Each further delivery prunes again until only the kept number (and the pending one) is left.
    for (let i = 0; i < 3; i++) await save(`Text ${i}.`);
    const settled = db.prepare("SELECT count(*) FROM integration_deliveries WHERE integration_id = ? AND state <> 'pending'").pluck().get(full) as number;
    expect(settled).toBeLessThanOrEqual(DELIVERY_LOG_KEEP);
    expect(ids()).toContain(pending);
  });
});

describe('/admin/purges and GET /api/purges, a page at a time', () => {
  beforeAll(() => {
    const pageId = t.store.pages.head('open-page')!.id;
    const purge = (status: 'awaiting approval' | 'applied', i: number) =>
      t.store.purges.insert({ page_id: pageId, version: 1, reason: `Reason ${i}`, text_salt: 's', text_digest: 'd', fields: '{"body":1}', pending_text: null, status, requested_by: 'admin', requested_at: at });
    for (let i = 0; i < 3; i++) purge('awaiting approval', i);
    for (let i = 3; i < 150; i++) purge('applied', i);
    purge('awaiting approval', 150);
  });

  it('shows requests awaiting approval first, then the applied ones, 100 a screen with whole counts in the headings', async () => {
    const first = await admin.get('/admin/purges');
    const second = await admin.get('/admin/purges?page=2');
    const awaiting = (html: string) => [...html.matchAll(/<article class="purge-request" id="purge-(\d+)">/g)].map((m) => Number(m[1]));
    const applied = (html: string) => [...html.matchAll(/<tr>\s*<td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(awaiting(first.body)).toEqual([151, 3, 2, 1]);
    expect(applied(first.body)).toHaveLength(96);
    expect(awaiting(second.body)).toEqual([]);
    expect(applied(second.body)).toHaveLength(51);
    expect(new Set([...applied(first.body), ...applied(second.body)]).size).toBe(147);
    expect(first.body).toContain('Awaiting approval (4)');
    expect(second.body).toContain('Applied (147)');
    expect(second.body).toContain('The requests awaiting approval are on the first page.');
    expect(range(first.body)).toEqual([1, 100, 151]);
    expect(second.body).not.toContain('rel="next"');
    await refuses('/admin/purges?page=x', 'page', admin);
  });

  it('GET /api/purges: 100 by default, newest first, disjoint and complete, bad values refused', async () => {
    const answers = await follow('/api/purges', adminAuth);
    const ids = answers.flatMap((a) => (a.purges as { id: number }[]).map((p) => p.id));
    expect(answers.map((a) => (a.purges as unknown[]).length)).toEqual([100, 51]);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(151);
    expect(answers[0]!.total).toBe(151);
    await refuses('/api/purges?limit=1001', 'limit');
    await refuses('/api/purges?after=0', 'after');
    await refuses('/api/purges?after=99999', 'after');
  });
});

describe('a user\'s API tokens and the access review, a page at a time', () => {
  beforeAll(() => {
    const id = t.store.users.byName('reader')!.id;
    for (let i = 0; i < 130; i++) t.store.users.insertToken(id, `hash-${i}`, `token ${i}`, `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}Z`);
    for (let i = 0; i < 120; i++) t.store.users.insert({ username: `bulk-${String(i).padStart(3, '0')}`, password_hash: null, role: 'reader', person: null, created_at: at });
  });

  it('/admin/users/:username lists its tokens 100 a screen, live first, disjoint and complete', async () => {
    const total = t.store.users.tokenCount(t.store.users.byName('reader')!.id);
    const labels = (html: string) => [...html.matchAll(/<td>(token \d+)<\/td>/g)].map((m) => m[1]!);
    const first = await admin.get('/admin/users/reader');
    const second = await admin.get('/admin/users/reader?page=2');
    expect(labels(first.body)).toHaveLength(100);
    expect(new Set([...labels(first.body), ...labels(second.body)]).size).toBe(130);
    expect(first.body).toContain(`API tokens (${total})`);
    expect(range(first.body)).toEqual([1, 100, total]);
    expect(second.body).not.toContain('rel="next"');
    await refuses('/admin/users/reader?page=-1', 'page', admin);
  });

  it('/reports/access: 100 accounts a screen, the whole count and one hash for the whole report on each', async () => {
    const auditor = new Browser(t.app);
    await auditor.signIn('auditor');
    const total = t.store.users.list().length;
    const names = (html: string) => [...html.matchAll(/<td><a href="\/admin\/users\/([^"]+)">/g)].map((m) => m[1]!);
    const first = await auditor.get('/reports/access');
    const second = await auditor.get('/reports/access?page=2');
    expect(names(first.body)).toHaveLength(100);
    expect(new Set([...names(first.body), ...names(second.body)]).size).toBe(total);
    expect(first.body).toContain(`${total} accounts`);
    expect(second.body).toContain(`${total} accounts`);
    expect(second.body).not.toContain('rel="next"');
    await refuses('/reports/access?page=1.5', 'page', auditor);
    // The CSV stays one file of every account: it is what an auditor files.
    const csv = await auditor.get('/reports/access.csv');
    expect(csv.body.trim().split('\n')).toHaveLength(total + 1);
  });

  it('GET /api/reports/access: accounts 100 at a time by next, the whole report\'s hash on each answer', async () => {
    const auditorAuth = { authorization: `Bearer ${tokenFor(t.store, 'auditor')}` };
    const answers = await follow('/api/reports/access', auditorAuth);
    const total = t.store.users.list().length;
    const names = answers.flatMap((a) => (a.users as { username: string }[]).map((u) => u.username));
    expect(names).toHaveLength(total);
    expect(new Set(names).size).toBe(total);
    expect(answers.map((a) => (a.users as unknown[]).length)[0]).toBe(100);
    expect(new Set(answers.map((a) => a.hash)).size).toBe(1);
    await refuses('/api/reports/access?limit=0', 'limit', auditorAuth);
    await refuses('/api/reports/access?after=nobody-by-that-name', 'after', auditorAuth);
  });
});
