import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPage } from '../../server/pages/commands.js';
import { commandContext, sampleFrontMatter, testApp, tokenFor, type TestApp } from '../helpers.js';

/**
 * Key-person figures worked out by hand. People behind each page (active only):
 *
 *   page  system/module   owners                          people behind     orphaned if … left
 *   a     Epic/ClinDoc    mreyes                          mreyes            mreyes
 *   b     Epic/ClinDoc    mreyes, tbrennan (departed)     mreyes            mreyes
 *   c     Epic/Beaker     epic-clindoc (= mreyes only)    mreyes            mreyes
 *   d     Epic/Beaker     mreyes, dokafor                 both              nobody
 *   e     Workday/—       dokafor                         dokafor           dokafor
 *   f     Workday/—       tbrennan (departed)             nobody            nobody (already orphaned)
 */
let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  const ctx = commandContext(t.store);
  const fm = (module: string | undefined, owners: string[], system = 'Epic') => ({ ...sampleFrontMatter, system, module, owners });
  createPage(ctx, { slug: 'a', frontMatter: fm('ClinDoc', ['mreyes']), body: 'a' });
  createPage(ctx, { slug: 'b', frontMatter: fm('ClinDoc', ['mreyes', 'tbrennan']), body: 'b' });
  createPage(ctx, { slug: 'c', frontMatter: fm('Beaker', ['epic-clindoc']), body: 'c' });
  createPage(ctx, { slug: 'd', frontMatter: fm('Beaker', ['mreyes', 'dokafor']), body: 'd' });
  createPage(ctx, { slug: 'e', frontMatter: fm(undefined, ['dokafor'], 'Workday'), body: 'e' });
  createPage(ctx, { slug: 'f', frontMatter: fm(undefined, ['tbrennan'], 'Workday'), body: 'f' });
});
afterAll(async () => { await t.close(); });

describe('key-person risk', () => {
  it('lists, for each active person, the pages orphaned if they left tomorrow, most first', async () => {
    const res = await t.app.inject({ url: '/api/reports/key-person', headers: { authorization: `Bearer ${tokenFor(t.store, 'reader')}` } });
    expect(res.statusCode).toBe(200);
    const r = res.json();
    expect(r.people).toEqual([
      { handle: 'mreyes', name: 'Maria Reyes', count: 3, pages: ['a', 'b', 'c'] },
      { handle: 'dokafor', name: 'David Okafor', count: 1, pages: ['e'] },
    ]);
    expect(r.by_system).toEqual([
      { system: 'Epic', module: null, pages: 4, one_person: 3 },
      { system: 'Epic', module: 'Beaker', pages: 2, one_person: 1 },
      { system: 'Epic', module: 'ClinDoc', pages: 2, one_person: 2 },
      { system: 'Workday', module: null, pages: 2, one_person: 1 },
      { system: 'Workday', module: 'General', pages: 2, one_person: 1 },
    ]);
  });

  it('draws the ranking on the health dashboard', async () => {
    const res = await t.app.inject({ url: '/reports/health', headers: { authorization: `Bearer ${tokenFor(t.store, 'reader')}` } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('id="key-person"');
    expect(res.body).toContain('Maria Reyes: 3 pages orphaned if they left tomorrow');
    expect(res.body).toContain('David Okafor: 1 page orphaned if they left tomorrow');
  });
});
