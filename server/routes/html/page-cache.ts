import handlebars from 'handlebars';
import { LRUCache } from 'lru-cache';

const USER = '\u0001ww-user\u0001';
const ROLE = '\u0001ww-role\u0001';
const CSRF = '\u0001ww-csrf\u0001';
const NAME = '\u0001ww-name\u0001';

/** Stand-ins rendered in place of what differs per person, so one rendering serves everyone with the same role. */
export const PERSONAL_PLACEHOLDERS = { user: { username: USER, role: ROLE }, csrfToken: CSRF, displayName: NAME };

/**
 * Rendered page views, whole, keyed by page, version and the viewer's role. A page view depends on
 * more than its own version (backlinks, whether linked pages exist, owners' names), so every write
 * empties the cache, including writes by other processes: writes are rare next to reads. What is personal (the signed-in
 * name, role and CSRF token) is filled in per request.
 */
export class PageHtmlCache {
  private readonly cache = new LRUCache<string, string>({ maxSize: 64 * 1024 * 1024, sizeCalculation: (html) => Math.max(1, html.length * 2) });
  private seenVersion: number;

  /** `externalVersion` changes when another process (the CLI, an import) commits to the store. */
  constructor(private readonly externalVersion: () => number) {
    this.seenVersion = externalVersion();
  }

  get(key: string): string | undefined {
    const v = this.externalVersion();
    if (v !== this.seenVersion) {
      this.seenVersion = v;
      this.cache.clear();
    }
    return this.cache.get(key);
  }

  set(key: string, html: string): void {
    this.cache.set(key, html);
  }

  invalidate(): void {
    this.cache.clear();
  }

  static personalize(html: string, user: { username: string; role: string }, csrfToken: string, displayName = user.username): string {
    const esc = handlebars.Utils.escapeExpression;
    return html.replaceAll(NAME, esc(displayName)).replaceAll(USER, esc(user.username)).replaceAll(ROLE, esc(user.role)).replaceAll(CSRF, esc(csrfToken));
  }
}
