import { LRUCache } from 'lru-cache';
import { extractWikiLinks, renderMarkdown, type RenderedMarkdown } from './markdown.js';

type Titles = Readonly<Record<string, string>>;

/**
 * Rendered HTML per version hash. A rendering also depends on which pages exist (missing links look
 * different), so the key carries a generation that moves whenever a page appears or disappears.
 */
export class RenderCache {
  private generation = 0;
  private readonly cache = new LRUCache<string, RenderedMarkdown & { titles: Titles }>({ max: 2000 });

  constructor(
    private readonly pageExists: (slug: string) => boolean,
    /** Titles shown for the given link targets (see linkTitles); looked up here so rendering gets plain data. */
    private readonly titlesOf: (slugs: readonly string[]) => Titles = () => ({}),
  ) {}

  /** Call when the set of existing pages changed. */
  pagesChanged(): void {
    this.generation++;
  }

  render(hash: string, part: string, markdown: string): RenderedMarkdown {
    const key = `${hash}:${part}:${this.generation}`;
    let hit = this.cache.get(key);
    // A linked page's title may have changed (or the page became restricted) since this was rendered.
    if (hit && !sameTitles(hit.titles, this.titlesOf(hit.links))) hit = undefined;
    if (!hit) {
      const titles = this.titlesOf(extractWikiLinks(markdown));
      hit = { ...renderMarkdown(markdown, { pageExists: this.pageExists, titles }), titles };
      this.cache.set(key, hit);
    }
    return hit;
  }
}

function sameTitles(a: Titles, b: Titles): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
