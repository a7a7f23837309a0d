import { randomBytes } from 'node:crypto';
import handlebars from 'handlebars';
import { LRUCache } from 'lru-cache';

/*
 * A raw "<" followed by NUL never appears in a rendered view otherwise: templates escape "<" in every
 * value, and the markdown renderer's output has "<" only before tag names. The per-process nonce
 * makes the stand-ins unguessable besides. They go into the template unescaped (SafeString) for that.
 */
const NONCE = randomBytes(12).toString('hex');
const USER = `<\u0000ww-user-${NONCE}>`;
const ROLE = `<\u0000ww-role-${NONCE}>`;
const CSRF = `<\u0000ww-csrf-${NONCE}>`;
const FLASH = `<\u0000ww-flash-${NONCE}>`;
const NAME = `<\u0000ww-name-${NONCE}>`;
const INBOX = `<\u0000ww-inbox-${NONCE}>`;

/** Stand-ins rendered in place of what differs per person, so one rendering serves everyone with the same role. */
export const PERSONAL_PLACEHOLDERS = {
  user: { username: new handlebars.SafeString(USER), role: new handlebars.SafeString(ROLE) },
  csrfToken: new handlebars.SafeString(CSRF),
  flash: new handlebars.SafeString(FLASH),
  displayName: new handlebars.SafeString(NAME),
  inboxBadge: new handlebars.SafeString(INBOX),
};

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

  /** `inboxBadge` is the header's unread count, as inboxBadgeHtml makes it (markup, not text). */
  static personalize(html: string, user: { username: string; role: string }, csrfToken: string, flash?: string, displayName = user.username, inboxBadge = ''): string {
    const esc = handlebars.Utils.escapeExpression;
    // The confirmation after a save is this person's alone, shown once: never part of the shared copy.
    const note = flash ? `<p class="banner flash" role="status">${esc(flash)}</p>` : '';
    return html.replaceAll(NAME, esc(displayName)).replaceAll(USER, esc(user.username)).replaceAll(ROLE, esc(user.role)).replaceAll(CSRF, esc(csrfToken)).replaceAll(FLASH, note).replaceAll(INBOX, inboxBadge);
  }
}
