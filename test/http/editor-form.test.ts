import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, seedPage, testApp, type TestApp } from '../helpers.js';

let t: TestApp;
let editor: Browser;
beforeAll(async () => {
  t = await testApp();
  seedPage(t.store);
  editor = new Browser(t.app);
  await editor.signIn('editor');
});
afterAll(async () => { await t.close(); });

const form = {
  title: 'Discharge SmartPhrase',
  slug: '',
  why: 'Discharge instructions varied by nurse; one SmartPhrase makes them consistent.',
  owners: 'mreyes',
  system: 'Epic',
  module: 'ClinDoc',
  status: 'live',
  go_live: '',
  review_every: '',
  tickets: '',
  records: '',
  tags: '',
  requested_by: '',
  sponsor: '',
  supersedes: '',
  superseded_by: '',
  body: 'Body text.',
  summary: '',
};

describe('validation in one pass', () => {
  it('lists every field error at once, the unknown supersedes and a taken slug among them, in a summary that links the fields', async () => {
    await editor.get('/new');
    const res = await editor.post('/new', { ...form, slug: 'sepsis-screening-bpa', system: 'Cerner', owners: 'nobody-here', review_every: 'often', supersedes: 'no-such-page' });
    expect(res.statusCode).toBe(400);
    const summary = res.body.match(/<div class="error-summary[^]*?<\/div>/)?.[0] ?? '';
    expect(summary).toContain('id="error-summary"');
    expect(summary).toContain('tabindex="-1"');
    for (const field of ['slug', 'owners', 'system', 'review_every', 'supersedes']) expect(summary).toContain(`href="#f-${field}"`);
    expect(summary).toContain('No page has the slug no-such-page');
    expect(summary).toContain('A page with the slug &quot;sepsis-screening-bpa&quot; already exists');
    // In the order of the form, so the list reads top to bottom like the fields.
    expect(summary.indexOf('#f-slug')).toBeLessThan(summary.indexOf('#f-owners'));
    expect(summary.indexOf('#f-owners')).toBeLessThan(summary.indexOf('#f-supersedes'));
    // What was typed is kept.
    expect(res.body).toContain('value="no-such-page"');
  });

  it('shows no summary on a form without errors', async () => {
    const res = await editor.get('/new');
    expect(res.body).not.toContain('error-summary');
  });
});

describe('a save says what it did', () => {
  it('confirms a new page, a new version, an unchanged save and a review, each once', async () => {
    await editor.get('/new');
    const created = await editor.post('/new', { ...form, title: 'Flash page' });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe('/p/flash-page');
    const view = await editor.get('/p/flash-page');
    expect(view.body).toContain('<p class="banner flash" role="status">Page created as version 1.</p>');
    expect((await editor.get('/p/flash-page')).body).not.toContain('class="banner flash"');

    await editor.get('/p/flash-page/edit');
    const saved = await editor.post('/p/flash-page/edit', { ...form, title: 'Flash page', base_version: '1', body: 'Changed body.', summary: 'Clarified' });
    expect(saved.statusCode).toBe(303);
    expect((await editor.get('/p/flash-page')).body).toContain('Saved as version 2.');

    await editor.get('/p/flash-page/edit');
    await editor.post('/p/flash-page/edit', { ...form, title: 'Flash page', base_version: '2', body: 'Changed body.', summary: 'Nothing really' });
    expect((await editor.get('/p/flash-page')).body).toContain('Nothing changed: the page is still at version 2.');

    await editor.post('/p/flash-page/review', { note: 'still holds' });
    expect((await editor.get('/p/flash-page')).body).toContain('Marked reviewed.');
  });

  it('shows a confirmation only on the page it is about', async () => {
    await editor.get('/p/flash-page/edit');
    const saved = await editor.post('/p/flash-page/edit', { ...form, title: 'Flash page', base_version: '2', body: 'Elsewhere body.', summary: 'Elsewhere' });
    expect(saved.statusCode).toBe(303);
    expect((await editor.get('/p/sepsis-screening-bpa')).body).not.toContain('class="banner flash"');
    expect((await editor.get('/p/flash-page')).body).not.toContain('class="banner flash"');
  });

  it('keeps one person\'s confirmation out of what another person sees of the same page', async () => {
    const other = new Browser(t.app);
    await other.signIn('admin');
    await editor.get('/p/flash-page/edit');
    await editor.post('/p/flash-page/edit', { ...form, title: 'Flash page', base_version: '3', body: 'Third body.', summary: 'Again' });
    expect((await other.get('/p/flash-page')).body).not.toContain('class="banner flash"');
    expect((await editor.get('/p/flash-page')).body).toContain('Saved as version 4.');
  });
});

describe('the toolbar without and with JavaScript', () => {
  it('is hidden until its script runs, with real buttons that have names, so the form works without it', async () => {
    const html = (await editor.get('/p/sepsis-screening-bpa/edit')).body;
    const bar = html.match(/<div class="md-toolbar"[^>]*>/)?.[0] ?? '';
    expect(bar).toContain('role="toolbar"');
    expect(bar).toContain(' hidden');
    const buttons = [...html.matchAll(/<button type="button" class="secondary outline" data-md="(\w+)" aria-label="([^"]+)"/g)].map((m) => m[2]);
    expect(buttons).toEqual(['Bold', 'Italic', 'Heading', 'Bulleted list', 'Numbered list', 'Checklist', 'Table', 'Code block', 'Link', 'Link to a page', 'Image or file']);
    expect(html).toContain('<script src="/assets/toolbar.js" defer></script>');
    expect((await editor.get('/assets/toolbar.js')).statusCode).toBe(200);
    expect((await editor.get('/assets/hljs/a11y-light.min.css')).headers['content-type']).toContain('text/css');
  });

  it('previews [[slug]] as the page\'s title and code highlighted, as the saved page will show', async () => {
    await editor.get('/p/sepsis-screening-bpa/edit');
    const res = await editor.json('POST', '/api/preview', { body: 'See [[sepsis-screening-bpa]].\n\n```sql\nSELECT 1\n```' }, { 'x-csrf-token': editor.csrf });
    expect(res.statusCode).toBe(200);
    const html = (res.json() as { html: string }).html;
    expect(html).toContain('<a href="/p/sepsis-screening-bpa" class="wikilink">Sepsis screening BPA</a>');
    expect(html).toContain('<span class="hljs-keyword">SELECT</span>');
  });
});

