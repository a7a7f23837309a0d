import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPage } from '../../server/pages/commands.js';
import { staleReport } from '../../server/reports/reports.js';
import type { Knowledge, OwnerFact, PageFact } from '../../server/reports/knowledge.js';
import { commandContext, privacyTeam, sampleFrontMatter, testApp, tokenFor, type TestApp } from '../helpers.js';

/**
 * The reports kept per snapshot (the stale report's ordered list, the health and key-person figures, the
 * directory's counts) answer each viewer as if worked out afresh: restricted pages neither shown nor counted,
 * and owners ordered by what this viewer sees.
 */

// ---- the stale report against the way it was worked out before it was kept: a sort of every overdue page ----
function naiveStale(k: Knowledge, hidden: Set<string>) {
  const pages = k.pages.filter((p) => !hidden.has(p.slug) && p.review.overdue).sort((a, b) => a.review.dueAt!.localeCompare(b.review.dueAt!));
  const byOwner = new Map<string, { name: string; handle: string; pages: string[] }>();
  for (const p of pages) {
    for (const o of p.owners) {
      const entry = byOwner.get(o.handle) ?? { name: o.name, handle: o.handle, pages: [] };
      entry.pages.push(p.slug);
      byOwner.set(o.handle, entry);
    }
  }
  return { count: pages.length, pages: pages.map((p) => p.slug), by_owner: [...byOwner.values()].sort((a, b) => b.pages.length - a.pages.length || a.name.localeCompare(b.name)).map((e) => ({ handle: e.handle, pages: e.pages })) };
}

/** A small deterministic generator, so a failure names the seed that shows it. */
function random(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function syntheticKnowledge(seed: number): Knowledge {
  const rnd = random(seed);
  // Same names under different handles and many equal due dates, so every tie-break is exercised.
  const owners: OwnerFact[] = Array.from({ length: 7 }, (_, i) => ({ handle: `o${i}`, name: ['Ana', 'Bob', 'Bob', 'Émile', 'Bob', 'ana', 'Bob'][i]!, kind: i % 3 === 0 ? 'team' : 'person', state: 'active', successor: null }));
  const pages = Array.from({ length: 8 + (seed % 40) * 3 }, (_, i): PageFact => {
    const mine = owners.filter(() => rnd() < 0.3);
    const day = 1 + Math.floor(rnd() * 6);
    return {
      id: i, slug: `p-${i}`, title: `P ${i}`, system: 'Epic', module: null, status: 'live', fm: { ...sampleFrontMatter, status: 'live' }, owners: mine, activePeople: [], orphaned: false, singleOwner: false, hasTicket: true, updatedAt: '2026-01-01T00:00:00.000Z',
      review: { interval: '90d', intervalSource: 'page', lastReviewedAt: null, lastReviewedBy: null, since: '2025-01-01T00:00:00.000Z', dueAt: `2026-01-0${day}T00:00:00.000Z`, overdue: rnd() < 0.8, daysOverdue: 3, dueSoon: false },
    };
  });
  return { now: new Date('2026-02-01T00:00:00.000Z'), pages, parties: new Map(), members: new Map() };
}

describe('the stale report from its kept ordered list', () => {
  it('gives the same count, order and owner groups as sorting every page, whatever is hidden', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const k = syntheticKnowledge(seed);
      const rnd = random(seed * 7);
      for (const hidden of [new Set<string>(), new Set(k.pages.filter(() => rnd() < 0.25).map((p) => p.slug)), new Set(k.pages.map((p) => p.slug))]) {
        const kept = staleReport(k, hidden);
        const naive = naiveStale(k, hidden);
        expect({ count: kept.count, pages: kept.pages.map((p) => p.slug), by_owner: kept.by_owner.map((o) => ({ handle: o.handle, pages: o.pages })) }, `seed ${seed}`).toEqual(naive);
      }
    }
  });
});

// ---- over HTTP: two viewers who see different pages, in the same minute ----
let t: TestApp;
let member: string;
let outsider: string;
const get = (token: string, url: string) => t.app.inject({ url, headers: { authorization: `Bearer ${token}` } });

beforeAll(async () => {
  t = await testApp({}, { clock: () => new Date('2026-06-01T00:00:00.000Z') });
  await privacyTeam(t.store);
  member = tokenFor(t.store, 'pat');
  outsider = tokenFor(t.store, 'editor');
  const ctx = commandContext(t.store, 'mreyes', { at: new Date('2025-01-01T00:00:00.000Z') });
  const add = (slug: string, owners: string[], extra: Record<string, unknown> = {}) =>
    createPage(ctx, { slug, frontMatter: { ...sampleFrontMatter, title: `Title ${slug}`, owners, review_every: '90d', ...extra }, body: slug, summary: 'Created' });
  // Maria Reyes stands alone behind 2 open and 3 restricted overdue pages; David Okafor behind 3 open ones.
  // The outsider sees Okafor (3) before Reyes (2); the member sees Reyes (5) first.
  for (const s of ['open-r1', 'open-r2']) add(s, ['mreyes']);
  for (const s of ['secret-r1', 'secret-r2', 'secret-r3']) add(s, ['mreyes'], { restricted_to: ['privacy'] });
  for (const s of ['open-d1', 'open-d2', 'open-d3']) add(s, ['dokafor']);
});
afterAll(async () => { await t.close(); });

describe('reports kept per snapshot, for viewers who see different pages', () => {
  it('/reports/stale and /api/reports/stale order owners by what each viewer sees and count only that', async () => {
    const order = (html: string) => [...html.matchAll(/<h2><a href="\/people\/([a-z]+)">[^]*?<small>(\d+)<\/small>/g)].map((m) => `${m[1]} ${m[2]}`);
    const theirs = (await get(outsider, '/reports/stale')).body;
    expect(order(theirs)).toEqual(['dokafor 3', 'mreyes 2']);
    expect(theirs).toContain('Overdue reviews <small>5</small>');
    expect(theirs).not.toContain('secret-');
    expect(order((await get(member, '/reports/stale')).body)).toEqual(['mreyes 5', 'dokafor 3']);
    const api = (await get(outsider, '/api/reports/stale')).json();
    expect(api.count).toBe(5);
    expect(api.by_owner.map((o: { handle: string; pages: string[] }) => `${o.handle} ${o.pages.length}`)).toEqual(['dokafor 3', 'mreyes 2']);
    expect((await get(member, '/api/reports/stale')).json().count).toBe(8);
    // Paged the house way: disjoint and complete, oldest due first, owners' whole counts on every answer.
    const slugs: string[] = [];
    let next: string | undefined = '/api/reports/stale?limit=2';
    for (let n = 0; next && n < 10; n++) {
      const res = await get(outsider, next);
      const body = res.json();
      expect(body).toMatchObject({ count: 5, total: 5, limit: 2 });
      expect(body.by_owner.map((o: { handle: string; count: number }) => `${o.handle} ${o.count}`)).toEqual(['dokafor 3', 'mreyes 2']);
      if (body.next) expect(res.headers.link).toBe(`<${body.next}>; rel="next"`);
      slugs.push(...body.pages.map((p: { slug: string }) => p.slug));
      next = body.next;
    }
    expect(slugs).toEqual(api.pages.map((p: { slug: string }) => p.slug));
    expect(new Set(slugs).size).toBe(5);
    expect((await get(outsider, '/api/reports/stale?after=secret-r1')).statusCode).toBe(400);
    expect((await get(member, '/api/reports/stale?after=secret-r1')).statusCode).toBe(200);
    expect((await get(outsider, '/reports')).body).toContain('<strong>5 overdue reviews</strong>');
    expect((await get(member, '/reports')).body).toContain('<strong>8 overdue reviews</strong>');
  });

  it('/people counts the pages each person owns as this viewer sees them', async () => {
    const owned = (html: string, handle: string) => new RegExp(`href="/people/${handle}">[^]*?· (\\d+) pages?</small>`).exec(html)?.[1];
    expect(owned((await get(outsider, '/people')).body, 'mreyes')).toBe('2');
    expect(owned((await get(member, '/people')).body, 'mreyes')).toBe('5');
    expect(owned((await get(outsider, '/people')).body, 'mreyes')).toBe('2');
  });

  it('/api/reports/key-person: pages by (person, page) pair, disjoint and complete, hidden pages neither listed nor counted', async () => {
    const walk = async (token: string, url: string) => {
      const seen: { handle: string; count: number; pages: string[] }[] = [];
      let next: string | undefined = url;
      for (let n = 0; next && n < 20; n++) {
        const res = await get(token, next);
        expect(res.statusCode).toBe(200);
        const body = res.json();
        if (body.next) expect(res.headers.link).toBe(`<${body.next}>; rel="next"`);
        expect(body.by_system.length).toBeGreaterThan(0);
        seen.push(...body.people);
        next = body.next;
      }
      return seen;
    };
    const outsiders = await walk(outsider, '/api/reports/key-person?limit=2');
    expect(outsiders.map((p) => `${p.handle} ${p.count} ${p.pages.join(',')}`)).toEqual(['dokafor 3 open-d1,open-d2', 'dokafor 3 open-d3', 'mreyes 2 open-r1', 'mreyes 2 open-r2']);
    expect((await get(outsider, '/api/reports/key-person')).json()).toMatchObject({ total: 5, limit: 100, people: [{ handle: 'dokafor', count: 3 }, { handle: 'mreyes', count: 2 }] });
    const members = await walk(member, '/api/reports/key-person?limit=3');
    expect(members.flatMap((p) => p.pages).sort()).toEqual(['open-d1', 'open-d2', 'open-d3', 'open-r1', 'open-r2', 'secret-r1', 'secret-r2', 'secret-r3']);
    // Naming a hidden page in `after` is naming nothing, as for a page that does not exist.
    for (const url of ['/api/reports/key-person?after=mreyes/secret-r1', '/api/reports/key-person?after=nobody/x', '/api/reports/key-person?limit=1001', '/api/reports/key-person?limit=0']) {
      const res = await get(outsider, url);
      expect(res.statusCode, url).toBe(400);
      expect(res.body, url).not.toContain('secret-r1 ');
    }
  });

  it('health and key-person figures follow a write made in the same minute', async () => {
    const before = (await get(outsider, '/api/reports/health')).json().rows[0].pages as number;
    const keyBefore = (await get(outsider, '/api/reports/key-person')).json().total as number;
    createPage(commandContext(t.store, 'mreyes', { at: new Date('2025-01-01T00:00:00.000Z'), events: t.app.events }), { slug: 'open-r3', frontMatter: { ...sampleFrontMatter, title: 'Title open-r3', owners: ['mreyes'] }, body: 'x', summary: 'Created' });
    expect((await get(outsider, '/api/reports/health')).json().rows[0].pages).toBe(before + 1);
    expect((await get(outsider, '/api/reports/key-person')).json().total).toBe(keyBefore + 1);
    const csv = (await get(outsider, '/reports/health.csv')).body;
    expect(csv.split('\n')[1]).toContain(`All systems,,${before + 1},`);
  });
});
