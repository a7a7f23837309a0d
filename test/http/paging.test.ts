import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPage, savePage } from '../../server/pages/commands.js';
import { addComment } from '../../server/comments/commands/add-comment.js';
import { Browser, commandContext, privacyTeam, sampleFrontMatter, testApp, tokenFor, type TestApp } from '../helpers.js';

let t: TestApp;
let editor: Browser;
let member: Browser;
let editorAuth: Record<string, string>;
let memberAuth: Record<string, string>;

const OPEN = 230;
const HIDDEN = ['zz-restricted-1', 'aa-restricted-2', 'mm-restricted-3'];

function page(slug: string, extra: Record<string, unknown> = {}) {
  createPage(commandContext(t.store), { slug, frontMatter: { ...sampleFrontMatter, title: `Title ${slug}`, ...extra }, body: 'Text.', summary: 'Created' });
}

/** The page slugs a home page lists, in order. */
function homeSlugs(html: string): string[] {
  const systems = html.slice(0, html.indexOf('<aside'));
  return [...systems.matchAll(/<li><a href="\/p\/([^"]+)">/g)].map((m) => m[1]!);
}

beforeAll(async () => {
  t = await testApp();
  await privacyTeam(t.store);
  const systems = ['Epic', 'Workday', 'Interfaces'];
  for (let i = 0; i < OPEN; i++) {
    const n = String(i).padStart(3, '0');
    page(`page-${n}`, { system: systems[i % 3], module: i % 5 === 0 ? undefined : `Module ${i % 4}` });
  }
  for (const slug of HIDDEN) page(slug, { restricted_to: ['privacy'], system: 'Workday', module: 'Module 1' });
  editor = new Browser(t.app);
  await editor.signIn('editor');
  member = new Browser(t.app);
  await member.signIn('pat', 'member quiet words 3');
  editorAuth = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
  memberAuth = { authorization: `Bearer ${tokenFor(t.store, 'pat')}` };
}, 120_000);
afterAll(async () => { await t.close(); });

describe('the home page, a page at a time', () => {
  it('lists each page once across its pages, 100 at most on each, with numbered links', async () => {
    const seen: string[] = [];
    const first = await editor.get('/');
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('<nav class="pager numbered" aria-label="Pages">');
    expect(first.body).toMatch(/<a href="\/" aria-current="page"/);
    expect(first.body.replaceAll('&#x3D;', '=')).toContain('href="/?page=2" aria-label="Page 2"');
    expect(first.body).toContain(`${OPEN} pages documenting`);
    for (let n = 1; n <= 3; n++) {
      const res = await editor.get(n === 1 ? '/' : `/?page=${n}`);
      const slugs = homeSlugs(res.body);
      expect(slugs.length).toBe(n < 3 ? 100 : OPEN - 200);
      seen.push(...slugs);
      expect(res.body.includes('rel="next"')).toBe(n < 3);
    }
    expect(new Set(seen).size).toBe(OPEN);
    expect(seen.filter((s) => s.startsWith('page-')).length).toBe(OPEN);
  });

  it('keeps each system\'s whole count in its heading and says where a system not on this page begins', async () => {
    const res = await editor.get('/?page=3');
    // Interfaces is last in the configured order, so page 3 is all Interfaces; Epic begins on page 1.
    expect(res.body).toContain('href="/#system-Epic">Epic\'s pages begin on page 1</a>');
    expect(res.body).toMatch(/<h2>Epic <small>77<\/small><\/h2>/);
  });

  it('counts and lists restricted pages only for those who may see them', async () => {
    const all: string[] = [];
    for (let n = 1; n <= 3; n++) all.push(...homeSlugs((await editor.get(`/?page=${n}`)).body));
    for (const slug of HIDDEN) expect(all).not.toContain(slug);
    expect((await editor.get('/?page=3')).body).not.toContain('restricted-');
    const mine: string[] = [];
    for (let n = 1; n <= 3; n++) mine.push(...homeSlugs((await member.get(`/?page=${n}`)).body));
    expect(new Set(mine).size).toBe(OPEN + HIDDEN.length);
    expect((await member.get('/')).body).toContain(`${OPEN + HIDDEN.length} pages documenting`);
  });

  it('refuses a page number that is not one with a clear 400', async () => {
    for (const bad of ['0', '-1', 'abc', '1.5']) {
      const res = await editor.get(`/?page=${bad}`);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('page');
    }
  });

  it('answers a page past the end with an empty list that links back', async () => {
    const res = await editor.get('/?page=9');
    expect(res.statusCode).toBe(200);
    expect(homeSlugs(res.body)).toEqual([]);
    expect(res.body).toContain('Nothing on page 9; there are 3 pages.');
  });
});

describe('GET /api/pages, a page at a time', () => {
  it('answers 100 pages by default and the address of the rest until the end', async () => {
    const res = await t.app.inject({ url: '/api/pages', headers: editorAuth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.limit).toBe(100);
    expect(body.total).toBe(OPEN);
    expect(body.pages).toHaveLength(100);
    expect(body.next).toBe(`/api/pages?limit=100&after=${body.pages[99].slug}`);
    expect(res.headers.link).toBe(`<${body.next}>; rel="next"`);
  });

  it('gives every page exactly once to a script that follows next, also while pages are being added', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/api/pages?limit=40';
    let added = 0;
    for (let i = 0; url && i < 50; i++) {
      const body = (await t.app.inject({ url, headers: editorAuth })).json() as { pages: { slug: string }[]; next?: string };
      seen.push(...body.pages.map((p) => p.slug));
      url = body.next;
      // A page added before the cursor and one after it, between two reads.
      if (i === 1) { page(`page-000a-added`); page(`zzz-added`); added = 2; }
    }
    expect(url).toBeUndefined();
    expect(seen.length).toBe(new Set(seen).size);
    for (let i = 0; i < OPEN; i++) expect(seen).toContain(`page-${String(i).padStart(3, '0')}`);
    expect(seen).toContain('zzz-added');
    expect(added).toBe(2);
  });

  it('keeps offset paging: two pages are disjoint and, with the rest, complete', async () => {
    const a = (await t.app.inject({ url: '/api/pages?limit=150&offset=0', headers: editorAuth })).json();
    const b = (await t.app.inject({ url: '/api/pages?limit=150&offset=150', headers: editorAuth })).json();
    const slugs = [...a.pages, ...b.pages].map((p: { slug: string }) => p.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    expect(slugs.length).toBe(a.total);
    expect(a.next).toBeDefined();
    expect(b.next).toBeUndefined();
    expect(b.offset).toBe(150);
  });

  it('refuses a limit above 1000, or a bad one, with a 400 that names it', async () => {
    for (const bad of ['1001', '0', 'abc']) {
      const res = await t.app.inject({ url: `/api/pages?limit=${bad}`, headers: editorAuth });
      expect(res.statusCode).toBe(400);
      expect(res.json().field).toBe('limit');
    }
    const both = await t.app.inject({ url: '/api/pages?after=a&offset=3', headers: editorAuth });
    expect(both.statusCode).toBe(400);
    expect(both.json().field).toBe('after');
  });

  it('counts and pages without restricted pages for a reader who may not see them', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/api/pages?limit=7';
    let total = -1;
    for (let i = 0; url && i < 100; i++) {
      const body = (await t.app.inject({ url, headers: editorAuth })).json() as { total: number; pages: { slug: string }[]; next?: string };
      expect(body.pages.length).toBeLessThanOrEqual(7);
      seen.push(...body.pages.map((p) => p.slug));
      total = body.total;
      url = body.next;
    }
    for (const slug of HIDDEN) expect(seen).not.toContain(slug);
    expect(seen.length).toBe(total);
    const member1 = (await t.app.inject({ url: '/api/pages?limit=1000', headers: memberAuth })).json();
    expect(member1.total).toBe(total + HIDDEN.length);
    for (const slug of HIDDEN) expect(member1.pages.map((p: { slug: string }) => p.slug)).toContain(slug);
  });
});

describe('a person\'s and a team\'s pages, a page at a time', () => {
  /** The slugs listed under "Owns directly". */
  const ownedSlugs = (html: string) => {
    const section = html.slice(html.indexOf('<h2 id="owned">'));
    return [...section.slice(0, section.indexOf('</ul>')).matchAll(/<li><a href="\/p\/([^"]+)">/g)].map((m) => m[1]!);
  };

  it('lists what a person owns across pages, disjoint and complete, without pages the reader may not see', async () => {
    const first = await editor.get('/people/mreyes');
    expect(first.statusCode).toBe(200);
    const total = Number(/Owns directly \((\d+)\)/.exec(first.body)?.[1]);
    const seen: string[] = [];
    for (let n = 1; n <= Math.ceil(total / 100); n++) {
      const res = await editor.get(`/people/mreyes?page=${n}`);
      expect(res.body.includes('rel="next"')).toBe(n < Math.ceil(total / 100));
      seen.push(...ownedSlugs(res.body));
    }
    expect(seen.length).toBe(total);
    expect(new Set(seen).size).toBe(total);
    for (const slug of HIDDEN) expect(seen).not.toContain(slug);
    const theirs = Number(/Owns directly \((\d+)\)/.exec((await member.get('/people/mreyes')).body)?.[1]);
    expect(theirs).toBe(total + HIDDEN.length);
  });

  it('shows a few of a team\'s pages on a member\'s profile and all of them, paged, on the team\'s', async () => {
    const created = (await t.app.inject({ method: 'POST', url: '/api/pages', headers: { ...editorAuth, 'content-type': 'application/json' }, payload: { ...sampleFrontMatter, slug: 'team-owned-0', title: 'Team owned 0', owners: ['epic-clindoc'], body: 'Text.', summary: 'Created' } }));
    expect(created.statusCode).toBe(201);
    const profile = (await editor.get('/people/mreyes')).body;
    expect(profile).toContain('Through Epic ClinDoc Team (1)');
    const team = await editor.get('/teams/epic-clindoc?page=1');
    expect(ownedSlugs(team.body)).toEqual(['team-owned-0']);
    expect(team.body).not.toContain('aria-label="Pages"');
  });

  it('counts everyone\'s visible pages on /people in one query, not one per person and team', async () => {
    const perParty = vi.spyOn(t.store.pages, 'ownedCount');
    const all = vi.spyOn(t.store.pages, 'ownedCounts');
    const members = vi.spyOn(t.store.parties, 'members');
    try {
      const count = (html: string, handle: string) => Number(new RegExp(`href="/people/${handle}">[^\\n]*?· (\\d+) pages?<`).exec(html)?.[1]);
      const theirs = (await editor.get('/people')).body;
      const ours = (await member.get('/people')).body;
      expect(perParty).not.toHaveBeenCalled();
      expect(members).not.toHaveBeenCalled();
      // The whole directory's counts are read at most once while nothing is stored; viewers share them.
      expect(all.mock.calls.length).toBeLessThanOrEqual(1);
      const mreyes = Number(/Owns directly \((\d+)\)/.exec((await editor.get('/people/mreyes')).body)?.[1]);
      expect(count(theirs, 'mreyes')).toBe(mreyes);
      expect(count(ours, 'mreyes')).toBe(mreyes + HIDDEN.length);
      expect(ours).toMatch(/@privacy · \d+ pages? · 1 member</);
    } finally {
      perParty.mockRestore();
      all.mockRestore();
      members.mockRestore();
    }
  });

  it('refuses a page number that is not one with a clear 400', async () => {
    for (const url of ['/people/mreyes?page=0', '/teams/epic-clindoc?page=x']) {
      const res = await editor.get(url);
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain('page');
    }
  });
});

describe('a page\'s history, a page at a time', () => {
  it('lists 100 versions per page, newest first, disjoint and complete, and refuses a bad page number', async () => {
    const { getCurrentPage } = await import('../../server/pages/queries.js');
    page('long-history');
    for (let i = 2; i <= 130; i++) {
      const current = getCurrentPage(t.store, 'long-history');
      savePage(commandContext(t.store), { slug: 'long-history', frontMatter: current.frontMatter, body: `Text ${i}.`, summary: `Edit ${i}`, baseVersion: current.version });
    }
    const versionsOn = (html: string) => [...html.matchAll(/<a href="\/p\/long-history\/v\/(\d+)">/g)].map((m) => Number(m[1]));
    const first = await editor.get('/p/long-history/history');
    const second = await editor.get('/p/long-history/history?page=2');
    expect(first.body).toContain('130 versions');
    expect(versionsOn(first.body)).toEqual(Array.from({ length: 100 }, (_, i) => 130 - i));
    expect(versionsOn(second.body)).toEqual(Array.from({ length: 30 }, (_, i) => 30 - i));
    expect(first.body).toContain('rel="next"');
    expect(second.body).not.toContain('rel="next"');
    // The oldest version on page 1 still says what changed from the one before it, on page 2.
    expect(first.body).toContain('/p/long-history/diff?from=30&amp;to=31');
    expect((await editor.get('/p/long-history/history?page=0')).statusCode).toBe(400);
  });
});

describe('the report lists, a page at a time', () => {
  // Its own small wiki on a fixed clock: 150 overdue pages left with a departed owner (the first 30 also owned
  // by someone still here), each linking to a page that does not exist and flagged as wrong, plus three
  // restricted pages just like them that an editor outside the team must never see or have counted.
  let w: TestApp;
  let outsider: Browser;
  let insider: Browser;
  const N = 150;
  const SECRET = ['secret-a', 'secret-b', 'secret-c'];
  const slugsIn = (html: string, href: RegExp) => [...html.slice(html.indexOf('<h1>')).matchAll(href)].map((m) => m[1]!);

  beforeAll(async () => {
    w = await testApp({}, { clock: () => new Date('2026-06-01T00:00:00.000Z') });
    await privacyTeam(w.store);
    const ctx = commandContext(w.store, 'mreyes', { at: new Date('2025-01-01T00:00:00.000Z') });
    const add = (slug: string, owners: string[], extra: Record<string, unknown> = {}) => {
      createPage(ctx, { slug, frontMatter: { ...sampleFrontMatter, title: `Title ${slug}`, owners, review_every: '90d', ...extra }, body: `See [[missing-${slug}]].`, summary: 'Created' });
      addComment(ctx, { slug, body: `Wrong since the upgrade: ${slug}`, kind: 'wrong' });
    };
    for (let i = 0; i < N; i++) add(`stale-${String(i).padStart(3, '0')}`, i < 30 ? ['tbrennan', 'dokafor'] : ['tbrennan']);
    for (const slug of SECRET) add(slug, ['tbrennan'], { restricted_to: ['privacy'] });
    outsider = new Browser(w.app);
    await outsider.signIn('editor');
    insider = new Browser(w.app);
    await insider.signIn('pat', 'member quiet words 3');
  }, 120_000);
  afterAll(async () => { await w.close(); });

  /** Every screen of a report list, following its Next link; the slugs shown on each. */
  async function walk(who: Browser, url: string, href: RegExp): Promise<string[][]> {
    const screens: string[][] = [];
    let next: string | null = url;
    for (let n = 1; next && n <= 20; n++) {
      const res = await who.get(next);
      expect(res.statusCode).toBe(200);
      screens.push(slugsIn(res.body, href));
      next = /<a href="([^"]+)" rel="next">/.exec(res.body)?.[1]?.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&') ?? null;
    }
    return screens;
  }

  const cases = [
    { url: '/reports/orphans', href: /<td><a href="\/p\/([^"#]+)">/g, total: N - 30, heading: /Orphaned pages <small>(\d+)<\/small>/ },
    { url: '/reports/broken-links', href: /<code>missing-([^<]+)<\/code>/g, total: N, heading: /Broken links <small>(\d+)<\/small>/ },
    { url: '/reports/flagged', href: /<td><a href="\/p\/([^"#]+)#comment-/g, total: N, heading: /Flagged as wrong <small>(\d+)<\/small>/ },
  ];

  for (const c of cases) {
    it(`${c.url}: a hundred at a time, disjoint and complete, no Next on the last, hidden pages neither shown nor counted`, async () => {
      const screens = await walk(outsider, c.url, c.href);
      expect(screens.map((s) => s.length)).toEqual([100, c.total - 100]);
      const all = screens.flat();
      expect(new Set(all).size).toBe(c.total);
      for (const slug of SECRET) expect(all.join(' ')).not.toContain(slug);
      expect(Number(c.heading.exec((await outsider.get(c.url)).body)?.[1])).toBe(c.total);
      const theirs = (await walk(insider, c.url, c.href)).flat();
      expect(theirs.length).toBe(c.total + SECRET.length);
      for (const slug of SECRET) expect(theirs.join(' ')).toContain(slug);
    });
  }

  it('/reports/stale: pages run on under each owner, an owner cut by the end of a screen continued on the next', async () => {
    const first = (await outsider.get('/reports/stale')).body;
    expect(Number(/Overdue reviews <small>(\d+)<\/small>/.exec(first)?.[1])).toBe(N);
    const screens = await walk(outsider, '/reports/stale', /<td><a href="\/p\/([^"]+)">/g);
    // 150 rows under Tom Brennan and 30 more under David Okafor: 180 rows, 100 on the first screen.
    expect(screens.map((s) => s.length)).toEqual([100, 80]);
    expect(new Set(screens.flat()).size).toBe(N);
    for (const slug of SECRET) expect(screens.flat()).not.toContain(slug);
    const second = (await outsider.get('/reports/stale?page=2')).body;
    expect(second).toMatch(/Tom Brennan<\/a>[^]*?<small>150<\/small> <small class="muted">continued<\/small>/);
    expect(first).not.toContain('continued');
    expect((await walk(insider, '/reports/stale', /<td><a href="\/p\/([^"]+)">/g)).flat().length).toBe(180 + SECRET.length);
  });

  it('refuses a page number that is not one with a clear 400 and says when a page is past the end', async () => {
    for (const url of ['/reports/orphans?page=0', '/reports/stale?page=-1', '/reports/broken-links?page=x', '/reports/flagged?page=1.5']) {
      const res = await outsider.get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.body).toContain('page');
    }
    const past = await outsider.get('/reports/flagged?page=9');
    expect(past.statusCode).toBe(200);
    expect(past.body).toContain('Nothing on page 9; there are 2 pages.');
  });
});

describe('the other API lists, a page at a time', () => {
  /** Every answer of an API list from `url`, following `next` and checking it against the Link header. */
  async function follow(url: string, auth: Record<string, string>): Promise<Record<string, unknown>[]> {
    const answers: Record<string, unknown>[] = [];
    let next: string | undefined = url;
    for (let n = 0; next && n < 50; n++) {
      const res = await t.app.inject({ url: next, headers: auth });
      expect(res.statusCode, next).toBe(200);
      const body = res.json() as Record<string, unknown> & { next?: string };
      expect(res.headers.link).toBe(body.next ? `<${body.next}>; rel="next"` : undefined);
      answers.push(body);
      next = body.next;
    }
    return answers;
  }

  it('GET /api/pages/:slug/versions: every version once, newest first, with the old answer when no limit is sent', async () => {
    const { getCurrentPage } = await import('../../server/pages/queries.js');
    page('api-versions');
    for (let i = 2; i <= 12; i++) {
      const current = getCurrentPage(t.store, 'api-versions');
      savePage(commandContext(t.store), { slug: 'api-versions', frontMatter: current.frontMatter, body: `Text ${i}.`, summary: `Edit ${i}`, baseVersion: current.version });
    }
    const whole = await follow('/api/pages/api-versions/versions', editorAuth);
    expect(whole).toHaveLength(1);
    expect(whole[0]).toMatchObject({ total: 12, limit: 1000 });
    const answers = await follow('/api/pages/api-versions/versions?limit=5', editorAuth);
    const numbers = answers.map((a) => (a.versions as { version: number }[]).map((v) => v.version));
    expect(numbers).toEqual([[12, 11, 10, 9, 8], [7, 6, 5, 4, 3], [2, 1]]);
    expect(answers.map((a) => a.total)).toEqual([12, 12, 12]);
  });

  it('GET /api/pages/:slug/backlinks: disjoint and complete, hidden linking pages neither listed nor counted', async () => {
    page('api-target');
    for (let i = 0; i < 12; i++) createPage(commandContext(t.store), { slug: `api-linker-${String(i).padStart(2, '0')}`, frontMatter: { ...sampleFrontMatter, title: `Linker ${i}` }, body: 'See [[api-target]].', summary: 'Created' });
    createPage(commandContext(t.store), { slug: 'api-linker-secret', frontMatter: { ...sampleFrontMatter, title: 'Linker secret', restricted_to: ['privacy'] }, body: 'See [[api-target]].', summary: 'Created' });
    const slugsOf = (answers: Record<string, unknown>[]) => answers.flatMap((a) => (a.backlinks as { slug: string }[]).map((b) => b.slug));
    const theirs = await follow('/api/pages/api-target/backlinks?limit=5', editorAuth);
    expect(theirs.map((a) => (a.backlinks as unknown[]).length)).toEqual([5, 5, 2]);
    expect(theirs.every((a) => a.total === 12)).toBe(true);
    expect(new Set(slugsOf(theirs)).size).toBe(12);
    expect(slugsOf(theirs)).not.toContain('api-linker-secret');
    expect(JSON.stringify(theirs)).not.toContain('secret');
    const ours = await follow('/api/pages/api-target/backlinks?limit=5', memberAuth);
    expect(slugsOf(ours)).toContain('api-linker-secret');
    expect(ours[0]!.total).toBe(13);
  });

  it('GET /api/people: people then teams, disjoint and complete, the search kept in next', async () => {
    const [whole] = await follow('/api/people', editorAuth);
    const everyone = [...(whole!.people as { handle: string }[]), ...(whole!.teams as { handle: string }[])].map((p) => p.handle);
    expect(whole!.total).toBe(everyone.length);
    const answers = await follow('/api/people?limit=2', editorAuth);
    expect(answers.flatMap((a) => [...(a.people as { handle: string }[]), ...(a.teams as { handle: string }[])].map((p) => p.handle))).toEqual(everyone);
    expect(answers.at(-1)!.next).toBeUndefined();
    const searched = await follow('/api/people?q=e&limit=1', editorAuth);
    expect(searched[0]!.next).toContain('q=e');
  });

  it('refuses a bad limit or after with a 400 that names it', async () => {
    for (const [url, field] of [
      ['/api/pages/api-versions/versions?limit=0', 'limit'],
      ['/api/pages/api-versions/versions?limit=1001', 'limit'],
      ['/api/pages/api-versions/versions?after=999', 'after'],
      ['/api/pages/api-target/backlinks?after=nobody-links-from-here', 'after'],
      ['/api/pages/api-target/backlinks?after=api-linker-secret', 'after'],
      ['/api/people?limit=x', 'limit'],
    ] as const) {
      const res = await t.app.inject({ url, headers: editorAuth });
      expect(res.statusCode, url).toBe(400);
      expect(res.body, url).toContain(field);
    }
  });
});

describe('the inbox, a page at a time', () => {
  it('lists a hundred notifications a screen, unread first, disjoint and complete, hidden pages\' left out before counting', async () => {
    const userId = t.store.users.byName('editor')!.id;
    const note = (i: number, slug: string) =>
      t.store.notifications.insert({ key: `paging-${i}-${slug}`, user_id: userId, kind: 'changed', event_id: null, slug, actor: 'mreyes', title: `Note ${i} on ${slug}`, text: 'Changed.', link: `/p/${slug}`, delivery: 'immediate', created_at: '2026-01-01T00:00:00.000Z' });
    for (let i = 0; i < 130; i++) note(i, `page-${String(i).padStart(3, '0')}`);
    // The newest ones are about pages the editor may not see: they must not push visible ones off the first screen.
    HIDDEN.forEach((slug, i) => note(1000 + i, slug));
    const before = t.store.notifications.inboxCount(userId, []);
    const first = await editor.get('/inbox');
    const second = await editor.get('/inbox?page=2');
    const ids = (html: string) => [...html.matchAll(/<li class="inbox-item [a-z]+" data-id="(\d+)">/g)].map((m) => m[1]!);
    expect(ids(first.body)).toHaveLength(100);
    expect(ids(second.body)).toHaveLength(before - HIDDEN.length - 100);
    expect(new Set([...ids(first.body), ...ids(second.body)]).size).toBe(before - HIDDEN.length);
    expect(first.body).toContain(`1–100 of ${before - HIDDEN.length}`);
    expect(first.body).toContain('rel="next"');
    expect(second.body).not.toContain('rel="next"');
    for (const slug of HIDDEN) expect(first.body + second.body).not.toContain(slug);
    expect((await editor.get('/inbox?page=0')).statusCode).toBe(400);
  });
});

describe('the admin users list, a page at a time', () => {
  it('lists a hundred accounts a screen, disjoint and complete, with no Next on the last', async () => {
    // Rows written directly: the list only reads them, and hashing 120 passwords would be the whole test's time.
    for (let i = 0; i < 120; i++) t.store.users.insert({ username: `bulk-${String(i).padStart(3, '0')}`, password_hash: null, role: 'reader', person: null, created_at: '2026-01-01T00:00:00.000Z' });
    const admin = new Browser(t.app);
    await admin.signIn('admin');
    const total = t.store.users.count();
    const names = (html: string) => [...html.matchAll(/<td><a href="\/admin\/users\/([^"]+)">/g)].map((m) => m[1]!);
    const first = await admin.get('/admin/users');
    const second = await admin.get('/admin/users?page=2');
    expect(names(first.body)).toHaveLength(100);
    expect(names(second.body)).toHaveLength(total - 100);
    expect(new Set([...names(first.body), ...names(second.body)]).size).toBe(total);
    expect(first.body).toContain(`1–100 of ${total}`);
    expect(second.body).not.toContain('rel="next"');
    expect((await admin.get('/admin/users?page=abc')).statusCode).toBe(400);
  });
});
