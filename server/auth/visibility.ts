import type { Store } from '../store/index.js';
import type { SessionUser } from './accounts.js';
import type { Viewer } from '../core/context.js';

export type { Viewer } from '../core/context.js';

export function viewerFor(store: Store, user: Pick<SessionUser, 'role' | 'person'> | null): Viewer {
  if (!user) return { admin: false, teams: [] };
  const teams = user.person ? store.parties.teamsOf(user.person).map((t) => t.handle) : [];
  return { admin: user.role === 'admin', teams };
}

export function canSee(restrictedTo: readonly string[] | null | undefined, viewer: Viewer): boolean {
  return !restrictedTo?.length || viewer.admin || restrictedTo.some((t) => viewer.teams.includes(t));
}

/**
 * The slugs of restricted pages this viewer may not see. For them those pages do not exist: every list,
 * report, backlink and search result leaves them out, and every page route answers 404.
 */
export function hiddenSlugs(store: Store, viewer: Viewer): Set<string> {
  if (viewer.admin) return new Set();
  return new Set(store.pages.restrictions().filter((r) => !canSee(r.teams, viewer)).map((r) => r.slug));
}

/** Rows about pages, without those in `hidden` (from hiddenSlugs). */
export function withoutHidden<T extends { slug: string }>(hidden: Set<string>, rows: T[]): T[] {
  return hidden.size ? rows.filter((r) => !hidden.has(r.slug)) : rows;
}

/** What a public route (sign-in, assets) gets: no lists there, so nothing is looked up. */
export const NOBODY: Viewer = Object.freeze({ admin: false, teams: [] as string[] });
export const NOTHING_HIDDEN: ReadonlySet<string> = Object.freeze(new Set<string>());

/** How a page the viewer may not see is named wherever another page refers to it. */
export const RESTRICTED_PAGE = 'a restricted page';

/**
 * Matchers for the hidden slugs: standing as a whole word (not part of a longer slug), as a labelled
 * [[link]], and as a rendered link. Slugs are lowercase letters, digits and dashes: no escaping needed.
 */
interface HiddenPatterns {
  word: RegExp;
  labelled: RegExp;
  link: RegExp;
}

/** Made once per set (a request's hidden set is redacted with many times: every version, every list row). */
const compiled = new WeakMap<ReadonlySet<string>, HiddenPatterns>();

function patternsFor(hidden: ReadonlySet<string>): HiddenPatterns | null {
  if (hidden.size === 0) return null;
  let p = compiled.get(hidden);
  if (!p) {
    const any = [...hidden].sort((a, b) => b.length - a.length).join('|');
    p = {
      word: new RegExp(`(?<![a-z0-9-])(?:${any})(?![a-z0-9-])`, 'g'),
      labelled: new RegExp(`\\[\\[(?:${any})\\|[^[\\]\n]*\\]\\]`, 'g'),
      link: new RegExp(`<a href="/p/(?:${any})(?:[#?][^"]*)?"[^>]*>[\\s\\S]*?</a>`, 'g'),
    };
    compiled.set(hidden, p);
  }
  return p;
}

/**
 * A text (a summary, a body, an audit detail) with every hidden slug replaced by "a restricted page";
 * a [[link|label]] to a hidden page loses its label too, which may well be the page's title.
 */
export function redactText(text: string, hidden: ReadonlySet<string>): string {
  const p = patternsFor(hidden);
  return p ? text.replace(p.labelled, `[[${RESTRICTED_PAGE}]]`).replace(p.word, RESTRICTED_PAGE) : text;
}

/** Any JSON value with every hidden slug in its strings replaced (object keys are left as they are). */
export function redactValue<T>(value: T, hidden: ReadonlySet<string>): T {
  if (!patternsFor(hidden)) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactText(v, hidden);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/**
 * Rendered HTML with every link to a hidden page replaced by the words "a restricted page" (no address,
 * no label: a label may well be the page's title), then any remaining mention of a hidden slug.
 */
export function redactHtml(html: string, hidden: ReadonlySet<string>): string {
  const p = patternsFor(hidden);
  return p ? html.replace(p.link, `<span class="wikilink restricted">${RESTRICTED_PAGE}</span>`).replace(p.word, RESTRICTED_PAGE) : html;
}

/** What a page version shows a viewer: its front matter, summary and body with hidden pages unnamed. */
export function redactVersion<T extends { frontMatter: object; summary: string; body?: string }>(page: T, hidden: ReadonlySet<string>): T {
  if (hidden.size === 0) return page;
  return { ...page, frontMatter: redactValue(page.frontMatter, hidden), summary: redactText(page.summary, hidden), ...(page.body === undefined ? {} : { body: redactText(page.body, hidden) }) };
}
