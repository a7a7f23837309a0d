import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPage } from '../../server/pages/commands.js';
import { recordAudit } from '../../server/audit/log.js';
import { Browser, openAndHiddenPages, testApp, tokenFor, type TestApp } from '../helpers.js';

// The lists paged after the first round: the audit log's keyset paging beside `p`, watches, reading paths,
// teams and webhooks. Rows are written straight into the store where the list only reads them.

let t: TestApp;
let auth: Record<string, Record<string, string>>;
const HIDDEN = ['zz-restricted-1', 'aa-restricted-2'];
const at = '2026-01-01T00:00:00.000Z';

beforeAll(async () => {
  t = await testApp();
  await openAndHiddenPages(t.store, HIDDEN);
  auth = Object.fromEntries(['admin', 'auditor', 'editor', 'reader'].map((who) => [who, { authorization: `Bearer ${tokenFor(t.store, who)}` }]));
}, 60_000);
afterAll(async () => { await t.close(); });

type Answer = Record<string, unknown> & { total: number; limit: number; next?: string };

/** Every answer of an API list from `url`, following `next` and checking it against the Link header. */
async function follow(url: string, who: string): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next: string | undefined = url;
  for (let n = 0; next && n < 50; n++) {
    const res = await t.app.inject({ url: next, headers: auth[who] });
    expect(res.statusCode, `${next}: ${res.body.slice(0, 200)}`).toBe(200);
    const body = res.json() as Answer;
    expect(res.headers.link).toBe(body.next ? `<${body.next}>; rel="next"` : undefined);
    answers.push(body);
    next = body.next;
  }
  return answers;
}

async function refuses(url: string, field: string, who: string) {
  const res = await t.app.inject({ url, headers: auth[who] });
  expect(res.statusCode, url).toBe(400);
  expect(res.body, url).toContain(field);
}

describe('the audit log: p= kept, after= added', () => {
  let hiddenEventId = 0;
  /** mreyes's events an auditor outside the privacy team sees. */
  const visible = () => t.store.audit.count({ actor: 'mreyes', hiddenTargets: HIDDEN });
  beforeAll(() => {
    t.store.transaction(() => {
      for (let i = 0; i < 120; i++) recordAudit(t.store, { actor: 'mreyes', action: 'page.saved', target: 'open-page', details: { n: i } });
      hiddenEventId = recordAudit(t.store, { actor: 'mreyes', action: 'page.saved', target: HIDDEN[0]!, details: {} }).id;
      recordAudit(t.store, { actor: 'mreyes', action: 'page.saved', target: 'open-page', details: { n: 'last' } });
    });
  });

  it('answers p= exactly as before, and adds next and a Link header by after', async () => {
    const res = await t.app.inject({ url: '/api/audit?actor=mreyes&limit=50&p=2', headers: auth.auditor });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { total: number; page: number; limit: number; next: string; events: { id: number }[] };
    expect(body).toMatchObject({ total: visible(), page: 2, limit: 50 });
    expect(body.events).toHaveLength(50);
    // The same events the offset always gave.
    const expected = t.store.audit.search({ actor: 'mreyes', hiddenTargets: HIDDEN }, 50, 50).map((e) => e.id);
    expect(body.events.map((e) => e.id)).toEqual(expected);
    expect(body.next).toBe(`/api/audit?actor=mreyes&limit=50&after=${expected[49]}`);
    expect(res.headers.link).toBe(`<${body.next}>; rel="next"`);
  });

  it('follows after= from the first answer to the last: disjoint, complete, newest first, hidden pages neither listed nor counted', async () => {
    const answers = await follow('/api/audit?actor=mreyes&limit=50', 'auditor');
    const total = visible();
    expect(total).toBeGreaterThan(100);
    expect(answers.map((a) => (a.events as unknown[]).length)).toEqual([50, 50, total - 100]);
    expect(answers.every((a) => a.total === total && a.limit === 50)).toBe(true);
    expect(answers[0]!.page).toBe(1);
    expect(answers.slice(1).every((a) => a.page === undefined)).toBe(true);
    const ids = answers.flatMap((a) => (a.events as { id: number }[]).map((e) => e.id));
    expect(new Set(ids).size).toBe(total);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(ids).not.toContain(hiddenEventId);
    expect(answers.at(-1)!.next).toBeUndefined();
  });

  it('keeps its place by after when newer events arrive, where p= shifts', async () => {
    const first = (await t.app.inject({ url: '/api/audit?actor=mreyes&limit=50', headers: auth.auditor })).json() as { next: string; events: { id: number }[] };
    const byP = (await t.app.inject({ url: '/api/audit?actor=mreyes&limit=50&p=2', headers: auth.auditor })).json() as { events: { id: number }[] };
    t.store.transaction(() => recordAudit(t.store, { actor: 'mreyes', action: 'page.saved', target: 'open-page', details: { n: 'newer' } }));
    const byAfter = (await t.app.inject({ url: first.next, headers: auth.auditor })).json() as { events: { id: number }[] };
    expect(byAfter.events.map((e) => e.id)).toEqual(byP.events.map((e) => e.id));
    expect(byAfter.events[0]!.id).toBeLessThan(first.events[49]!.id);
  });

  it('refuses a bad after, one naming a hidden or filtered-out event, and p with after, naming the field', async () => {
    await refuses('/api/audit?after=abc', 'after', 'auditor');
    await refuses('/api/audit?after=0', 'after', 'auditor');
    await refuses('/api/audit?after=99999999', 'after', 'auditor');
    await refuses(`/api/audit?after=${hiddenEventId}`, 'after', 'auditor');
    const signIn = t.store.audit.search({ action: 'page.created' }, 1, 0)[0]!.id;
    await refuses(`/api/audit?actor=mreyes&after=${signIn}`, 'after', 'auditor');
    const some = t.store.audit.search({ actor: 'mreyes' }, 1, 0)[0]!.id;
    await refuses(`/api/audit?p=2&after=${some}`, 'after', 'auditor');
    await refuses('/api/audit?limit=501', 'limit', 'auditor');
  });

  it('pages the screen by after too, with the Link header, keeping p= links', async () => {
    const auditor = new Browser(t.app);
    await auditor.signIn('auditor');
    const first = await auditor.get('/audit?actor=mreyes');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('href="/audit?actor&#x3D;mreyes&amp;p&#x3D;2"');
    const next = /<([^>]+)>; rel="next"/.exec(String(first.headers.link))![1]!;
    expect(next).toMatch(/^\/audit\?actor=mreyes&after=\d+$/);
    const second = await auditor.get(next);
    expect(second.statusCode).toBe(200);
    const after = Number(next.split('after=')[1]);
    const shown = [...second.body.matchAll(/<tr>\s*<td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
    expect(shown).toHaveLength(50);
    expect(Math.max(...shown)).toBeLessThan(after);
    expect(second.body).toContain(`Older events, ${visible()} in all`);
    expect((await auditor.get(`/audit?after=${hiddenEventId}`)).statusCode).toBe(400);
  });

  it('stays closed to readers and editors', async () => {
    for (const who of ['reader', 'editor']) expect((await t.app.inject({ url: '/api/audit?after=1', headers: auth[who] })).statusCode).toBe(403);
  });
});

describe('watches, reading paths, teams and webhooks, a page at a time', () => {
  beforeAll(() => {
    const editor = t.store.users.byName('editor')!.id;
    for (let i = 0; i < 150; i++) t.store.notifications.watch(editor, 'page', `watched-${String(i).padStart(3, '0')}`, at);
    for (const slug of HIDDEN) t.store.notifications.watch(editor, 'page', slug, at);
    for (let i = 0; i < 150; i++) t.store.parties.insert({ handle: `team-${String(i).padStart(3, '0')}`, kind: 'team', name: `Team ${i}`, title: null, email: null, status: 'active', departed_on: null, created_at: at });
    for (let i = 0; i < 150; i++) {
      const id = t.store.transfer.insertPath(at, 'admin');
      t.store.transfer.insertPathVersion({ path_id: id, version: 1, title: `Path ${i}`, description: '', steps: JSON.stringify([{ slug: 'open-page', note: '' }, { slug: HIDDEN[0], note: '' }]), author: 'admin', created_at: at });
    }
    for (let i = 0; i < 150; i++) t.store.integrations.insert({ kind: 'webhook', label: `Hook ${i}`, url: `https://hooks.example.org/${i}`, secret: null, events: '["page.saved"]', team: null, system: null, created_at: at, created_by: 'admin' });
  });

  const cases = [
    { url: '/api/watches', field: 'watches', who: 'editor', key: (i: Record<string, unknown>) => String(i.id) },
    { url: '/api/paths', field: 'paths', who: 'reader', key: (i: Record<string, unknown>) => String(i.id) },
    { url: '/api/teams', field: 'teams', who: 'reader', key: (i: Record<string, unknown>) => String(i.handle) },
    { url: '/api/webhooks', field: 'webhooks', who: 'admin', key: (i: Record<string, unknown>) => String(i.id) },
  ];

  for (const c of cases) {
    it(`${c.url}: 100 by default, then the rest by next; disjoint and complete`, async () => {
      const answers = await follow(c.url, c.who);
      const lists = answers.map((a) => a[c.field] as Record<string, unknown>[]);
      const total = answers[0]!.total;
      expect(total).toBeGreaterThanOrEqual(150);
      expect(lists[0]).toHaveLength(100);
      expect(lists.flat()).toHaveLength(total);
      expect(new Set(lists.flat().map(c.key)).size).toBe(total);
      expect(answers.every((a) => a.limit === 100 && a.total === total)).toBe(true);
      expect(answers.at(-1)!.next).toBeUndefined();
      const small = await follow(`${c.url}?limit=1000`, c.who);
      expect(small).toHaveLength(1);
      expect((small[0]![c.field] as unknown[]).map((i) => c.key(i as Record<string, unknown>))).toEqual(lists.flat().map(c.key));
    });

    it(`${c.url}: a bad limit or after gets a 400 naming it`, async () => {
      await refuses(`${c.url}?limit=0`, 'limit', c.who);
      await refuses(`${c.url}?limit=1001`, 'limit', c.who);
      await refuses(`${c.url}?limit=ten`, 'limit', c.who);
      await refuses(`${c.url}?after=nothing-like-this`, 'after', c.who);
    });
  }

  it('never lists nor counts watches on hidden pages, nor takes one as after', async () => {
    const answers = await follow('/api/watches', 'editor');
    expect(answers[0]!.total).toBe(150);
    expect(JSON.stringify(answers)).not.toContain('restricted');
    const hiddenWatch = t.store.notifications.watchesOf(t.store.users.byName('editor')!.id).find((w) => w.target === HIDDEN[0])!;
    await refuses(`/api/watches?after=${hiddenWatch.id}`, 'after', 'editor');
  });

  it('counts only the steps a reader may see on each path', async () => {
    const [first] = await follow('/api/paths?limit=1', 'reader').then((a) => a.map((x) => x.paths as { steps: number }[]));
    expect(first![0]!.steps).toBe(1);
  });

  it('keeps the webhooks to admins', async () => {
    for (const who of ['reader', 'editor', 'auditor']) expect((await t.app.inject({ url: '/api/webhooks?limit=5', headers: auth[who] })).statusCode).toBe(403);
  });
});

describe('screens: watches, reading paths and failed mails, 100 at a time', () => {
  let editor: Browser;
  let admin: Browser;
  beforeAll(async () => {
    const editorId = t.store.users.byName('editor')!.id;
    for (let i = 0; i < 130; i++) {
      const id = t.store.notifications.queueMail(`trouble-${i}`, editorId, 'immediate', [], at)!;
      t.store.notifications.endMail(id, 'failed', `refused ${i}`);
    }
    t.store.notifications.queueMail('fine-1', editorId, 'immediate', [], at);
    editor = new Browser(t.app);
    await editor.signIn('editor');
    admin = new Browser(t.app);
    await admin.signIn('admin');
  });

  /** The numbers shown in the pager's "from–to of total" line. */
  const range = (html: string) => /(\d+)–(\d+) of (\d+)/.exec(html)?.slice(1).map(Number);

  it('/admin/notifications counts every failure and pages them, where it stopped silently at 100', async () => {
    const first = await admin.get('/admin/notifications');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Failures (130)');
    expect(range(first.body)).toEqual([1, 100, 130]);
    expect(first.body).toContain('href="/admin/notifications?page&#x3D;2"');
    const last = await admin.get('/admin/notifications?page=2');
    expect(range(last.body)).toEqual([101, 130, 130]);
    expect(last.body).toContain('refused 0<');
    expect(first.body).not.toContain('refused 0<');
    for (const bad of ['0', 'two', '-1']) expect((await admin.get(`/admin/notifications?page=${bad}`)).statusCode).toBe(400);
    expect((await editor.get('/admin/notifications?page=2')).statusCode).toBe(403);
  });

  it('/inbox/settings pages the watches, those on hidden pages neither listed nor counted', async () => {
    const first = await editor.get('/inbox/settings');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('What you watch (150)');
    expect(range(first.body)).toEqual([1, 100, 150]);
    const second = await editor.get('/inbox/settings?page=2');
    expect(range(second.body)).toEqual([101, 150, 150]);
    expect(first.body + second.body).not.toContain('restricted');
    expect((await editor.get('/inbox/settings?page=0')).statusCode).toBe(400);
  });

  it('/paths pages the reading paths', async () => {
    const first = await editor.get('/paths');
    expect(range(first.body)).toEqual([1, 100, 150]);
    const second = await editor.get('/paths?page=2');
    expect(range(second.body)).toEqual([101, 150, 150]);
    expect((await editor.get('/paths?page=x')).statusCode).toBe(400);
  });
});

describe('/admin/phi: each list of rules 100 at a time, with its own pager', () => {
  beforeAll(() => {
    for (let i = 0; i < 130; i++) t.store.phiRules.insert({ kind: 'pattern', value: `zzqpattern${String(i).padStart(3, '0')}`, label: null, created_by: 'admin', created_at: at });
    for (let i = 0; i < 120; i++) t.store.phiRules.insert({ kind: 'allow', value: `zzqallowed${String(i).padStart(3, '0')}`, label: null, created_by: 'admin', created_at: at });
  });

  it('pages patterns by page= and allowed terms by allowed_page=, each link keeping the other list where it is', async () => {
    const admin = new Browser(t.app);
    await admin.signIn('admin');
    const first = await admin.get('/admin/phi');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('Extra patterns (130)');
    expect(first.body).toContain('Allowed terms (120)');
    expect((first.body.match(/zzqpattern\d{3}/g) ?? []).length).toBe(100);
    expect((first.body.match(/zzqallowed\d{3}/g) ?? []).length).toBe(100);
    const later = await admin.get('/admin/phi?page=2&allowed_page=2');
    expect((later.body.match(/zzqpattern\d{3}/g) ?? []).length).toBe(30);
    expect((later.body.match(/zzqallowed\d{3}/g) ?? []).length).toBe(20);
    // The patterns' link back to page 1 keeps the allowed terms on their page 2, and the other way round.
    expect(later.body).toContain('href="/admin/phi?allowed_page&#x3D;2"');
    expect(later.body).toContain('href="/admin/phi?page&#x3D;2"');
    for (const bad of ['page=0', 'allowed_page=x']) {
      const res = await admin.get(`/admin/phi?${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.body).toContain(bad.split('=')[0]!);
    }
    const editor = new Browser(t.app);
    await editor.signIn('editor');
    expect((await editor.get('/admin/phi?page=2')).statusCode).toBe(403);
  });
});
