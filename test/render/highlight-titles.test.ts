import { afterEach, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../server/render/markdown.js';
import { RenderCache } from '../../server/render/cache.js';
import { linkTitles, pageExists } from '../../server/pages/queries.js';
import { commandContext, sampleFrontMatter, seedPage, testStore } from '../helpers.js';
import { createPage, savePage } from '../../server/pages/commands.js';
import type { Store } from '../../server/store/index.js';

describe('syntax highlighting', () => {
  it('highlights fenced code with a language, and the classes survive sanitizing', () => {
    const html = renderMarkdown('```sql\nSELECT id FROM orders; -- open ones\n```').html;
    expect(html).toContain('<code class="hljs language-sql">');
    expect(html).toContain('<span class="hljs-keyword">SELECT</span>');
    expect(html).toContain('<span class="hljs-comment">-- open ones</span>');
  });

  it('knows PowerShell and keeps highlight.js sub-classes such as "title class_"', () => {
    expect(renderMarkdown('```powershell\nGet-ChildItem -Path C:\\\n```').html).toMatch(/<span class="hljs-built_in">Get-ChildItem<\/span>/);
    expect(renderMarkdown('```js\nclass Order {}\n```').html).toContain('<span class="hljs-title class_">Order</span>');
  });

  it('leaves code in an unknown language or without one as plain, escaped text', () => {
    const html = renderMarkdown('```hl7\nMSH|^~\\&|<script>\n```\n\n```\nplain <b>\n```').html;
    expect(html).toContain('MSH|^~\\&#x26;|&#x3C;script>');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<pre><code>plain &#x3C;b>\n</code></pre>');
  });

  it('drops classes that are not highlight.js\'s own from spans and code', () => {
    // remark never passes raw HTML, so the only way in is a language name: it must not become an arbitrary class.
    const html = renderMarkdown('```sql" onclick="x\nSELECT 1\n```').html;
    expect(html).not.toContain('onclick');
  });
});

describe('wiki links read as titles', () => {
  const titles = { 'vte-panel': 'VTE prophylaxis order panel', 'sepsis-bpa': 'Sepsis screening BPA' };
  const render = (md: string) => renderMarkdown(md, { pageExists: (s) => s !== 'missing-page', titles }).html;

  it('shows the target page\'s title for [[slug]], and the label when one is given', () => {
    const html = render('See [[vte-panel]] and [[sepsis-bpa|the BPA]].');
    expect(html).toContain('<a href="/p/vte-panel" class="wikilink">VTE prophylaxis order panel</a>');
    expect(html).toContain('<a href="/p/sepsis-bpa" class="wikilink">the BPA</a>');
  });

  it('keeps the slug, red, for a missing page, and the text as written when no title is given', () => {
    const html = render('[[missing-page]] and [[open-but-unknown]]');
    expect(html).toMatch(/class="wikilink missing">missing-page<\/a>/);
    expect(html).toContain('<a href="/p/open-but-unknown" class="wikilink">open-but-unknown</a>');
  });

  it('does not take a title from the object prototype', () => {
    expect(renderMarkdown('[[constructor]]', { titles: {} }).html).toContain('>constructor</a>');
  });
});

describe('titles come from open pages only, and follow renames of the title', () => {
  let store: Store | undefined;
  afterEach(() => store?.close());

  it('gives titles of open pages, never of restricted ones', async () => {
    ({ store } = testStore());
    seedPage(store, 'open-page');
    const now = new Date().toISOString();
    store.parties.insert({ handle: 'privacy', kind: 'team', name: 'Privacy Office', title: null, email: null, status: 'active', departed_on: null, created_at: now });
    createPage(commandContext(store), { slug: 'secret-page', frontMatter: { ...sampleFrontMatter, title: 'Secret audit rule', restricted_to: ['privacy'] }, body: 'x', summary: 'c' });
    expect(linkTitles(store, ['open-page', 'secret-page', 'nope'])).toEqual({ 'open-page': sampleFrontMatter.title });
    const html = renderMarkdown('[[secret-page]]', { pageExists: () => true, titles: linkTitles(store, ['secret-page']) }).html;
    expect(html).toContain('>secret-page</a>');
    expect(html).not.toContain('Secret audit rule');
  });

  it('renders again when a linked page\'s title changed, even for the same text', async () => {
    ({ store } = testStore());
    const s = store;
    seedPage(s, 'vte-panel');
    const cache = new RenderCache((slug) => pageExists(s, slug), { timeoutMs: 60_000, titles: (slugs: string[]) => linkTitles(s, slugs) });
    expect((await cache.render('h1', 'body', 'See [[vte-panel]].')).html).toContain(`>${sampleFrontMatter.title}</a>`);
    savePage(commandContext(s), { slug: 'vte-panel', frontMatter: { ...sampleFrontMatter, title: 'VTE order panel' }, body: '## Context\n\nLinks to [[vte-panel]].\n', summary: 'Retitled', baseVersion: 1 });
    expect((await cache.render('h1', 'body', 'See [[vte-panel]].')).html).toContain('>VTE order panel</a>');
    await cache.close();
  });
});
