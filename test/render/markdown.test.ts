import { describe, expect, it } from 'vitest';
import { extractWikiLinks, renderMarkdown } from '../../server/render/markdown.js';

const render = (md: string) => renderMarkdown(md, { pageExists: (slug) => slug !== 'missing-page' }).html;

describe('renderMarkdown', () => {
  it('renders GFM tables, task lists and strikethrough', () => {
    const html = render('| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~');
    expect(html).toContain('<table>');
    expect(html).toContain('type="checkbox"');
    expect(html).toContain('<del>old</del>');
  });

  it('links [[slug]] and [[slug|label]], marking missing pages as links to create them', () => {
    const html = render('See [[vte-panel]], [[Sepsis BPA|the BPA]] and [[missing-page]].');
    expect(html).toContain('<a href="/p/vte-panel" class="wikilink">vte-panel</a>');
    expect(html).toContain('<a href="/p/sepsis-bpa" class="wikilink">the BPA</a>');
    expect(html).toMatch(/<a href="\/new\?slug=missing-page"[^>]*class="wikilink missing">missing-page<\/a>/);
  });

  it('gives headings ids and lists h2/h3 in the table of contents', () => {
    const r = renderMarkdown('# Top\n\n## Build steps\n\n### Step one\n\n## Build steps');
    expect(r.html).toContain('<h2 id="h-build-steps">');
    expect(r.toc).toEqual([
      { depth: 2, id: 'h-build-steps', text: 'Build steps' },
      { depth: 3, id: 'h-step-one', text: 'Step one' },
      { depth: 2, id: 'h-build-steps-1', text: 'Build steps' },
    ]);
  });

  it.each([
    ['javascript link', '[x](javascript:alert(1))'],
    ['entity-encoded javascript', '[x](jav&#x61;script:alert(1))'],
    ['mixed-case javascript', '[x](JaVaScRiPt:alert(1))'],
    ['tab inside the scheme', '[x](<java\tscript:alert(1)>)'],
    ['data URL', '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)'],
    ['vbscript', '[x](vbscript:msgbox(1))'],
    ['reference-style javascript', '[x][r]\n\n[r]: javascript:alert(1)'],
    ['autolink javascript', '<javascript:alert(1)>'],
    ['image with javascript', '![x](javascript:alert(1))'],
  ])('neutralizes a %s', (_name, md) => {
    const html = render(md);
    // No attribute may carry a script or data URL; the words may remain as inert text.
    expect(html).not.toMatch(/(href|src)="[^"]*(script|data):/i);
    expect(html).toMatch(/<(a|p)/);
  });

  it('drops raw HTML and event handlers', () => {
    const html = render('<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n<a href="#" onclick="alert(1)">x</a>\n\n<iframe src="https://evil.example"></iframe>');
    expect(html).not.toMatch(/<script|<img|<iframe|onerror|onclick/i);
  });

  it('keeps code-fence info strings from escaping their attribute', () => {
    const html = render('```js" onmouseover="alert(1)\ncode\n```');
    expect(html).not.toMatch(/<code[^>]*\sonmouseover=/);
    expect(html).toContain('code');
  });

  it('finds wiki links outside code only', () => {
    expect(extractWikiLinks('[[a]] `[[b]]` [[c|C]]\n\n```\n[[d]]\n```')).toEqual(['a', 'c']);
  });
});

describe('images', () => {
  const sha = 'a'.repeat(64);
  const pageFiles = { slug: 'sepsis-bpa', files: { [sha]: { name: 'criteria.png', label: 'PNG image', size: 2048, width: 1280, height: 560, thumbnail: false } } };
  const img = (md: string, siteOrigin?: string) => renderMarkdown(md, { siteOrigin, pageFiles }).html;

  it('are shown from the page’s own files, lazily, at their proportions, opening full size', () => {
    const html = img(`![criteria](</p/sepsis-bpa/files/${sha}/criteria.png>)`);
    expect(html).toContain(`<a href="/p/sepsis-bpa/files/${sha}/criteria.png" class="file-image"`);
    expect(html).toContain(`<img src="/p/sepsis-bpa/files/${sha}/criteria.png" alt="criteria" loading="lazy" decoding="async" class="page-image" width="1280" height="560">`);
  });

  it('from another page’s files are not loaded (a page shows only its own)', () => {
    expect(img(`![x](</p/other-page/files/${sha}/criteria.png>)`)).not.toContain('<img');
    expect(renderMarkdown(`![x](</p/sepsis-bpa/files/${sha}/criteria.png>)`).html).not.toContain('<img');
  });

  it('links to the page’s other files say what they are and how large', () => {
    expect(img(`[criteria.png](</p/sepsis-bpa/files/${sha}/criteria.png>)`)).toContain('<span class="file-meta"> (PNG image, 2 KB)</span>');
  });

  it('on other routes of the wiki are shown as text, never loaded', () => {
    for (const src of ['/api/audit/export.csv', 'api/audit/export.csv', '../api/audit/export.csv', '/p/sepsis-bpa/files/../../../api/audit/export.csv', '/p/sepsis-bpa/files/%2e%2e/%2e%2e/api/audit/export.csv', '/\\evil/x.png', '/files/a.png']) {
      const html = img(`![x](${src})`);
      expect(html, src).not.toContain('<img');
      expect(html, src).toContain('not shown: images can only come from the page\'s files');
    }
  });

  it('absolute addresses of the wiki itself count as its own routes', () => {
    expect(img('![x](https://wiki.example.org/api/audit/export.csv)', 'https://wiki.example.org')).not.toContain('<img');
    expect(img(`![x](https://wiki.example.org/p/sepsis-bpa/files/${sha}/criteria.png)`, 'https://wiki.example.org')).toContain('<img');
  });

  it('from elsewhere are left to the content security policy', () => {
    expect(img('![x](https://example.org/a.png)')).toContain('<img src="https://example.org/a.png"');
  });
});
