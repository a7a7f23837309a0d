import { randomBytes } from 'node:crypto';
import handlebars from 'handlebars';
import { LRUCache } from 'lru-cache';
import type { PageHeadRow } from '../../store/pages.js';

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
 * Values read from the store for a view, remembered under Store.version(): one cheap read of that says
 * whether any of them may have changed, instead of reading them all again on every page view.
 */
export class VersionedMemo<T> {
  private readonly entries = new LRUCache<string, { version: string; value: T }>({ max: 10_000 });

  get(key: string, version: string, read: () => T): T {
    const known = this.entries.get(key);
    if (known && known.version === version) return known.value;
    const value = read();
    this.entries.set(key, { version, value });
    return value;
  }
}

/** What a page view reads about its page and viewer besides the cached HTML. */
export interface ViewFacts {
  head: PageHeadRow;
  /** Whether this person may mark the page reviewed. */
  reviewer: 0 | 1;
  /** Their own comments' ids: authors may resolve their own threads. */
  authored: string;
  watching: 0 | 1;
}

const setKeys = new WeakMap<ReadonlySet<string>, string>();

/** A set of slugs as one key, made once per set (a viewer's hidden set is shared by their requests). */
export function setKey(set: ReadonlySet<string>): string {
  let key = setKeys.get(set);
  if (key === undefined) {
    key = [...set].sort().join(',');
    setKeys.set(set, key);
  }
  return key;
}

type Slot = 'name' | 'user' | 'role' | 'csrf' | 'flash' | 'inbox';
const SLOTS: Record<string, Slot> = { [NAME]: 'name', [USER]: 'user', [ROLE]: 'role', [CSRF]: 'csrf', [FLASH]: 'flash', [INBOX]: 'inbox' };
const STAND_IN = new RegExp(`(${[NAME, USER, ROLE, CSRF, FLASH, INBOX].join('|')})`);

/**
 * A rendered view cut at its stand-ins, the fixed stretches already UTF-8: a view is then one copy of
 * the bytes with the few personal values between them, instead of a pass over the whole text per stand-in
 * and an encoding of all of it on every request.
 */
export interface CompiledView {
  parts: Buffer[];
  slots: Slot[];
  bytes: number;
}

/** What is filled in for one person (`inboxBadge` is markup, as inboxBadgeHtml makes it; the rest is text). */
export interface Personal {
  username: string;
  role: string;
  csrfToken: string;
  flash?: string;
  displayName?: string;
  inboxBadge?: string;
}

/**
 * Rendered page views, whole, keyed by page, version and the viewer's role. A page view depends on
 * more than its own version (backlinks, whether linked pages exist, owners' names), so every write
 * empties the cache, including writes by other processes: writes are rare next to reads. What is personal (the signed-in
 * name, role and CSRF token) is filled in per request.
 */
export class PageHtmlCache {
  private readonly cache = new LRUCache<string, CompiledView>({ maxSize: 64 * 1024 * 1024, sizeCalculation: (view) => Math.max(1, view.bytes) });
  private seenVersion: number;

  /** `externalVersion` changes when another process (the CLI, an import) commits to the store. */
  constructor(private readonly externalVersion: () => number) {
    this.seenVersion = externalVersion();
  }

  /** `external`: the externalVersion the caller read already for this request. */
  get(key: string, external?: number): CompiledView | undefined {
    const v = external ?? this.externalVersion();
    if (v !== this.seenVersion) {
      this.seenVersion = v;
      this.cache.clear();
    }
    return this.cache.get(key);
  }

  set(key: string, view: CompiledView): void {
    this.cache.set(key, view);
  }

  invalidate(): void {
    this.cache.clear();
  }

  static compile(html: string): CompiledView {
    const pieces = html.split(STAND_IN);
    const parts: Buffer[] = [];
    const slots: Slot[] = [];
    pieces.forEach((piece, i) => (i % 2 === 0 ? parts.push(Buffer.from(piece, 'utf8')) : slots.push(SLOTS[piece]!)));
    return { parts, slots, bytes: parts.reduce((n, b) => n + b.length, 0) };
  }

  /** The view for one person, as the bytes to send. */
  static personalize(view: CompiledView, who: Personal): Buffer {
    const esc = handlebars.Utils.escapeExpression;
    // The confirmation after a save is this person's alone, shown once: never part of the shared copy.
    const values: Record<Slot, string> = {
      name: esc(who.displayName ?? who.username),
      user: esc(who.username),
      role: esc(who.role),
      csrf: esc(who.csrfToken),
      flash: who.flash ? `<p class="banner flash" role="status">${esc(who.flash)}</p>` : '',
      inbox: who.inboxBadge ?? '',
    };
    const out: Buffer[] = [view.parts[0]!];
    for (let i = 0; i < view.slots.length; i++) out.push(Buffer.from(values[view.slots[i]!], 'utf8'), view.parts[i + 1]!);
    return Buffer.concat(out);
  }
}
