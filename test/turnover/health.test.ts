import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPage, savePage } from '../../server/pages/commands.js';
import { commandContext, privacyTeam, sampleFrontMatter, testApp, tokenFor, type TestApp } from '../helpers.js';

/**
 * A small wiki whose dashboard figures were worked out by hand. The clock stands at 2026-06-01 00:00 UTC,
 * so the 12 weeks run from 2026-03-09 (week 0) to the end of 2026-05-31 (week 11).
 *
 *   page  system/module     owners (people behind)          ticket  review                          edits in window
 *   e1    Epic/ClinDoc      mreyes (1: single)               yes     6m from 2026-01-01: current      v2 on 05-20 → week 10
 *   e2    Epic/ClinDoc      tbrennan, departed (0: orphan)   no      90d from 2026-01-01: overdue     —
 *   e3    Epic/Orders       mreyes, dokafor (2)              yes     retired: not under review        v1 on 03-10 → week 0
 *   w1    Workday/(none)    epic-clindoc = mreyes (1)        no      1y from 2025-01-15: overdue      v2 on 05-31 12:00 → week 11
 */
let t: TestApp;
const NOW = new Date('2026-06-01T00:00:00.000Z');
beforeAll(async () => {
  t = await testApp({}, { clock: () => NOW });
  const at = (iso: string) => commandContext(t.store, 'mreyes', { at: new Date(iso) });
  const base = { ...sampleFrontMatter, tickets: undefined, review_every: undefined, module: undefined };
  createPage(at('2026-01-01T00:00:00Z'), { slug: 'e1', frontMatter: { ...base, module: 'ClinDoc', owners: ['mreyes'], tickets: ['CHG0000001'], review_every: '6m' }, body: 'e1' });
  savePage(at('2026-05-20T00:00:00Z'), { slug: 'e1', frontMatter: { ...base, module: 'ClinDoc', owners: ['mreyes'], tickets: ['CHG0000001'], review_every: '6m' }, body: 'e1 v2', summary: 'edit', baseVersion: 1 });
  createPage(at('2026-01-01T00:00:00Z'), { slug: 'e2', frontMatter: { ...base, module: 'ClinDoc', owners: ['tbrennan'], review_every: '90d' }, body: 'e2' });
  createPage(at('2026-03-10T00:00:00Z'), { slug: 'e3', frontMatter: { ...base, module: 'Orders', owners: ['mreyes', 'dokafor'], tickets: ['CHG0000003'], status: 'retired' }, body: 'e3' });
  createPage(at('2025-01-15T00:00:00Z'), { slug: 'w1', frontMatter: { ...base, system: 'Workday', owners: ['epic-clindoc'], review_every: '1y' }, body: 'w1' });
  savePage(at('2026-05-31T12:00:00Z'), { slug: 'w1', frontMatter: { ...base, system: 'Workday', owners: ['epic-clindoc'], review_every: '1y' }, body: 'w1 v2', summary: 'edit', baseVersion: 1 });
});
afterAll(async () => { await t.close(); });

const week = (...marks: [number, number][]) => {
  const w = new Array(12).fill(0);
  for (const [i, n] of marks) w[i] = n;
  return w;
};

describe('the knowledge-health dashboard', () => {
  it('matches the figures computed by hand, per system and module', async () => {
    const res = await t.app.inject({ url: '/api/reports/health', headers: { authorization: `Bearer ${tokenFor(t.store, 'reader')}` } });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.weeks[0]).toBe('2026-03-09');
    expect(r.weeks[11]).toBe('2026-05-25');
    const row = (system: string, module: string | null) => r.rows.find((x: { system: string; module: string | null }) => x.system === system && x.module === module);
    expect(row('All systems', null)).toEqual({ system: 'All systems', module: null, pages: 4, under_review: 3, current_review: 1, current_review_share: 1 / 3, single_owner: 2, orphaned: 1, without_ticket: 2, edits_per_week: week([0, 1], [10, 1], [11, 1]) });
    expect(row('Epic', null)).toEqual({ system: 'Epic', module: null, pages: 3, under_review: 2, current_review: 1, current_review_share: 0.5, single_owner: 1, orphaned: 1, without_ticket: 1, edits_per_week: week([0, 1], [10, 1]) });
    expect(row('Epic', 'ClinDoc')).toEqual({ system: 'Epic', module: 'ClinDoc', pages: 2, under_review: 2, current_review: 1, current_review_share: 0.5, single_owner: 1, orphaned: 1, without_ticket: 1, edits_per_week: week([10, 1]) });
    expect(row('Epic', 'Orders')).toEqual({ system: 'Epic', module: 'Orders', pages: 1, under_review: 0, current_review: 0, current_review_share: null, single_owner: 0, orphaned: 0, without_ticket: 0, edits_per_week: week([0, 1]) });
    expect(row('Workday', null)).toMatchObject({ pages: 1, under_review: 1, current_review: 0, current_review_share: 0, single_owner: 1, orphaned: 0, without_ticket: 1, edits_per_week: week([11, 1]) });
    expect(row('Workday', 'General')).toMatchObject({ pages: 1, single_owner: 1 });
    expect(row('Interfaces', null)).toMatchObject({ pages: 0, current_review_share: null, edits_per_week: week() });
    expect(r.rows.map((x: { system: string; module: string | null }) => `${x.system}/${x.module ?? ''}`)).toEqual(['All systems/', 'Epic/', 'Epic/ClinDoc', 'Epic/Orders', 'Workday/', 'Workday/General', 'Interfaces/', 'Infrastructure/']);
  });

  it('shows the same numbers as SVG charts and a table, without JavaScript, and as a CSV download', async () => {
    const headers = { authorization: `Bearer ${tokenFor(t.store, 'reader')}` };
    const html = (await t.app.inject({ url: '/reports/health', headers })).body;
    expect(html.match(/<svg [^>]*role="img"/g)).toHaveLength(4);
    // Maria Reyes alone stands behind e1 and, through her one-person team, w1.
    expect(html).toContain('<title>Maria Reyes: 2 pages orphaned if they left tomorrow</title>');
    expect(html).toContain('<title>Epic › ClinDoc: 1 of 2 reviews current (50%)</title>');
    expect(html).toContain('<title>Epic: 1 orphaned of 3 pages</title>');
    expect(html).toMatch(/<th scope="row">Epic<\/th>\s*<td>3<\/td>\s*<td>50% <small class="muted">\(1\/2\)<\/small><\/td>\s*<td>1<\/td>/);
    expect(html).not.toMatch(/<script(?! src="\/assets\/)/);
    const csv = await t.app.inject({ url: '/reports/health.csv', headers });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="whywiki-health-2026-06-01.csv"');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toBe('system,module,pages,under_review,current_review,current_review_share,single_owner,orphaned,without_ticket,' + Array.from({ length: 12 }, (_, i) => `edits_week_of_${new Date(Date.parse('2026-03-09') + i * 7 * 86_400_000).toISOString().slice(0, 10)}`).join(','));
    expect(lines[1]).toBe('All systems,,4,3,1,0.333,2,1,2,1,0,0,0,0,0,0,0,0,0,1,1');
    expect(lines[3]).toBe('Epic,ClinDoc,2,2,1,0.500,1,1,1,0,0,0,0,0,0,0,0,0,0,1,0');
  });

  it('lists [[links]] to missing pages with the pages that link to them', async () => {
    createPage(commandContext(t.store, 'mreyes', { at: NOW }), { slug: 'linker', frontMatter: { ...sampleFrontMatter }, body: 'See [[e1]] and [[runbook-to-write]].' });
    const res = await t.app.inject({ url: '/api/reports/broken-links', headers: { authorization: `Bearer ${tokenFor(t.store, 'reader')}` } });
    expect(res.json()).toEqual({ count: 1, links: [{ target: 'runbook-to-write', from: [{ slug: 'linker', title: sampleFrontMatter.title }] }] });
    const back = await t.app.inject({ url: '/api/pages/e1/backlinks', headers: { authorization: `Bearer ${tokenFor(t.store, 'reader')}` } });
    expect(back.json()).toMatchObject({ slug: 'e1', backlinks: [{ slug: 'linker' }] });
  });
});

describe('edits per week at the edges of the weeks', () => {
  it('puts an edit at a week\'s first millisecond in that week, leaves out the one before the range, and counts no hidden page', async () => {
    const w = await testApp({}, { clock: () => NOW });
    try {
      await privacyTeam(w.store);
      const at = (iso: string) => commandContext(w.store, 'mreyes', { at: new Date(iso) });
      const fm = { ...sampleFrontMatter, module: undefined };
      createPage(at('2026-03-08T23:59:59.999Z'), { slug: 'before-range', frontMatter: fm, body: 'x' });
      createPage(at('2026-03-09T00:00:00.000Z'), { slug: 'first-ms', frontMatter: fm, body: 'x' });
      createPage(at('2026-03-15T23:59:59.999Z'), { slug: 'last-ms-of-week-0', frontMatter: fm, body: 'x' });
      createPage(at('2026-03-16T00:00:00.000Z'), { slug: 'week-1', frontMatter: fm, body: 'x' });
      createPage(at('2026-05-31T23:59:59.999Z'), { slug: 'last-ms', frontMatter: fm, body: 'x' });
      createPage(at('2026-04-15T00:00:00.000Z'), { slug: 'secret-edit', frontMatter: { ...fm, restricted_to: ['privacy'] }, body: 'x' });
      const edits = async (who: string) => {
        const res = await w.app.inject({ url: '/api/reports/health', headers: { authorization: `Bearer ${tokenFor(w.store, who)}` } });
        return (res.json().rows as { system: string; module: string | null; edits_per_week: number[] }[]).find((r) => r.system === 'All systems')!.edits_per_week;
      };
      expect(await edits('reader')).toEqual(week([0, 2], [1, 1], [11, 1]));
      expect(await edits('pat')).toEqual(week([0, 2], [1, 1], [5, 1], [11, 1]));
    } finally {
      await w.close();
    }
  });
});
