import { afterEach, describe, expect, it } from 'vitest';
import { Browser, PASSWORD, privacyTeam, sampleFrontMatter, tempDir, testApp, testStore, tokenFor, type TestApp } from '../helpers.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { recordAudit } from '../../server/audit/log.js';
import { NotificationWorker } from '../../server/notify/worker.js';
import type { Store } from '../../server/store/index.js';
import { startMailServer, type TestMailServer } from './smtp.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Maria (mreyes, owner of the sample pages) and David (dokafor), each with an account and an address. */
async function people(store: Store): Promise<void> {
  store.parties.update({ handle: 'mreyes', name: 'Maria Reyes', title: null, email: 'maria@hospital.test' });
  store.parties.update({ handle: 'dokafor', name: 'David Okafor', title: null, email: 'david@hospital.test' });
  await createUser({ store, actor: { username: 'test' } }, { username: 'maria', password: PASSWORD, role: 'editor', person: 'mreyes' });
  await createUser({ store, actor: { username: 'test' } }, { username: 'david', password: PASSWORD, role: 'editor', person: 'dokafor' });
}

/** The app on an injected clock, with a real SMTP server (unless `smtp` is false). */
async function setup(opts: { smtp?: boolean; start?: string } = {}): Promise<{ t: TestApp; mail: TestMailServer | null; clock: { now: Date }; api: (who: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => Promise<{ statusCode: number; json: () => any }> }> {
  const mail = opts.smtp === false ? null : await startMailServer();
  if (mail) cleanups.push(mail.close);
  const clock = { now: new Date(opts.start ?? '2026-03-02T09:00:00Z') };
  const t = await testApp({ smtpUrl: mail?.url, publicUrl: 'https://wiki.hospital.test', digestHour: 7 }, { clock: () => clock.now });
  cleanups.push(t.close);
  await people(t.store);
  const tokens = new Map<string, string>();
  const api = async (who: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => {
    if (!tokens.has(who)) tokens.set(who, tokenFor(t.store, who));
    return t.app.inject({ method, url, payload, headers: { authorization: `Bearer ${tokens.get(who)}` } });
  };
  // Switch the consumer on now, so what follows is new to it.
  t.app.notifications.poll();
  return { t, mail, clock, api };
}

const page = (slug: string, extra: object = {}) => ({ ...sampleFrontMatter, slug, title: `Page ${slug}`, body: 'First text.', ...extra });

describe('notifications from page events', () => {
  it('a mention in a page body reaches the person\'s inbox and, as a mail, the SMTP server', async () => {
    const { t, mail, api } = await setup();
    expect((await api('editor', 'POST', '/api/pages', page('lab-interface', { owners: ['dokafor'] }))).statusCode).toBe(201);
    t.app.notifications.poll();
    // Nobody but the owner hears of the creation; now a save that mentions Maria.
    const saved = await api('editor', 'PUT', '/api/pages/lab-interface', { ...page('lab-interface', { owners: ['dokafor'] }), body: 'Ask @mreyes about the ORU feed.', summary: 'Who knows the feed', base_version: 1 });
    expect(saved.statusCode).toBe(200);
    t.app.notifications.poll();
    const inbox = (await api('maria', 'GET', '/api/notifications')).json();
    expect(inbox.unread).toBe(1);
    expect(inbox.notifications[0]).toMatchObject({ kind: 'mentioned', title: 'Page lab-interface', actor: 'editor', read: false, link: '/p/lab-interface' });
    expect((await t.app.notifications.send()).sent).toBeGreaterThanOrEqual(1);
    const toMaria = mail!.received.filter((m) => m.to.includes('maria@hospital.test'));
    expect(toMaria).toHaveLength(1);
    expect(toMaria[0]!.subject).toBe('Mentioned you: Page lab-interface');
    expect(toMaria[0]!.raw).toContain('https://wiki.hospital.test/p/lab-interface');
    expect(toMaria[0]!.raw).toMatch(/Content-Type: text\/plain/i);
    expect(toMaria[0]!.raw).toMatch(/Content-Type: text\/html/i);
    expect(toMaria[0]!.messageId).toMatch(/^<n\.e\d+\.u\d+@wiki\.hospital\.test>$/);
    // The URL's credentials were used, and saying the mention again does not notify again.
    expect(mail!.auths[0]).toEqual({ username: 'wiki', password: 'mail-secret-9' });
    await api('editor', 'PUT', '/api/pages/lab-interface', { ...page('lab-interface', { owners: ['dokafor'] }), body: 'Ask @mreyes about the ORU feed. Also the ADT one.', summary: 'ADT too', base_version: 2 });
    t.app.notifications.poll();
    expect((await api('maria', 'GET', '/api/notifications')).json().unread).toBe(1);
  });

  it('gives a watcher one notification per save, linking the diff with the summary; never the actor; a digest collects them', async () => {
    const { t, mail, clock, api } = await setup();
    await api('editor', 'POST', '/api/pages', page('vte-panel', { body: 'Mentions @dokafor once.' }));
    expect((await api('david', 'POST', '/api/pages/vte-panel/watch', {})).json()).toEqual({ slug: 'vte-panel', watching: true });
    expect((await api('david', 'PUT', '/api/notifications/preferences', { changed: 'digest', mentioned: 'digest' })).statusCode).toBe(200);
    t.app.notifications.poll();
    await t.app.notifications.send();
    const before = mail!.received.length;
    // Three saves; one also mentions David's team (he is not in it) and Maria (the owner) saves the last herself.
    for (const [who, n] of [['editor', 2], ['editor', 3], ['maria', 4]] as const) {
      clock.now = new Date(clock.now.getTime() + 60_000);
      const res = await api(who, 'PUT', '/api/pages/vte-panel', { ...page('vte-panel'), body: `Text ${n}, @dokafor still named.`, summary: `Change ${n}`, base_version: n - 1 });
      expect(res.statusCode).toBe(200);
    }
    t.app.notifications.poll();
    const david = (await api('david', 'GET', '/api/notifications')).json();
    const changes = david.notifications.filter((n: { kind: string }) => n.kind === 'changed');
    expect(changes.map((n: { link: string }) => n.link)).toEqual(['/p/vte-panel/diff?from=3&to=4', '/p/vte-panel/diff?from=2&to=3', '/p/vte-panel/diff?from=1&to=2']);
    expect(changes[0].text).toBe('Maria Reyes saved version 4: Change 4');
    // Maria owns the page: she hears of the editor's creation and two saves, not of her own.
    const maria = (await api('maria', 'GET', '/api/notifications')).json();
    expect(maria.notifications.map((n: { text: string }) => n.text)).toEqual(['editor saved version 3: Change 3', 'editor saved version 2: Change 2', 'editor created the page: Created page']);
    // David asked for a digest: nothing by mail yet, then one digest at 07:00 the next day with all of them.
    await t.app.notifications.send();
    expect(mail!.received.filter((m) => m.to.includes('david@hospital.test')).length - 0).toBe(0);
    expect(mail!.received.length - before).toBe(2); // Maria's two saves, at once
    clock.now = new Date('2026-03-03T07:00:00Z');
    t.app.notifications.poll();
    t.app.notifications.poll();
    await t.app.notifications.send();
    const digests = mail!.received.filter((m) => m.to.includes('david@hospital.test'));
    expect(digests).toHaveLength(1);
    // The three saves, and the mention when the page was created (polled after David chose the digest).
    expect(digests[0]!.subject).toBe('Whywiki digest: 4 notifications');
    expect(digests[0]!.raw).toContain('Change 3');
    expect(digests[0]!.messageId).toMatch(/^<d\.2026-03-03\.u\d+@/);
  });

  it('tells only those who may see a restricted page about its save, and decides again at delivery', async () => {
    const { t, mail, api } = await setup();
    await privacyTeam(t.store);
    t.store.parties.update({ handle: 'pwong', name: 'Pat Wong', title: null, email: 'pat@hospital.test' });
    // Maria and David watch all of Epic; Pat (privacy team) owns the restricted page.
    for (const who of ['maria', 'david']) expect((await api(who, 'POST', '/api/watches', { kind: 'system', target: 'Epic' })).statusCode).toBe(201);
    const fm = page('breach-log', { owners: ['pwong'], restricted_to: ['privacy'], body: 'Ask @mreyes and @dokafor.' });
    expect((await api('admin', 'POST', '/api/pages', fm)).statusCode).toBe(201);
    expect((await api('admin', 'PUT', '/api/pages/breach-log', { ...fm, body: 'Second.', summary: 'Tightened', base_version: 1 })).statusCode).toBe(200);
    t.app.notifications.poll();
    expect((await api('maria', 'GET', '/api/notifications')).json()).toEqual({ unread: 0, total: 0, limit: 100, notifications: [] });
    expect((await api('david', 'GET', '/api/notifications')).json()).toEqual({ unread: 0, total: 0, limit: 100, notifications: [] });
    expect((await api('pat', 'GET', '/api/notifications')).json().notifications.map((n: { kind: string }) => n.kind)).toEqual(['changed', 'changed']);
    // Pat leaves the team before the mails go: they are not sent, and the inbox hides them too.
    t.store.parties.setMembers('privacy', []);
    expect(await t.app.notifications.send()).toMatchObject({ sent: 0, dropped: 2 });
    expect(mail!.received).toEqual([]);
    expect((await api('pat', 'GET', '/api/notifications')).json()).toEqual({ unread: 0, total: 0, limit: 100, notifications: [] });
    // And a page that is open again is named in full to those who watch it.
    expect((await api('david', 'POST', '/api/pages/breach-log/watch', {})).statusCode).toBe(404);
  });

  it('keeps a save fast and whole when the mail server is down, lists the failure, and delivers later', async () => {
    const down = await startMailServer();
    const url = down.url;
    await down.close();
    const clock = { now: new Date('2026-03-02T09:00:00Z') };
    const t = await testApp({ smtpUrl: url, publicUrl: 'https://wiki.hospital.test' }, { clock: () => clock.now });
    cleanups.push(t.close);
    await people(t.store);
    t.app.notifications.poll();
    const token = tokenFor(t.store, 'editor');
    const res = await t.app.inject({ method: 'POST', url: '/api/pages', payload: page('down-page', { body: 'For @dokafor.' }), headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(201);
    t.app.notifications.poll();
    expect(await t.app.notifications.send()).toMatchObject({ sent: 0, retrying: 2 });
    const admin = new Browser(t.app);
    await admin.signIn('admin');
    const screen = await admin.get('/admin/notifications');
    expect(screen.statusCode).toBe(200);
    expect(screen.body).toMatch(/class="count-failing">2</);
    expect(screen.body).toContain('retrying');
    expect(screen.body).toContain('ECONNREFUSED');
    expect(screen.body).not.toContain('mail-secret-9');
    // Not due again until the backoff has passed; then the server is back on the same port.
    expect(await t.app.notifications.send()).toMatchObject({ sent: 0, retrying: 0 });
    const { SMTPServer } = await import('smtp-server');
    const back: string[] = [];
    const server = new SMTPServer({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true, logger: false, onAuth: (_a, _s, cb) => cb(null, { user: 'wiki' }), onData(stream, session, cb) { stream.resume(); stream.on('end', () => { back.push(...session.envelope.rcptTo.map((r) => r.address)); cb(); }); } });
    await new Promise<void>((resolve) => server.listen(down.port, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    clock.now = new Date(clock.now.getTime() + 61_000);
    expect(await t.app.notifications.send()).toMatchObject({ sent: 2 });
    expect(back.sort()).toEqual(['david@hospital.test', 'maria@hospital.test']);
    expect(t.store.notifications.mailCounts()).toMatchObject({ queued: 0, failing: 0, sent: 2 });
  });
});

describe('notifications from other events', () => {
  /** A store and a worker without the app, with the events recorded directly. */
  async function worker() {
    const { store } = testStore();
    await people(store);
    await createUser({ store, actor: { username: 'test' } }, { username: 'boss', password: PASSWORD, role: 'admin' });
    await createUser({ store, actor: { username: 'test' } }, { username: 'editor', password: PASSWORD, role: 'editor' });
    const now = new Date('2026-03-02T09:00:00Z');
    const w = new NotificationWorker({ store, clock: () => now, reviewDefaults: { Epic: '1y' }, digestHour: 7, mailFrom: 'w@x', baseUrl: 'https://w' });
    w.poll();
    cleanups.push(async () => { await w.stop(); store.close(); });
    const { createPage } = await import('../../server/pages/commands.js');
    const { commandContext } = await import('../helpers.js');
    createPage(commandContext(store, 'editor', { at: now }), { slug: 'sepsis', frontMatter: { ...sampleFrontMatter }, body: 'b' });
    w.poll();
    const kinds = (username: string) => store.notifications.inbox(store.users.byName(username)!.id, 50).map((n) => `${n.kind}: ${n.text}`);
    return { store, w, kinds, now };
  }

  it('turns comment events into mentions, replies and flags, never to the commenter', async () => {
    const { store, w, kinds } = await worker();
    store.transaction(() => recordAudit(store, { actor: 'david', action: 'comment.created', target: 'sepsis', details: { comment_id: 7, kind: 'wrong', version: 1, reply_to: 3, reply_to_author: 'maria', mentions: ['dokafor', 'epic-clindoc'] } }));
    w.poll();
    // Maria owns the page (flagged), wrote the comment replied to (reply), and is in the mentioned team: one notification, the strongest.
    expect(kinds('maria')).toEqual(['flagged: David Okafor flagged something on the page as wrong.', 'changed: editor created the page: Created page']);
    expect(kinds('david')).toEqual([]);
    expect(store.notifications.inbox(store.users.byName('maria')!.id, 1)[0]!.link).toBe('/p/sepsis#comment-7');
    store.transaction(() => recordAudit(store, { actor: 'maria', action: 'comment.created', target: 'sepsis', details: { comment_id: 8, kind: 'comment', version: 1, reply_to: 7, reply_to_author: 'david', mentions: [] } }));
    store.transaction(() => recordAudit(store, { actor: 'editor', action: 'comment.created', target: 'sepsis', details: { comment_id: 9, kind: 'comment', version: 1, reply_to: null, reply_to_author: null, mentions: ['mreyes'] } }));
    w.poll();
    expect(kinds('david')).toEqual(['reply: Maria Reyes replied to your comment.']);
    expect(kinds('maria')[0]).toBe('mentioned: editor mentioned you in a comment.');
  });

  it('asks approvers, tells teams and admins of a departure with the orphaned count, and reminds owners of reviews once', async () => {
    const { store, w, kinds } = await worker();
    store.transaction(() => recordAudit(store, { actor: 'editor', action: 'approval.requested', target: 'sepsis', details: { version: 1, approvers: ['david', 'editor'] } }));
    w.poll();
    expect(kinds('david')).toEqual(['approval: editor asks you to approve version 1.']);
    expect(kinds('editor')).toEqual([]);
    // Maria leaves: her team (epic-clindoc has only her) and the admins hear; the page she alone owned is orphaned.
    const { departPerson } = await import('../../server/people/commands/depart-person.js');
    const { commandContext } = await import('../helpers.js');
    departPerson(commandContext(store, 'operator'), { handle: 'mreyes', date: '2026-03-01', reason: 'Moved on', today: '2026-03-02' });
    w.poll();
    expect(kinds('boss')).toEqual(['departed: Maria Reyes left; 1 page has no active owner now.']);
    // Reviews: a page created now with a one-month interval is due within 14 days after 17 days, overdue after a month.
    const { createPage } = await import('../../server/pages/commands.js');
    const created = new Date('2026-03-02T09:00:00Z');
    createPage(commandContext(store, 'editor', { at: created }), { slug: 'monthly', frontMatter: { ...sampleFrontMatter, owners: ['dokafor'], review_every: '1m' }, body: 'b' });
    let now = new Date('2026-03-20T09:00:00Z');
    const sweeper = new NotificationWorker({ store, clock: () => now, reviewDefaults: {}, digestHour: 7, mailFrom: 'w@x', baseUrl: 'https://w' });
    sweeper.poll();
    sweeper.poll();
    const reviews = () => kinds('david').filter((k) => k.startsWith('review'));
    expect(reviews()).toEqual(['review: The review falls due on 2026-04-02.']);
    now = new Date('2026-04-03T09:00:00Z');
    const later = new NotificationWorker({ store, clock: () => now, reviewDefaults: {}, digestHour: 7, mailFrom: 'w@x', baseUrl: 'https://w' });
    later.poll();
    later.poll();
    expect(reviews()).toEqual(['review: The review was due on 2026-04-02 and is overdue.', 'review: The review falls due on 2026-04-02.']);
  });
});

describe('the notification routes refuse bad input clearly', () => {
  it('answers 400 with a message for bad bodies and unknown targets, and touches only the caller\'s own notifications', async () => {
    const { t, api } = await setup({ smtp: false });
    await api('editor', 'POST', '/api/pages', page('own-page', { body: 'Hello @dokafor.' }));
    t.app.notifications.poll();
    const mine = (await api('david', 'GET', '/api/notifications')).json().notifications[0].id as number;
    const bad: [string, 'POST' | 'PUT', string, object][] = [
      ['no ids', 'POST', '/api/notifications/read', {}],
      ['all false', 'POST', '/api/notifications/read', { all: false }],
      ['ids not numbers', 'POST', '/api/notifications/read', { ids: ['x'] }],
      ['unknown delivery', 'PUT', '/api/notifications/preferences', { changed: 'hourly' }],
      ['unknown kind', 'PUT', '/api/notifications/preferences', { gossip: 'off' }],
      ['unknown system', 'POST', '/api/watches', { kind: 'system', target: 'Cerner' }],
      ['unknown module', 'POST', '/api/watches', { kind: 'system', target: 'Epic/NoSuchModule' }],
      ['unknown owner', 'POST', '/api/watches', { kind: 'owner', target: 'nobody-here' }],
      ['unknown kind of watch', 'POST', '/api/watches', { kind: 'everything', target: 'x' }],
    ];
    for (const [name, method, url, payload] of bad) {
      const res = await api('david', method, url, payload);
      expect(res.statusCode, name).toBe(400);
      expect(res.json().message, name).toEqual(expect.any(String));
    }
    expect((await api('david', 'POST', '/api/watches', { kind: 'page', target: 'no-such-page' })).statusCode).toBe(404);
    // Maria cannot mark David's notification read; David can.
    expect((await api('maria', 'POST', '/api/notifications/read', { ids: [mine] })).json()).toEqual({ marked: 0, unread: 1 });
    expect((await api('david', 'GET', '/api/notifications')).json().unread).toBe(1);
    expect((await api('david', 'POST', '/api/notifications/read', { ids: [mine] })).json()).toEqual({ marked: 1, unread: 0 });
    // A module that exists, and an owner, are accepted and listed; off means nothing arrives.
    expect((await api('david', 'POST', '/api/watches', { kind: 'system', target: 'Epic/ClinDoc' })).statusCode).toBe(201);
    expect((await api('david', 'POST', '/api/watches', { kind: 'owner', target: 'epic-clindoc' })).statusCode).toBe(201);
    expect((await api('david', 'GET', '/api/watches')).json()).toMatchObject({ watches: [{ kind: 'owner', target: 'epic-clindoc' }, { kind: 'system', target: 'Epic/ClinDoc' }], owner_of: ['dokafor'] });
    expect((await api('david', 'PUT', '/api/notifications/preferences', { changed: 'off' })).json().preferences.changed).toBe('off');
    await api('editor', 'PUT', '/api/pages/own-page', { ...page('own-page'), body: 'Hello @dokafor, again.', summary: 'Again', base_version: 1 });
    t.app.notifications.poll();
    expect((await api('david', 'GET', '/api/notifications')).json().unread).toBe(0);
  });

  it('refuses an SMTP address that is not one, without repeating the password', async () => {
    const { loadConfig } = await import('../../server/config.js');
    expect(() => loadConfig({ WHYWIKI_DATA: tempDir(), WHYWIKI_SMTP_URL: 'http://user:hunter22@mail' })).toThrow(/WHYWIKI_SMTP_URL must be an smtp/);
    expect(() => loadConfig({ WHYWIKI_DATA: tempDir(), WHYWIKI_SMTP_URL: 'http://user:hunter22@mail' })).not.toThrow(/hunter22/);
    expect(() => loadConfig({ WHYWIKI_DATA: tempDir(), WHYWIKI_DIGEST_HOUR: '24' })).toThrow(/WHYWIKI_DIGEST_HOUR/);
    expect(loadConfig({ WHYWIKI_DATA: tempDir(), WHYWIKI_SMTP_URL: 'smtp://u:p@mail.hospital.org:587' })).toMatchObject({ smtpUrl: 'smtp://u:p@mail.hospital.org:587', digestHour: 7 });
  });
});

describe('watching from the screens', () => {
  it('watches and unwatches a page with its button, and a team from its page; the header counts unread', async () => {
    const { t, api } = await setup({ smtp: false });
    await api('editor', 'POST', '/api/pages', page('button-page', { owners: ['dokafor'] }));
    const david = new Browser(t.app);
    await david.signIn('david');
    const view = await david.get('/p/button-page');
    expect(view.body).toContain('aria-pressed="false">Watch<');
    expect(view.body).toContain('action="/p/button-page/watch" id="watch-form"');
    expect((await david.post('/p/button-page/watch', {})).headers.location).toBe('/p/button-page');
    const watching = (await david.get('/p/button-page')).body;
    expect(watching).toContain('aria-pressed="true">Unwatch<');
    expect(watching).toContain('action="/p/button-page/unwatch" id="watch-form"');
    await david.post('/p/button-page/unwatch', {});
    expect((await david.get('/p/button-page')).body).toContain('aria-pressed="false">Watch<');
    // From the team's page: everything the team owns; back to the team page.
    await david.get('/teams/epic-clindoc');
    const res = await david.post('/inbox/watches', { kind: 'owner', target: 'epic-clindoc', back: '/teams/epic-clindoc' });
    expect(res.headers.location).toBe('/teams/epic-clindoc');
    await api('editor', 'POST', '/api/pages', page('team-page', { owners: ['epic-clindoc'] }));
    t.app.notifications.poll();
    // David owns button-page (created above: one notification) and watches the team's pages (one more).
    const home = await david.get('/');
    expect(home.body).toMatch(/class="inbox-link">Inbox <span class="badge unread-count" aria-label="2 unread">2<\/span>/);
    const settings = await david.get('/inbox/settings');
    expect(settings.body).toContain('Everything Epic ClinDoc Team owns');
    // A redirect elsewhere than a team or person page is not followed.
    expect((await david.post('/inbox/watches', { kind: 'system', target: 'Epic', back: 'https://elsewhere.example' })).headers.location).toBe('/inbox/settings');
  });
});
