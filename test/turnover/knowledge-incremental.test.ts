import { afterEach, describe, expect, it } from 'vitest';
import { createPage, markReviewed, renamePage, savePage, setArchived } from '../../server/pages/commands.js';
import { departPerson } from '../../server/people/commands/depart-person.js';
import { knowledge, knowledgeBase, type Knowledge } from '../../server/reports/knowledge.js';
import { staleView } from '../../server/reports/stale-index.js';
import { commandContext, privacyTeam, sampleFrontMatter, testApp, type TestApp } from '../helpers.js';

/**
 * The reports' snapshot is kept across writes (only the pages written since are read again) and minutes
 * (only due instants are compared with the time). Whatever happens, it must say what a fresh full read says.
 */

function random(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/** What a viewer sees of the stale report: order, owners, their counts and rows. */
function stale(k: Knowledge, hidden: Set<string>) {
  const v = staleView(k, hidden);
  return { count: v.count, pages: v.pages().map((p) => `${p.slug} ${p.review.daysOverdue}`), owners: v.owners.map((o) => ({ handle: o.owner.handle, count: o.count, rows: o.slice(0, 1000).map((p) => p.slug) })) };
}

let t: TestApp | undefined;
afterEach(async () => { await t?.close(); t = undefined; });

describe('the knowledge snapshot kept across writes and minutes', () => {
  it('equals a fresh full read after random writes, restrictions, departures and clock moves', async () => {
    const rnd = random(20261126);
    const pick = <T,>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
    let now = new Date('2026-06-01T00:00:00.000Z');
    const app = (t = await testApp({}, { clock: () => now })).app;
    await privacyTeam(t.store);
    const store = t.store;
    // A team nobody is in: its pages stand behind no one until someone joins.
    store.parties.insert({ handle: 'ops', kind: 'team', name: 'Operations', title: null, email: null, status: 'active', departed_on: null, created_at: now.toISOString() });
    const ctx = (at: Date = now) => commandContext(store, 'mreyes', { at, events: app.events });
    // Few distinct creation instants and intervals, so many pages fall due at the same instant; titles
    // repeat and differ only in case or accents, so every tie-break of the order is exercised.
    const titles = ['Alpha', 'alpha', 'Émile', 'Zeta', 'Ärger', 'Beta', 'Alpha'];
    const instants = ['2025-01-01T00:00:00.000Z', '2025-03-01T00:00:00.000Z', '2026-02-15T12:00:00.000Z'].map((s) => new Date(s));
    const owners = [['mreyes'], ['dokafor'], ['privacy'], ['mreyes', 'dokafor'], ['pwong', 'privacy'], ['ops']];
    const fm = () => ({ ...sampleFrontMatter, title: pick(titles), owners: pick(owners), review_every: pick(['30d', '90d', '1y', '2w']), status: pick(['live', 'live', 'retired']), ...(rnd() < 0.2 ? { restricted_to: ['privacy'] } : {}) });
    const slugs: string[] = [];
    const add = () => {
      const slug = `page-${slugs.length}`;
      createPage(ctx(pick(instants)), { slug, frontMatter: fm(), body: slug, summary: 'Created' });
      slugs.push(slug);
    };
    for (let i = 0; i < 40; i++) add();
    let departed = false;
    const check = (step: string) => {
      const kept = app.knowledge();
      const fresh = knowledge(store, app.config.reviewDefaults, kept.now, knowledgeBase(store));
      expect(kept.pages, step).toEqual(fresh.pages);
      const restricted = new Set(store.pages.restrictions().map((r) => r.slug));
      for (const hidden of [new Set<string>(), restricted]) {
        expect(stale(kept, hidden), step).toEqual(stale(fresh, hidden));
        // Hidden pages are in no figure: not listed, not counted.
        expect(app.knowledge(hidden).pages.map((p) => p.slug), step).toEqual(fresh.pages.filter((p) => !hidden.has(p.slug)).map((p) => p.slug));
      }
    };
    check('start');
    for (let step = 0; step < 120; step++) {
      const live = slugs.filter((s) => store.pages.head(s) && !store.pages.head(s)!.archived);
      const r = rnd();
      let what: string;
      if (r < 0.15) { add(); what = 'create'; }
      else if (r < 0.35 && live.length) {
        const slug = pick(live);
        const head = store.pages.head(slug)!;
        savePage(ctx(), { slug, baseVersion: head.current_version, frontMatter: fm(), body: `${slug} ${step}`, summary: 'Edited' });
        what = `save ${slug}`;
      } else if (r < 0.5 && live.length) {
        const slug = pick(live);
        markReviewed(ctx(), { slug });
        what = `review ${slug}`;
      } else if (r < 0.55 && live.length) {
        const slug = pick(live);
        setArchived(ctx(), { slug, archived: true, summary: 'Gone' });
        what = `archive ${slug}`;
      } else if (r < 0.58) {
        const gone = slugs.filter((s) => store.pages.head(s)?.archived);
        if (!gone.length) continue;
        const slug = pick(gone);
        setArchived(ctx(), { slug, archived: false, summary: 'Back' });
        what = `unarchive ${slug}`;
      } else if (r < 0.62 && live.length) {
        const slug = pick(live);
        const to = `renamed-${step}`;
        renamePage(ctx(), { slug, to, summary: 'Renamed' });
        slugs.push(to);
        what = `rename ${slug}`;
      } else if (r < 0.64 && !departed) {
        departPerson(ctx(), { handle: 'dokafor', reason: 'Left', today: now.toISOString().slice(0, 10) });
        departed = true;
        what = 'depart';
      } else if (r < 0.66) {
        // Someone joins a team: every page the team owns now stands behind one more person.
        store.parties.addMember(pick(['privacy', 'ops']), pick(['mreyes', 'pwong', 'dokafor']));
        app.events.emit('directory-changed', { handle: 'privacy' });
        what = 'membership';
      } else if (r < 0.8) {
        now = new Date(now.getTime() + 60_000);
        what = 'minute';
      } else if (r < 0.9) {
        now = new Date(now.getTime() + Math.floor(rnd() * 40) * 86_400_000 + Math.floor(rnd() * 1440) * 60_000);
        what = 'days';
      } else {
        what = 'nothing';
      }
      check(`step ${step}: ${what}`);
    }
  });

  it('reads again only the pages written since: every other page keeps its fact', async () => {
    const now = new Date('2026-06-01T00:00:00.000Z');
    const app = (t = await testApp({}, { clock: () => now })).app;
    const ctx = commandContext(t.store, 'mreyes', { at: new Date('2025-01-01T00:00:00.000Z'), events: app.events });
    for (const slug of ['one', 'two', 'three']) createPage(ctx, { slug, frontMatter: { ...sampleFrontMatter, title: slug, review_every: '90d' }, body: slug, summary: 'Created' });
    const before = app.knowledge();
    markReviewed({ ...ctx, at: now }, { slug: 'two' });
    const after = app.knowledge();
    const of = (k: Knowledge, slug: string) => k.pages.find((p) => p.slug === slug)!;
    expect(of(after, 'two').review.overdue).toBe(false);
    expect(of(before, 'two').review.overdue).toBe(true);
    expect(of(after, 'one')).toBe(of(before, 'one'));
    expect(of(after, 'three')).toBe(of(before, 'three'));
  });
});
