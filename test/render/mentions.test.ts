import { afterEach, describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../server/render/markdown.js';
import { RenderCache } from '../../server/render/cache.js';
import { pageExists } from '../../server/pages/queries.js';
import { mentionLinks } from '../../server/people/mentions.js';
import { testStore } from '../helpers.js';
import type { Store } from '../../server/store/index.js';

const known = { mreyes: '/people/mreyes', 'epic-clindoc': '/teams/epic-clindoc' };

describe('@mentions', () => {
  it('links known people and teams to their pages, and leaves unknown handles as plain text', () => {
    const html = renderMarkdown('Ask @mreyes or @Epic-ClinDoc, not @nobody.', { mentions: known }).html;
    expect(html).toContain('<a href="/people/mreyes" class="mention">@mreyes</a>');
    expect(html).toContain('<a href="/teams/epic-clindoc" class="mention">@Epic-ClinDoc</a>,');
    expect(html).toContain('not @nobody.');
  });

  it('keeps trailing punctuation outside the link', () => {
    expect(renderMarkdown('Thanks @mreyes.', { mentions: known }).html).toContain('<a href="/people/mreyes" class="mention">@mreyes</a>.</p>');
  });

  it('leaves code, e-mail addresses and existing links alone', () => {
    const html = renderMarkdown('`@mreyes` and mail mreyes@example.org and [@mreyes](https://example.org)\n\n```\n@mreyes\n```', { mentions: known }).html;
    expect(html).not.toContain('class="mention"');
    expect(html).toContain('<code>@mreyes</code>');
  });

  it('renders nothing as a mention without the directory data', () => {
    expect(renderMarkdown('Ask @mreyes.').html).toBe('<p>Ask @mreyes.</p>');
  });

  let store: Store | undefined;
  afterEach(() => store?.close());

  it('gets the known handles from the directory through the render workers, and sees a person added later', async () => {
    const s = (store = testStore().store);
    const cache = new RenderCache((slug) => pageExists(s, slug), { timeoutMs: 60_000, threads: 1, mentions: (handles) => mentionLinks(s, handles) });
    try {
      const text = 'Ask @mreyes, @epic-clindoc or @newhire.';
      const before = await cache.render('h1', 'body', text);
      expect(before.html).toContain('<a href="/people/mreyes" class="mention">@mreyes</a>');
      expect(before.html).toContain('<a href="/teams/epic-clindoc" class="mention">@epic-clindoc</a>');
      expect(before.html).toContain('or @newhire.');
      s.parties.insert({ handle: 'newhire', kind: 'person', name: 'New Hire', title: null, email: null, status: 'active', departed_on: null, created_at: new Date().toISOString() });
      expect((await cache.render('h1', 'body', text)).html).toContain('<a href="/people/newhire" class="mention">@newhire</a>');
    } finally {
      await cache.close();
    }
  });
});
