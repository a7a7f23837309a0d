import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD, sampleFrontMatter, testApp, tokenFor, type TestApp } from '../helpers.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { commandContext } from '../helpers.js';
import { approvePurge, requestPurge } from '../../server/purge/commands.js';
import { startMailServer, type TestMailServer } from './smtp.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Reply {
  statusCode: number;
  json: () => unknown;
}

/** The app on an injected clock with a real SMTP server; Maria (mreyes, in epic-clindoc) signs in as "maria". */
async function setup(start: string): Promise<{ t: TestApp; mail: TestMailServer; clock: { now: Date }; api: (who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => Promise<Reply> }> {
  const mail = await startMailServer();
  cleanups.push(mail.close);
  const clock = { now: new Date(start) };
  const t = await testApp({ smtpUrl: mail.url, publicUrl: 'https://wiki.hospital.test', digestHour: 7 }, { clock: () => clock.now });
  cleanups.push(t.close);
  t.store.parties.update({ handle: 'mreyes', name: 'Maria Reyes', title: null, email: 'maria@hospital.test' });
  await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'maria', password: PASSWORD, role: 'editor', person: 'mreyes' });
  // The consumers start at the head of the log on their first run: switch them on, so what follows is new.
  t.app.notifications.poll();
  t.app.integrations.derive();
  const tokens = new Map<string, string>();
  const api = async (who: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object): Promise<Reply> => {
    if (!tokens.has(who)) tokens.set(who, tokenFor(t.store, who));
    return t.app.inject({ method, url, payload, headers: { authorization: `Bearer ${tokens.get(who)}` } });
  };
  return { t, mail, clock, api };
}

interface InboxReply {
  unread: number;
  notifications: { kind: string; title: string; text: string; link: string; read: boolean }[];
}

describe('the team loop over the API', () => {
  it('sends an owner who chose a daily digest for reviews one digest listing the overdue page, and no mail of its own', async () => {
    const { t, mail, clock, api } = await setup('2026-03-02T09:00:00Z');
    expect((await api('maria', 'PUT', '/api/notifications/preferences', { review: 'digest' })).statusCode).toBe(200);
    const created = await api('editor', 'POST', '/api/pages', { ...sampleFrontMatter, slug: 'cauti-bundle', title: 'CAUTI bundle rows', status: 'proposed', review_every: '1m', body: 'The rows.' });
    expect(created.statusCode).toBe(201);
    await t.app.notifications.tick();
    const atCreation = mail.received.length;

    // A week after the review fell due (2026-04-02), before the digest hour: the reminder waits in the inbox.
    clock.now = new Date('2026-04-09T06:00:00Z');
    await t.app.notifications.tick();
    const inbox = (await api('maria', 'GET', '/api/notifications')).json() as InboxReply;
    const reviews = inbox.notifications.filter((n) => n.kind === 'review');
    expect(reviews).toEqual([expect.objectContaining({ title: 'CAUTI bundle rows', text: 'The review was due on 2026-04-02 and is overdue.', link: '/p/cauti-bundle', read: false })]);
    expect(mail.received.length).toBe(atCreation);

    // At the digest hour, one digest; running again that day sends nothing more.
    clock.now = new Date('2026-04-09T07:00:00Z');
    await t.app.notifications.tick();
    clock.now = new Date('2026-04-09T09:30:00Z');
    await t.app.notifications.tick();
    const digests = mail.received.slice(atCreation).filter((m) => m.to.includes('maria@hospital.test'));
    expect(digests.map((m) => m.subject)).toEqual(['Whywiki digest: 1 notification']);
    const body = digests[0]!.raw.replace(/=\r?\n/g, '');
    expect(body).toContain('CAUTI bundle rows');
    expect(body).toContain('The review was due on 2026-04-02 and is overdue.');
    expect(body).toContain('https://wiki.hospital.test/p/cauti-bundle');
    expect(digests[0]!.messageId).toMatch(/^<d\.2026-04-09\.u\d+@wiki\.hospital\.test>$/);
  });

  it('puts "request approval" in each approver\'s inbox, mails those with an address, and not the one asking', async () => {
    const { t, mail, api } = await setup('2026-03-02T09:00:00Z');
    const created = await api('editor', 'POST', '/api/pages', { ...sampleFrontMatter, slug: 'vte-order-panel', title: 'VTE order panel', status: 'proposed', body: 'The panel.' });
    expect(created.statusCode).toBe(201);
    await t.app.notifications.tick();
    const before = mail.received.length;

    const asked = await api('editor', 'POST', '/api/pages/vte-order-panel/approval-requests', {});
    expect(asked.statusCode).toBe(201);
    expect(asked.json()).toEqual({ slug: 'vte-order-panel', version: 1, approvers: ['admin', 'maria'] });
    await t.app.notifications.tick();

    for (const who of ['maria', 'admin']) {
      const inbox = (await api(who, 'GET', '/api/notifications')).json() as InboxReply;
      expect(inbox.notifications.filter((n) => n.kind === 'approval')).toEqual([
        expect.objectContaining({ title: 'VTE order panel', text: 'editor asks you to approve version 1.', link: '/p/vte-order-panel/v/1', read: false }),
      ]);
    }
    const editorInbox = (await api('editor', 'GET', '/api/notifications')).json() as InboxReply;
    expect(editorInbox.notifications.filter((n) => n.kind === 'approval')).toEqual([]);
    // Maria has an address in the directory; the admin account has no person, so the inbox alone.
    const sent = mail.received.slice(before);
    expect(sent.map((m) => [m.to, m.subject])).toEqual([[['maria@hospital.test'], 'Approval requested: VTE order panel']]);
    expect(sent[0]!.raw.replace(/=\r?\n/g, '')).toContain('https://wiki.hospital.test/p/vte-order-panel/v/1');
  });

  it('takes purged text out of the inbox, the mails not yet sent and the webhook bodies not yet delivered', async () => {
    const SECRET = 'Jane Roe';
    const { t, mail, api } = await setup('2026-03-02T09:00:00Z');
    t.store.integrations.insert({ kind: 'webhook', label: 'ITSM', url: 'http://127.0.0.1:9/hook', secret: 'hook-secret-1', events: JSON.stringify(['page.saved']), team: null, system: null, created_at: '2026-03-02T09:00:00Z', created_by: 'admin' });
    const fm = { ...sampleFrontMatter, slug: 'ed-escalation', title: 'ED escalation', status: 'proposed' };
    expect((await api('editor', 'POST', '/api/pages', { ...fm, body: 'Call the charge nurse.' })).statusCode).toBe(201);
    expect((await api('editor', 'PUT', '/api/pages/ed-escalation', { ...fm, body: `Example: ${SECRET} waited.`, summary: `Added the ${SECRET} example`, base_version: 1 })).statusCode).toBe(200);
    // Derived, not yet sent: the mail server and the webhook receiver have not been reached.
    t.app.notifications.poll();
    t.app.integrations.derive();
    const inboxText = async () => ((await api('maria', 'GET', '/api/notifications')).json() as InboxReply).notifications.map((n) => n.text);
    expect(await inboxText()).toContain(`editor saved version 2: Added the ${SECRET} example`);
    const pendingBodies = () => t.store.integrations.recentDeliveries(10).map((d) => d.body);
    expect(pendingBodies().some((b) => b.includes(SECRET))).toBe(true);

    const { id } = requestPurge(commandContext(t.store, 'admin', { actor: { username: 'admin', role: 'admin' } }), { slug: 'ed-escalation', version: 2, reason: 'A patient name', text: SECRET });
    await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'admin2', password: 'second admin words 12', role: 'admin' });
    approvePurge(commandContext(t.store, 'admin2', { actor: { username: 'admin2', role: 'admin' } }), { id });

    expect(await inboxText()).toContain('editor saved version 2: Added the [removed] example');
    expect((await inboxText()).join('\n')).not.toContain(SECRET);
    expect(pendingBodies().join('\n')).not.toContain(SECRET);
    expect(pendingBodies().some((b) => b.includes('[removed]'))).toBe(true);
    await t.app.notifications.send();
    const toMaria = mail.received.filter((m) => m.to.includes('maria@hospital.test'));
    expect(toMaria.length).toBeGreaterThanOrEqual(1);
    expect(toMaria.map((m) => m.raw.replace(/=\r?\n/g, '')).join('\n')).not.toContain(SECRET);
  });
});
