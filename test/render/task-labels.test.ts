import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../server/render/markdown.js';

describe('task lists', () => {
  it('names each checkbox after its item, so a screen reader says which step it is', () => {
    const { html } = renderMarkdown('- [ ] Build the <b>BPA</b> in POC\n- [x] Ask & check "pharmacy"\n');
    // Raw HTML never reaches the page, so the label is the item's text alone.
    expect(html).toContain('<input type="checkbox" disabled aria-label="Build the BPA in POC">');
    expect(html).toMatch(/<input type="checkbox" checked disabled aria-label="Ask &#x26; check &#x22;pharmacy&#x22;">/);
  });
});
