import type { Store } from '../store/index.js';
import { normalizeId } from '../search/document.js';

export interface CitingPage {
  slug: string;
  title: string;
  system: string;
  status: string;
  url: string;
  version: number;
}

/**
 * The current pages (not archived, none hidden from the caller) that cite a ticket or build record, with
 * the ID matched as search matches it: case, spaces, dashes and underscores ignored.
 */
export function pagesCiting(store: Store, field: 'tickets' | 'records', id: string, hidden: ReadonlySet<string>, publicUrl: string | undefined): CitingPage[] {
  const key = normalizeId(id);
  const seen = new Set<string>();
  const pages: CitingPage[] = [];
  for (const row of store.integrations.citing(field, key)) {
    if (normalizeId(row.value) !== key || hidden.has(row.slug) || seen.has(row.slug)) continue;
    seen.add(row.slug);
    pages.push({ slug: row.slug, title: row.title, system: row.system, status: row.status, url: `${publicUrl ?? ''}/p/${row.slug}`, version: row.version });
  }
  return pages;
}
