import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandContext, privacyTeam, sampleFrontMatter, testApp, testStore, tokenFor, type TestApp } from '../helpers.js';
import { createPage, savePage } from '../../server/pages/commands.js';
import { markReviewed } from '../../server/pages/commands/mark-reviewed.js';
import { recordAudit, type AuditAction } from '../../server/audit/log.js';
import { connectIntegration } from '../../server/integrations/commands/connect-integration.js';
import { IntegrationWorker, MAX_ATTEMPTS, RETRY_DELAYS_MS } from '../../server/integrations/worker.js';
import { downUrl, Receiver } from './receiver.js';

const PUBLIC = 'https://wiki.example.org';
let t: TestApp;
let now: Date;
let admin: Record<string, string>;
const receivers: Receiver[] = [];
const receiver = async () => { const r = await Receiver.start(); receivers.push(r); return r; };

beforeEach(async () => {
  now = new Date('2026-03-02T09:00:00.000Z');
  t = await testApp({ publicUrl: PUBLIC }, { clock: () => now });
  await privacyTeam(t.store);
  admin = { authorization: `Bearer ${tokenFor(t.store, 'admin')}` };
});
afterEach(async () => {
  await t.close();
  for (const r of receivers.splice(0)) await r.close();
});
afterAll(async () => { for (const r of receivers) await r.close(); });

const hook = async (body: Record<string, unknown>) => {
  const res = await t.app.inject({ method: 'POST', url: '/api/webhooks', headers: admin, payload: body });
  return { res, json: res.json() as { id: number; secret: string | null } };
};
const deliveries = async (id: number) => (await t.app.inject({ url: `/api/webhooks/${id}/deliveries`, headers: admin })).json().deliveries as { state: string; attempts: number; last_status: number | null; last_error: string | null; delivery: string }[];
const r = (x: Receiver) => x.json(0) as { change?: unknown };
const ctx = (user = 'mreyes') => commandContext(t.store, user, { at: now });

describe('webhooks', () => {
  it('posts page.saved with the event, a delivery id, and an HMAC-SHA256 of the exact body', async () => {
    const r = await receiver();
    const { res, json } = await hook({ url: r.url, events: ['page.saved'], secret: 'a-shared-secret-of-some-length' });
    expect(res.statusCode).toBe(201);
    expect(json.secret).toBe('a-shared-secret-of-some-length');
    createPage(ctx(), { slug: 'sepsis-bpa', frontMatter: { ...sampleFrontMatter }, body: 'one' });
    const editor = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
    const saved = await t.app.inject({ method: 'PUT', url: '/api/pages/sepsis-bpa', headers: editor, payload: { ...sampleFrontMatter, body: 'two', summary: 'Added the lactate step', base_version: 1 } });
    expect(saved.statusCode).toBe(200);
    await t.app.integrations.tick();
    // page.created was not asked for: only the save arrives.
    expect(r.received).toHaveLength(1);
    const [got] = r.received;
    expect(got!.headers['x-whywiki-event']).toBe('page.saved');
    expect(got!.headers['x-whywiki-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(got!.headers['content-type']).toBe('application/json');
    const expected = createHmac('sha256', 'a-shared-secret-of-some-length').update(got!.body).digest('hex');
    expect(got!.headers['x-whywiki-signature']).toBe(`sha256=${expected}`);
    const payload = r.json(0);
    expect(payload).toMatchObject({
      event: 'page.saved',
      delivery: got!.headers['x-whywiki-delivery'],
      occurred_at: now.toISOString(),
      actor: { username: 'editor' },
      page: { slug: 'sepsis-bpa', title: 'Sepsis screening BPA', system: 'Epic', url: `${PUBLIC}/p/sepsis-bpa`, version: 2 },
      change: { summary: 'Added the lactate step' },
    });
    expect((await deliveries(json.id))[0]).toMatchObject({ state: 'delivered', attempts: 1, last_status: 200 });
  });

  it('retries after a 500 on the injected clock, with the same delivery id and body, then succeeds', async () => {
    const r = await receiver();
    r.statuses = [500];
    const { json } = await hook({ url: r.url, events: ['page.created'] });
    expect(json.secret).toMatch(/^[0-9a-f]{64}$/);
    createPage(ctx(), { slug: 'retry-me', frontMatter: { ...sampleFrontMatter }, body: 'one' });
    await t.app.integrations.tick();
    expect(r.received).toHaveLength(1);
    expect((await deliveries(json.id))[0]).toMatchObject({ state: 'pending', attempts: 1, last_status: 500, last_error: 'The receiver answered 500.' });
    // Not due yet: nothing is sent again.
    now = new Date(now.getTime() + RETRY_DELAYS_MS[0] - 1000);
    await t.app.integrations.tick();
    expect(r.received).toHaveLength(1);
    now = new Date(now.getTime() + 1000);
    await t.app.integrations.tick();
    expect(r.received).toHaveLength(2);
    expect(r.received[1]!.headers['x-whywiki-delivery']).toBe(r.received[0]!.headers['x-whywiki-delivery']);
    expect(r.received[1]!.body).toBe(r.received[0]!.body);
    expect(r.received[1]!.headers['x-whywiki-signature']).toBe(r.received[0]!.headers['x-whywiki-signature']);
    expect((await deliveries(json.id))[0]).toMatchObject({ state: 'delivered', attempts: 2, last_status: 200, last_error: null });
  });

  it('gives up after the last attempt, and says so in the delivery log', async () => {
    const r = await receiver();
    r.statuses = Array<number>(MAX_ATTEMPTS).fill(503);
    const { json } = await hook({ url: r.url, events: ['page.created'] });
    createPage(ctx(), { slug: 'never-arrives', frontMatter: { ...sampleFrontMatter }, body: 'one' });
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
      await t.app.integrations.tick();
      now = new Date(now.getTime() + 24 * 3_600_000);
    }
    expect(r.received).toHaveLength(MAX_ATTEMPTS);
    expect((await deliveries(json.id))[0]).toMatchObject({ state: 'failed', attempts: MAX_ATTEMPTS, last_status: 503 });
  });

  it('refuses a URL that is not http(s), unknown events, and never shows the secret again', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://files.example.org/x', 'javascript:alert(1)', 'not a url']) {
      const { res } = await hook({ url, events: ['page.saved'] });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().field).toBe('url');
    }
    expect((await hook({ url: 'file:///etc/passwd', events: ['page.saved'] })).res.json().message).toContain('Only http:// and https://');
    const unknown = await hook({ url: 'https://hooks.example.org/x', events: ['page.saved', 'page.deleted'] });
    expect(unknown.res.statusCode).toBe(400);
    expect(unknown.res.json().message).toContain('"page.deleted"');
    expect((await hook({ url: 'https://hooks.example.org/x', events: [] })).res.statusCode).toBe(400);
    const made = await hook({ url: 'https://hooks.example.org/x?token=abc', events: ['page.saved'], secret: 'another-long-secret-value' });
    expect(made.res.statusCode).toBe(201);
    const list = await t.app.inject({ url: '/api/webhooks', headers: admin });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('another-long-secret-value');
    expect(list.body).not.toContain('token=abc');
    expect(list.json().webhooks).toEqual([expect.objectContaining({ id: made.json.id, url: 'https://hooks.example.org/x', events: ['page.saved'] })]);
    // Nor in the audit log.
    const audit = JSON.stringify(t.store.audit.all());
    expect(audit).not.toContain('another-long-secret-value');
    expect(audit).toContain('integration.added');
    // Auditors can filter by it.
    const filtered = await t.app.inject({ url: '/api/audit?action=integration.added', headers: admin });
    expect(filtered.statusCode).toBe(200);
    expect(filtered.json().total).toBe(1);
    // Only admins manage them.
    const editor = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
    expect((await t.app.inject({ url: '/api/webhooks', headers: editor })).statusCode).toBe(403);
    const removed = await t.app.inject({ method: 'DELETE', url: `/api/webhooks/${made.json.id}`, headers: admin });
    expect(removed.statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/webhooks', headers: admin })).json().webhooks).toEqual([]);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/webhooks/${made.json.id}`, headers: admin })).statusCode).toBe(404);
  });

  it('does not follow redirects', async () => {
    const r = await receiver();
    const elsewhere = await receiver();
    r.redirectTo = elsewhere.url;
    const { json } = await hook({ url: r.url, events: ['page.created'] });
    createPage(ctx(), { slug: 'redirected', frontMatter: { ...sampleFrontMatter }, body: 'one' });
    await t.app.integrations.tick();
    expect(elsewhere.received).toHaveLength(0);
    expect((await deliveries(json.id))[0]).toMatchObject({ state: 'pending', last_status: 302 });
    expect((await deliveries(json.id))[0]!.last_error).toContain('redirects are not followed');
  });

  it('sends page.status_changed, page.reviewed, comment.created and person.departed', async () => {
    const r = await receiver();
    await hook({ url: r.url, events: ['page.status_changed', 'page.reviewed', 'comment.created', 'person.departed'] });
    createPage(ctx(), { slug: 'lifecycle', frontMatter: { ...sampleFrontMatter }, body: 'one' });
    savePage(ctx(), { slug: 'lifecycle', frontMatter: { ...sampleFrontMatter, status: 'retired' }, body: 'one', summary: 'Vendor replaced it', baseVersion: 1 });
    markReviewed(ctx(), { slug: 'lifecycle', note: 'Checked with the ED lead' });
    // Comments record their event as the comments feature does: target = slug.
    t.store.transaction(() => recordAudit(t.store, {
      actor: 'mreyes', action: 'comment.created' as AuditAction, target: 'lifecycle', at: now.toISOString(),
      details: { comment_id: 7, kind: 'question', version: 2, reply_to: null, reply_to_author: null, mentions: ['dokafor'] },
    }));
    t.store.transaction(() => recordAudit(t.store, { actor: 'admin', action: 'person.departed', target: 'person:mreyes', at: now.toISOString(), details: { date: '2026-03-01', reason: 'Personal reasons', successor: 'dokafor' } }));
    await t.app.integrations.tick();
    expect(r.received.map((x) => x.headers['x-whywiki-event'])).toEqual(['page.status_changed', 'page.reviewed', 'comment.created', 'person.departed']);
    expect(r.json(0)).toMatchObject({ page: { slug: 'lifecycle', status: 'retired', version: 2 }, change: { status: { from: 'live', to: 'retired' } } });
    expect(r.json(1)).toMatchObject({ event: 'page.reviewed', page: { slug: 'lifecycle', version: 2 }, change: { note: 'Checked with the ED lead' } });
    expect(r.json(2)).toMatchObject({ page: { slug: 'lifecycle' }, comment: { id: 7, kind: 'question', mentions: ['dokafor'], url: `${PUBLIC}/p/lifecycle#comment-7` } });
    expect(r.json(3)).toMatchObject({ person: { handle: 'mreyes', name: 'Maria Reyes', departed_on: '2026-03-01', successor: 'dokafor' } });
    expect(r.received[3]!.body).not.toContain('Personal reasons');
  });

  it('posts nothing about a restricted page to a hook not scoped to its team, decided again at send time', async () => {
    const open = await receiver();
    const privacy = await receiver();
    const unscoped = (await hook({ url: open.url, events: ['page.created', 'page.saved'] })).json;
    await hook({ url: privacy.url, events: ['page.created', 'page.saved'], team: 'privacy' });
    const restricted = { ...sampleFrontMatter, title: 'VIP patient handling', owners: ['pwong'], restricted_to: ['privacy'] };
    createPage(ctx('pwong'), { slug: 'vip-handling', frontMatter: restricted, body: 'one' });
    savePage(ctx('pwong'), { slug: 'vip-handling', frontMatter: restricted, body: 'two', summary: 'More', baseVersion: 1 });
    await t.app.integrations.tick();
    expect(open.received).toHaveLength(0);
    expect(privacy.received.map((x) => x.headers['x-whywiki-event'])).toEqual(['page.created', 'page.saved']);

    // An open page's save is derived, its first attempt fails, then the page becomes restricted: the retry is withheld.
    open.statuses = [500];
    createPage(ctx('pwong'), { slug: 'soon-private', frontMatter: { ...sampleFrontMatter, owners: ['pwong'] }, body: 'one' });
    await t.app.integrations.tick();
    expect(open.received).toHaveLength(1);
    savePage(ctx('pwong'), { slug: 'soon-private', frontMatter: { ...sampleFrontMatter, owners: ['pwong'], restricted_to: ['privacy'] }, body: 'one', summary: 'Restricted', baseVersion: 1 });
    now = new Date(now.getTime() + 3_600_000);
    await t.app.integrations.tick();
    expect(open.received).toHaveLength(1);
    const log = await deliveries(unscoped.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ state: 'withheld', attempts: 1 });
    expect(JSON.stringify(log)).not.toContain('VIP');
  });

  it('names a restricted page "a restricted page" when an open page mentions it, outside its team', async () => {
    const open = await receiver();
    const privacy = await receiver();
    await hook({ url: open.url, events: ['page.saved'] });
    await hook({ url: privacy.url, events: ['page.saved'], team: 'privacy' });
    createPage(ctx('pwong'), { slug: 'vip-handling', frontMatter: { ...sampleFrontMatter, owners: ['pwong'], restricted_to: ['privacy'] }, body: 'one' });
    createPage(ctx('pwong'), { slug: 'front-desk', frontMatter: { ...sampleFrontMatter, owners: ['pwong'] }, body: 'one' });
    savePage(ctx('pwong'), { slug: 'front-desk', frontMatter: { ...sampleFrontMatter, owners: ['pwong'] }, body: 'two', summary: 'Moved the escalation steps to vip-handling', baseVersion: 1 });
    await t.app.integrations.tick();
    expect(r(open).change).toEqual({ summary: 'Moved the escalation steps to a restricted page' });
    expect(r(privacy).change).toEqual({ summary: 'Moved the escalation steps to vip-handling' });
  });

  it('connects Slack and Teams to a system or a team, with their payload shapes', async () => {
    const slack = await receiver();
    const teams = await receiver();
    expect((await hook({ kind: 'slack', url: slack.url, system: 'Epic', label: 'Epic channel' })).res.statusCode).toBe(201);
    const made = await hook({ kind: 'teams', url: teams.url, team: 'epic-clindoc' });
    expect(made.res.statusCode).toBe(201);
    expect(made.json.secret).toBeNull();
    expect((await hook({ kind: 'slack', url: slack.url, secret: 'not-for-slack-really' })).res.statusCode).toBe(400);
    expect((await hook({ kind: 'teams', url: teams.url, team: 'no-such-team' })).res.statusCode).toBe(400);
    // Chat URLs are keys: listed by host only.
    expect((await t.app.inject({ url: '/api/webhooks', headers: admin })).json().webhooks[0].url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/…$/);

    // Pat (Pat Wong) writes a page Maria owns: Maria is in the Epic ClinDoc team.
    createPage(ctx('pat'), { slug: 'sepsis-bpa', frontMatter: { ...sampleFrontMatter }, body: 'one' });
    // Another system's page, owned by someone outside the team: neither channel hears of it.
    createPage(ctx('dokafor'), { slug: 'payroll-feed', frontMatter: { ...sampleFrontMatter, title: 'Payroll feed', system: 'Workday', owners: ['dokafor'] }, body: 'one' });
    await t.app.integrations.tick();
    expect(slack.received).toHaveLength(1);
    expect(teams.received).toHaveLength(1);
    const s = slack.json(0) as { text: string; blocks: { type: string; text?: { type: string; text: string } }[] };
    expect(s.text).toContain('Sepsis screening BPA');
    expect(s.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(s.blocks[0]!.text!.text).toContain(`<${PUBLIC}/p/sepsis-bpa|Sepsis screening BPA>`);
    expect(s.blocks[0]!.text!.text).toContain('Pat Wong wrote a new page');
    expect(slack.received[0]!.headers['x-whywiki-signature']).toBeUndefined();
    const m = teams.json(0) as { type: string; attachments: { contentType: string; content: { type: string; version: string; body: { type: string; inlines?: { type: string; text: string }[] }[]; actions: { type: string; url: string }[] } }[] };
    expect(m.type).toBe('message');
    expect(m.attachments[0]!.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(m.attachments[0]!.content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(m.attachments[0]!.content.body[0]).toMatchObject({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'Sepsis screening BPA' }] });
    expect(m.attachments[0]!.content.actions[0]).toEqual({ type: 'Action.OpenUrl', title: 'Open in Whywiki', url: `${PUBLIC}/p/sepsis-bpa` });
  });
});

describe('never lose, never block', () => {
  it('a down receiver does not fail the save; a listening server sends after the write by itself', async () => {
    const up = await receiver();
    const down = (await hook({ url: await downUrl(), events: ['page.saved'] })).json;
    await hook({ url: up.url, events: ['page.saved'] });
    createPage(ctx(), { slug: 'sepsis-bpa', frontMatter: { ...sampleFrontMatter }, body: 'one' });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const arrived = up.next();
    const editor = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
    const saved = await t.app.inject({ method: 'PUT', url: '/api/pages/sepsis-bpa', headers: editor, payload: { ...sampleFrontMatter, body: 'two', summary: 'More', base_version: 1 } });
    expect(saved.statusCode).toBe(200);
    // Nobody called tick(): the write's answer woke the worker.
    expect(JSON.parse((await arrived).body)).toMatchObject({ event: 'page.saved', page: { slug: 'sepsis-bpa', version: 2 } });
    await t.app.integrations.tick();
    expect((await deliveries(down.id))[0]).toMatchObject({ state: 'pending', attempts: 1, last_status: null, last_error: 'Could not reach the receiver (ECONNREFUSED).' });
  });

  it('an attempt that gets no answer times out and is retried later', async () => {
    const { store } = testStore();
    const r = await receiver();
    r.hang = true;
    let clock = new Date('2026-03-02T09:00:00.000Z');
    const logged: object[] = [];
    const worker = new IntegrationWorker({ store, clock: () => clock, publicUrl: undefined, log: { warn: (o) => logged.push(o), error: (o) => logged.push(o) }, timeoutMs: 200 });
    worker.derive();
    connectIntegration(commandContext(store, 'admin'), { url: r.url, events: ['page.created'] });
    createPage(commandContext(store), { slug: 'slow', frontMatter: { ...sampleFrontMatter }, body: 'one' });
    await worker.tick();
    const [d] = store.integrations.recentDeliveries(10);
    expect(d).toMatchObject({ state: 'pending', attempts: 1, last_error: 'No answer within 200 ms.' });
    expect(d!.next_attempt_at).toBe(new Date(clock.getTime() + RETRY_DELAYS_MS[0]).toISOString());
    // The log names the integration and delivery, never the URL (a chat URL is its channel's key).
    expect(JSON.stringify(logged)).not.toContain(r.url);
    await worker.stop();
    store.close();
  });
});
