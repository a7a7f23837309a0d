import type { FrontMatter } from '../pages/schema.js';
import { markdownText } from '../render/plain-text.js';

// Kept where the search index has always found it; it lives with the renderer so page commands can use it too.
export { markdownText };

/**
 * What the search index knows of one current page. Text fields hold plain words taken from the
 * markdown tree, so link targets, HTML and markup never become search terms.
 */
export interface SearchDoc {
  slug: string;
  version: number;
  title: string;
  why: string;
  body: string;
  tags: string[];
  /** Owner handles followed by their display names, so both find the page. */
  owners: string[];
  ownerHandles: string[];
  system: string;
  module: string;
  status: string;
  tickets: string[];
  records: string[];
  updatedAt: string;
  updatedBy: string;
}

/** Fields whose values are identifiers: matched whole, case-insensitively, ignoring inner spaces and dashes. */
export const ID_FIELDS: ReadonlySet<string> = new Set(['tickets', 'records']);


/**
 * The form an identifier is matched in: lowercase with spaces, dashes and underscores removed, so
 * "BPA 1234567", "bpa-1234567" and "BPA1234567" are one term.
 */
export function normalizeId(id: string): string {
  return id.toLowerCase().replace(/[\s_-]+/g, '');
}

export interface PageForSearch {
  slug: string;
  version: number;
  frontMatter: FrontMatter;
  body: string;
  createdAt: string;
  author: string;
}

/** `text`: the why and body already extracted as plain text (see markdownText), when the caller has them. */
export function toSearchDoc(page: PageForSearch, ownerName: (handle: string) => string | undefined, text?: { why: string; body: string }): SearchDoc {
  const fm = page.frontMatter;
  const owners: string[] = [];
  for (const handle of fm.owners) {
    owners.push(handle);
    const name = ownerName(handle);
    if (name && name !== handle) owners.push(name);
  }
  return {
    slug: page.slug,
    version: page.version,
    title: fm.title,
    why: text?.why ?? markdownText(fm.why),
    body: text?.body ?? markdownText(page.body),
    tags: fm.tags ?? [],
    owners,
    ownerHandles: [...fm.owners],
    system: fm.system,
    module: fm.module ?? '',
    status: fm.status,
    tickets: fm.tickets ?? [],
    records: fm.records ?? [],
    updatedAt: page.createdAt,
    updatedBy: page.author,
  };
}
