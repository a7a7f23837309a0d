import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPage } from '../../server/pages/commands.js';
import { Browser, commandContext, privacyTeam, sampleFrontMatter, seedPage, testApp, type TestApp } from '../helpers.js';

let t: TestApp;
let editor: Browser;
let member: Browser;

/** The "Related decisions" list of a page view, as the text of its links. */
function related(html: string): string[] {
  const section = html.match(/<section class="related-pages"[^]*?<\/section>/)?.[0] ?? '';
  return [...section.matchAll(/<a href="\/p\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]!);
}

beforeAll(async () => {
  t = await testApp();
  await privacyTeam(t.store);
  seedPage(t.store); // "Sepsis screening BPA", tags none
  const page = (slug: string, title: string, extra: Record<string, unknown> = {}) =>
    createPage(commandContext(t.store), { slug, frontMatter: { ...sampleFrontMatter, title, ...extra }, body: 'Text.', summary: 'Created' });
  page('sepsis-lactate-reflex', 'Lactate reflex for sepsis alerts');
  page('sepsis-audit-extract', 'Sepsis audit extract for the privacy office', { restricted_to: ['privacy'] });
  page('payroll-retro-pay', 'Workday retro pay calculation', { system: 'Workday', module: 'Payroll', why: 'Retro pay was computed by hand each quarter.', records: ['BP Retro Pay'] });
  await t.app.searchIndex.whenReady();
  editor = new Browser(t.app);
  await editor.signIn('editor');
  member = new Browser(t.app);
  await member.signIn('pat', 'member quiet words 3');
});
afterAll(async () => { await t.close(); });

describe('related decisions on a page', () => {
  it('lists pages the search engine finds for the title, without the page itself or unrelated pages', async () => {
    const res = await editor.get('/p/sepsis-screening-bpa');
    expect(res.statusCode).toBe(200);
    const list = related(res.body);
    expect(list).toContain('Lactate reflex for sepsis alerts');
    expect(list).not.toContain('Sepsis screening BPA');
    expect(list).not.toContain('Workday retro pay calculation');
  });

  it('leaves out restricted pages the reader may not see, and shows them to their team', async () => {
    expect(related((await editor.get('/p/sepsis-screening-bpa')).body)).not.toContain('Sepsis audit extract for the privacy office');
    expect(related((await member.get('/p/sepsis-screening-bpa')).body)).toContain('Sepsis audit extract for the privacy office');
    // And the editor's copy, served from the page cache after the member's visit, still leaves it out.
    expect((await editor.get('/p/sepsis-screening-bpa')).body).not.toContain('Sepsis audit extract');
  });
});

describe('wiki links and owners read as names', () => {
  it('shows an open page\'s title for [[slug]] and keeps the slug for a restricted target', async () => {
    createPage(commandContext(t.store), { slug: 'links-page', frontMatter: { ...sampleFrontMatter, title: 'Links page' }, body: 'See [[sepsis-lactate-reflex]] and [[sepsis-audit-extract]].', summary: 'Created' });
    const html = (await member.get('/p/links-page')).body;
    expect(html).toContain('<a href="/p/sepsis-lactate-reflex" class="wikilink">Lactate reflex for sepsis alerts</a>');
    expect(html).toContain('<a href="/p/sepsis-audit-extract" class="wikilink">sepsis-audit-extract</a>');
    expect(html).not.toContain('Sepsis audit extract for the privacy office');
  });

  it('shows owners by name in search results and facets, with the handle on hover', async () => {
    const res = await editor.get('/search?q=lactate');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<a href="/people/mreyes" title="mreyes">Maria Reyes</a>');
    const facet = res.body.match(/<section class="facet">\s*<h2>Owner<\/h2>[^]*?<\/section>/)?.[0] ?? '';
    expect(facet).toMatch(/owner&#x3D;mreyes" title="mreyes">Maria Reyes<\/a>/);
  });
});
