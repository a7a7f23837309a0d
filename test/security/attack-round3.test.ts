import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, commandContext, privacyTeam, sampleFrontMatter, testApp, tokenFor, type TestApp } from '../helpers.js';
import { createPage } from '../../server/pages/commands.js';
import { FINDINGS_KEPT } from '../../server/phi/retro-scan.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { addComment } from '../../server/comments/commands/add-comment.js';
import { slackPayload, teamsPayload, type EventMessage } from '../../server/integrations/payloads.js';

const SECRET_TITLE = 'Break-the-glass audit for VIP charts';
const hiddenSlug = 'vip-break-the-glass';
const PHI = 'Reproduced on MRN 00482913 in TST.';
let t: TestApp;
let member: string;
let reader: string;
let editor: string;
let auditor: string;
let admin: string;
let hiddenComment: number;
let openComment: number;

beforeAll(async () => {
  t = await testApp();
  await privacyTeam(t.store);
  member = tokenFor(t.store, 'pat');
  reader = tokenFor(t.store, 'reader');
  editor = tokenFor(t.store, 'editor');
  auditor = tokenFor(t.store, 'auditor');
  admin = tokenFor(t.store, 'admin');
  const ctx = commandContext(t.store, 'pwong');
  createPage(ctx, { slug: hiddenSlug, frontMatter: { ...sampleFrontMatter, title: SECRET_TITLE, tickets: ['CHG0099999'], records: ['BPA 7777777'], restricted_to: ['privacy'] }, body: 'Secret.' });
  createPage(ctx, { slug: 'open-page', frontMatter: { ...sampleFrontMatter, title: 'Open page' }, body: 'Everyone sees this.' });
  hiddenComment = addComment(commandContext(t.store, 'pat'), { slug: hiddenSlug, body: 'Hidden thread' }).id;
  openComment = addComment(commandContext(t.store, 'pat'), { slug: 'open-page', body: 'Open thread' }).id;
});
afterAll(async () => { await t.close(); });

const call = (token: string, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}`, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...headers }, ...(payload !== undefined ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) } : {}) });

// Attacks on the comment, notification, integration, sign-off, purge, PHI-scan and standby routes.
// Each `it` is one line of attack; those that found something name the fix in their title.
describe('attacks on the routes for comments, inbox, integrations, sign-off, purges and the PHI scan', () => {
  it('a comment on a restricted page cannot be resolved or reopened by an outsider, and answers as a missing one', async () => {
    for (const action of ['resolve', 'reopen']) {
      const hidden = await call(editor, 'POST', `/api/comments/${hiddenComment}/${action}`);
      const missing = await call(editor, 'POST', `/api/comments/999999/${action}`);
      expect(hidden.statusCode, action).toBe(404);
      expect(hidden.body.replace(String(hiddenComment), 'N')).toBe(missing.body.replace('999999', 'N'));
    }
  });

  it('huge, non-numeric and negative ids answer 4xx, never 500', async () => {
    for (const url of ['/api/comments/99999999999999999999/resolve', '/api/comments/abc/resolve', '/api/comments/1e400/resolve', '/api/comments/0/resolve', '/api/comments/-1/resolve', '/api/comments/1.5/resolve']) {
      const res = await call(editor, 'POST', url);
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, url).toBeLessThan(500);
    }
    for (const url of ['/api/watches/99999999999999999999', '/api/watches/abc', '/api/watches/1e400', '/api/webhooks/99999999999999999999', '/api/webhooks/99999999999999999999/deliveries', '/api/purges/99999999999999999999/approve']) {
      const res = await call(admin, url.includes('approve') ? 'POST' : url.includes('deliveries') ? 'GET' : 'DELETE', url, url.includes('approve') ? { password: 'x' } : undefined);
      expect(res.statusCode, url + res.body).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, url).toBeLessThan(500);
    }
    for (const url of ['/api/tickets/' + 'x'.repeat(100), '/api/tickets/%00', '/api/records/%20', '/api/tickets/%ff']) {
      const res = await call(reader, 'GET', url);
      expect(res.statusCode, url + res.body).toBeLessThan(500);
    }
  });

  it('malformed JSON, missing fields, unknown values and non-http(s) webhook URLs answer 4xx, never 500', async () => {
    for (const [m, url, body] of [
      ['POST', '/api/pages/open-page/comments', '{'], ['POST', '/api/pages/open-page/comments', '{}'], ['POST', '/api/pages/open-page/comments', '{"body":null}'],
      ['POST', '/api/pages/open-page/comments', '{"body":"x","reply_to":99999999999999999999}'], ['POST', '/api/pages/open-page/comments', '{"body":"x","reply_to":"abc"}'],
      ['POST', '/api/notifications/read', '{'], ['POST', '/api/notifications/read', '{"all":false}'],
      ['PUT', '/api/notifications/preferences', '{"mention":"loud"}'], ['PUT', '/api/notifications/preferences', '[]'],
      ['POST', '/api/watches', '{"kind":"owner","target":"nobody"}'], ['POST', '/api/watches', '{"kind":"system","target":"Nope/Nope"}'], ['POST', '/api/watches', '{"kind":"page","target":"../x"}'],
      ['POST', '/api/watches', '{"kind":"system","target":"Epic/"}'], ['POST', '/api/watches', '{"kind":"system","target":"/"}'],
      ['POST', '/api/pages/open-page/signatures', '{"version":99999999999999999999,"meaning":"reviewed","password":"a-long-test-password"}'],
      ['POST', '/api/pages/open-page/approval-requests', '{'],
    ] as const) {
      const res = await call(m === 'POST' && url.includes('approval') ? editor : reader, m, url, body);
      expect(res.statusCode, `${url} ${body} ${res.body}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${url} ${body} ${res.body}`).toBeLessThan(500);
    }
    for (const [url, body] of [
      ['/api/webhooks', '{'], ['/api/webhooks', '{"url":"file:///etc/passwd"}'], ['/api/webhooks', '{"url":"javascript:alert(1)"}'], ['/api/webhooks', '{"url":"gopher://x"}'],
      ['/api/webhooks', '{"url":"https://a:b@x.example"}'], ['/api/webhooks', '{"url":"https://x.example","events":["nope"]}'], ['/api/webhooks', '{"url":"https://x.example","team":"nobody"}'],
      ['/api/webhooks', '{"url":"https://x.example","system":"Nope"}'], ['/api/webhooks', `{"url":"https://x.example","label":"${PHI}"}`], ['/api/webhooks', '{"url":"https://hooks.slack.com/x","kind":"slack","secret":"0123456789abcdefg"}'],
      ['/api/pages/open-page/versions/1/purge', `{"reason":"${PHI}","text":"Everyone"}`], ['/api/pages/open-page/versions/99999999999999999999/purge', '{"reason":"r","text":"Everyone"}'], ['/api/pages/open-page/versions/1/purge', '{"reason":"","text":""}'],
      ['/api/pages/open-page/versions/1/purge', '{"reason":"because","text":"not in there"}'],
    ] as const) {
      const res = await call(admin, 'POST', url, body);
      expect(res.statusCode, `${url} ${body} ${res.body}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, `${url} ${body} ${res.body}`).toBeLessThan(500);
    }
  });

  it('the PHI guard reads comments and signature comments', async () => {
    const res = await call(reader, 'POST', '/api/pages/open-page/comments', { body: PHI });
    expect(res.statusCode).toBe(422);
    const sig = await call(editor, 'POST', '/api/pages/open-page/signatures', { version: 1, meaning: 'reviewed', password: 'a-long-test-password', comment: PHI });
    expect(sig.statusCode, sig.body).toBe(422);
  });

  it('readers, editors and auditors cannot reach the admin and audit routes', async () => {
    for (const [token, m, url] of [[reader, 'GET', '/api/webhooks'], [editor, 'GET', '/api/webhooks'], [auditor, 'GET', '/api/webhooks'], [auditor, 'GET', '/api/purges'], [editor, 'GET', '/api/feed'], [auditor, 'GET', '/api/feed'], [reader, 'GET', '/api/reports/phi'], [editor, 'GET', '/api/reports/phi'],
      [reader, 'POST', '/api/pages/open-page/approval-requests'], [editor, 'GET', '/admin/purges'], [auditor, 'GET', '/admin/phi/scan'.replace('scan', 'x')], [editor, 'GET', '/admin/integrations'], [auditor, 'GET', '/admin/notifications']] as const) {
      const res = await call(token, m, url, m === 'POST' ? {} : undefined);
      expect([403, 404], `${url}`).toContain(res.statusCode);
    }
  });

  it('ticket and record lookups, signatures and comments of a restricted page show nothing to an outsider', async () => {
    for (const url of ['/api/tickets/CHG0099999', '/api/records/BPA%207777777']) {
      const res = await call(editor, 'GET', url);
      expect(res.body, url).not.toContain(hiddenSlug);
      expect((await call(member, 'GET', url)).body).toContain(hiddenSlug);
    }
    for (const url of [`/api/pages/${hiddenSlug}/signatures`, `/api/pages/${hiddenSlug}/comments`]) {
      expect((await call(editor, 'GET', url)).statusCode).toBe(404);
    }
  });

  it('every new HTML form refuses a post without the CSRF token', async () => {
    const b = new Browser(t.app);
    await b.signIn('editor');
    await b.get('/p/open-page');
    for (const url of ['/p/open-page/comments', `/p/open-page/comments/${openComment}/resolve`, '/inbox/read', '/inbox/1/open', '/inbox/settings', '/inbox/watches', '/inbox/watches/1/remove', '/p/open-page/watch', '/p/open-page/unwatch']) {
      const res = await b.post(url, { body: 'hi', all: '1' }, false);
      expect(res.statusCode, url).toBe(403);
    }
  });

  it('a webhook secret and the query of its URL are never answered again, nor audited', async () => {
    const res = await call(admin, 'POST', '/api/webhooks', { url: 'https://x.example/hook?token=abc', secret: 'super-secret-value-123', events: ['page.saved'] });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id;
    for (const url of ['/api/webhooks', `/api/webhooks/${id}/deliveries`, '/admin/integrations', '/api/audit', '/audit']) {
      const r = await call(admin, 'GET', url);
      expect(r.body, url).not.toContain('super-secret-value-123');
      expect(r.body, url).not.toContain('token=abc');
    }
  });

  it('a comment cannot carry script, event handlers, javascript: links, frames or forms', async () => {
    for (const body of ['<script>alert(1)</script>', '[x](javascript:alert(1))', '<img src=x onerror=alert(1)>', '@mreyes"><svg onload=alert(1)>', '<a href="javascript:alert(1)">y</a>', '[[open-page|<img src=x onerror=alert(1)>]]', '<iframe src="https://evil.example"></iframe>', '<form action="https://evil.example"><input name=password></form>']) {
      const res = await call(reader, 'POST', '/api/pages/open-page/comments', { body });
      expect(res.statusCode, body + res.body).toBe(201);
      const html = res.json().html as string;
      expect(html, body).not.toMatch(/<script|onerror=|onload=|javascript:|<iframe|<form|<input/i);
    }
    const page = await call(reader, 'GET', '/p/open-page');
    expect(page.body).not.toMatch(/<script>alert|onerror=alert|onload=alert|javascript:alert|<iframe src="https:\/\/evil|<form action="https:\/\/evil/);
  });

  describe('chat messages carry page text as text, never as markup', () => {
    // An editor chooses the title, module and change summary; the channel sees them under the wiki's name.
    const phishing = '[Reset your password](https://evil.example/login)';
    const message: EventMessage = {
      event: 'page.saved', delivery: 'd1', occurred_at: '2026-01-01T00:00:00Z', actor: { username: 'pat', name: 'Pat **Wong**' },
      page: { slug: 'open-page', title: `Open ${phishing}`, system: 'Epic', module: phishing, status: 'live', url: 'https://wiki.example/p/open-page', version: 2 },
      change: { summary: `<!channel> ${phishing} <https://evil.example|click>` },
    };

    it('a Teams card shows no link but its own button', () => {
      const card = JSON.stringify(teamsPayload(message));
      // TextBlock and FactSet render Markdown in Teams; TextRun does not.
      expect(card).not.toMatch(/"type":"(TextBlock|FactSet)"/);
      expect(card).toContain(phishing);
      const urls = [...card.matchAll(/https?:\/\/[^"\s)]+/g)].map((m) => m[0]).filter((u) => !u.startsWith('http://adaptivecards.io'));
      expect(urls.filter((u) => !u.startsWith('https://evil.example'))).toEqual(['https://wiki.example/p/open-page']);
    });

    it('a Slack message pings nobody and links nowhere else, in its notification text too', () => {
      const payload = slackPayload(message) as { text: string };
      expect(payload.text).not.toContain('<!channel>');
      expect(payload.text).not.toContain('<https://evil.example|');
      expect(payload.text).toContain('&lt;!channel&gt;');
    });
  });

  it('a mention on a restricted page reaches nobody outside its team; nobody opens, marks read or removes another person\'s notification or watch; bad form input answers 4xx', async () => {
    await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'david', password: 'a-long-test-password', role: 'reader', person: 'dokafor' });
    const david = tokenFor(t.store, 'david');
    // The consumer starts at the head of the log the first time it looks.
    t.app.notifications.poll();
    const c = await call(member, 'POST', `/api/pages/${hiddenSlug}/comments`, { body: 'Ping @dokafor and @epic-clindoc' });
    expect(c.statusCode).toBe(201);
    await call(member, 'POST', `/api/pages/open-page/comments`, { body: 'Ping @dokafor on the open page' });
    t.app.notifications.poll();
    const inbox = await call(david, 'GET', '/api/notifications');
    expect(inbox.body).not.toContain(SECRET_TITLE);
    const ids = (inbox.json().notifications as { id: number }[]).map((n) => n.id);
    expect(ids.length).toBeGreaterThan(0);
    const w = await call(david, 'POST', '/api/watches', { kind: 'page', target: 'open-page' });
    expect(w.statusCode).toBe(201);
    const b = new Browser(t.app);
    await b.signIn('editor');
    await b.get('/inbox');
    expect((await b.post(`/inbox/${ids[0]}/open`, {})).statusCode).toBe(404);
    expect((await b.post(`/inbox/watches/${w.json().id}/remove`, {})).statusCode).toBe(404);
    expect((await call(editor, 'DELETE', `/api/watches/${w.json().id}`)).statusCode).toBe(404);
    expect((await call(editor, 'POST', '/api/notifications/read', { ids })).json().marked).toBe(0);
    expect((await call(david, 'GET', '/api/notifications')).json().unread).toBe(ids.length);
    for (const [url, form] of [
      ['/inbox/read', { id: 'abc' }], ['/inbox/abc/open', {}], ['/inbox/99999999999999999999/open', {}], ['/inbox/watches', { kind: 'page', target: 'x' }], ['/inbox/watches', { kind: 'owner' }],
      ['/inbox/watches', { kind: 'owner', target: 'nobody' }], ['/inbox/settings', { mentioned: 'loud' }], ['/p/open-page/comments', { reply_to: 'abc', body: 'x' }], ['/p/open-page/comments', { kind: 'evil', body: 'x' }], ['/p/open-page/comments', {}],
      ['/p/open-page/comments', { body: PHI }], ['/p/open-page/comments', { body: 'x', reply_to: String(hiddenComment) }], ['/p/open-page/comments/abc/resolve', {}], [`/p/open-page/comments/${hiddenComment}/resolve`, {}], ['/p/nope/comments', { body: 'x' }],
    ] as const) {
      await b.get('/inbox');
      const res = await b.post(url, form);
      expect(res.statusCode, `${url} ${JSON.stringify(form)} ${res.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, url).toBeLessThan(500);
    }
  });

  it('a comment on an open page that links a restricted one names it to nobody outside its team', async () => {
    for (const body of [`See [[${hiddenSlug}]]`, `See [[${hiddenSlug}|label]]`, `![[${hiddenSlug}]]`, `<${'http://localhost/p/' + hiddenSlug}>`, `[x](/p/${hiddenSlug})`, `[x](/p/${hiddenSlug}/history)`]) {
      const made = await call(member, 'POST', '/api/pages/open-page/comments', { body, kind: 'wrong' });
      expect(made.statusCode, made.body).toBe(201);
      for (const url of ['/api/pages/open-page/comments', '/p/open-page', '/reports/flagged', '/api/pages/open-page']) {
        const res = await call(editor, 'GET', url);
        expect(res.body, `${body} ${url}`).not.toContain(SECRET_TITLE);
        expect(res.body, `${body} ${url}`).not.toContain(hiddenSlug);
      }
    }
  });

  it('admin screens and forms answer bad ids, PHI and bad URLs with 4xx, never 500', async () => {
    for (const url of ['/p/open-page/v/99999999999999999999/purge', '/p/open-page/v/1e400/purge', '/p/open-page/v/0/purge', '/api/feed?after=garbage', '/api/feed?after=99999999999999999999', '/api/feed?after=-1', '/api/feed?after=%00', '/api/tickets/%E2%80%AE', '/api/records/' + encodeURIComponent('\\u0000x'), '/admin/integrations?x=1', '/admin/purges', '/admin/phi/scan', '/api/reports/phi', '/reports/access', '/api/reports/access', '/admin/notifications']) {
      const res = await call(admin, 'GET', url);
      expect(res.statusCode, url + res.body.slice(0, 200)).toBeLessThan(500);
    }
    const b = new Browser(t.app);
    await b.signIn('admin');
    for (const [url, form] of [
      ['/admin/purges/99999999999999999999/approve', { password: 'x' }], ['/admin/purges/abc/approve', { password: 'x' }], ['/p/open-page/v/1/purge', { reason: PHI, text: 'Everyone' }], ['/p/open-page/v/1/purge', { reason: '', text: '' }], ['/p/open-page/v/9999/purge', { reason: 'r', text: 'Everyone sees' }],
      ['/admin/integrations', { url: 'file:///etc/passwd' }], ['/admin/integrations', { url: 'javascript:alert(1)', events: 'page.saved' }], ['/admin/integrations', { url: 'https://x.example', events: 'page.saved', label: PHI }], ['/admin/integrations/99999999999999999999/remove', {}], ['/admin/integrations/abc/remove', {}],
    ] as const) {
      await b.get('/admin/purges');
      const res = await b.post(url, form);
      expect(res.statusCode, `${url} ${JSON.stringify(form)} ${res.body.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, url).not.toBe(403);
      expect(res.statusCode, url).toBeLessThan(500);
    }
  });

  it('the PHI scan total counts no findings on pages the reader may not see, past the findings it keeps', async () => {
    const t2 = await testApp();
    try {
      await privacyTeam(t2.store);
      // Planted as text saved before a rule existed would be (the test context carries no guard):
      // enough findings on an open page to fill the kept list, then a few on a restricted page.
      const ssns = Array.from({ length: FINDINGS_KEPT }, (_, i) => `Called back about 123-45-${String(1000 + (i % 9000)).padStart(4, '0')}.`).join('\n');
      createPage(commandContext(t2.store), { slug: 'open-findings', frontMatter: { ...sampleFrontMatter, title: 'Open findings' }, body: ssns });
      createPage(commandContext(t2.store, 'pwong'), { slug: hiddenSlug, frontMatter: { ...sampleFrontMatter, title: SECRET_TITLE, restricted_to: ['privacy'] }, body: 'Old ticket had 078-05-1121 and 219-09-9999 in it.' });
      const seen = async (username: string) => (await t2.app.inject({ url: '/api/reports/phi', headers: { authorization: `Bearer ${tokenFor(t2.store, username)}` } })).json<{ total: number; findings: { slug: string }[] }>();
      const all = await seen('admin');
      expect(all.findings).toHaveLength(FINDINGS_KEPT);
      expect(all.total).toBeGreaterThan(FINDINGS_KEPT);
      const outside = await seen('auditor');
      expect(outside.findings.some((f) => f.slug === hiddenSlug)).toBe(false);
      expect(outside.total).toBe(FINDINGS_KEPT);
      // The per-page counts name pages: they stay on the server.
      expect(JSON.stringify(outside)).not.toContain(hiddenSlug);
    } finally {
      await t2.close();
    }
  });
});
