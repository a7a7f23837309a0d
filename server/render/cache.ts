import { LRUCache } from 'lru-cache';
import { renderMarkdown, type RenderedMarkdown } from './markdown.js';

/**
 * Rendered HTML per version hash. A rendering also depends on which pages exist (missing links look
 * different), so the key carries a generation that moves whenever a page appears or disappears.
 */
export class RenderCache {
  private generation = 0;
  private readonly cache = new LRUCache<string, RenderedMarkdown>({ max: 2000 });

  constructor(private readonly pageExists: (slug: string) => boolean) {}

  /** Call when the set of existing pages changed. */
  pagesChanged(): void {
    this.generation++;
  }

  render(hash: string, part: string, markdown: string): RenderedMarkdown {
    const key = `${hash}:${part}:${this.generation}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = renderMarkdown(markdown, { pageExists: this.pageExists });
      this.cache.set(key, hit);
    }
    return hit;
  }
}
