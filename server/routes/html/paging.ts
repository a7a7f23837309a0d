import { Type } from '@sinclair/typebox';

/** `?page=`: which page of a list, from 1. Anything else is refused by the schema with a 400 naming the field. */
export const PageParam = Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Which page of the list, from 1.' }));

export interface PagerLink {
  n: number;
  href: string;
  current: boolean;
  /** A run of page numbers left out between two links. */
  gap: boolean;
}

/** What views/partials/pager.hbs shows below a paged list. */
export interface Pager {
  page: number;
  pages: number;
  total: number;
  /** The first and last item shown, counted from 1 (0 and 0 when the page is empty). */
  from: number;
  to: number;
  prev: string | null;
  next: string | null;
  links: PagerLink[];
  /** More than one page: the nav is shown at all. */
  multiple: boolean;
  offset: number;
  size: number;
}

/**
 * The address of page `n` of a list, its filters kept; page 1 has no `page` parameter. A screen with two lists
 * names the second one's parameter (`param`), and keeps the first's among `params`.
 */
export function pageHref(path: string, params: Record<string, string | number | undefined>, n: number, param = 'page'): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '' && k !== param) q.set(k, String(v));
  if (n > 1) q.set(param, String(n));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * The numbered links under a list of `total` items, `size` per page, on page `page`. The other query
 * parameters of the screen (filters) are kept in every link, so a page of a filtered list stays filtered.
 * Only the first, last and nearby pages are numbered, so the nav stays short at any size.
 */
export function pager(path: string, params: Record<string, string | number | undefined>, total: number, page: number, size: number, param = 'page'): Pager {
  const pages = Math.max(1, Math.ceil(total / size));
  const href = (n: number) => pageHref(path, params, n, param);
  const shown = [...new Set([1, page - 2, page - 1, page, page + 1, page + 2, pages])].filter((n) => n >= 1 && n <= pages).sort((a, b) => a - b);
  const links: PagerLink[] = [];
  for (const n of shown) {
    const before = links[links.length - 1];
    if (before && n > before.n + 1) links.push({ n: before.n + 1, href: '', current: false, gap: true });
    links.push({ n, href: href(n), current: n === page, gap: false });
  }
  const offset = (page - 1) * size;
  const to = Math.min(total, offset + size);
  return {
    page,
    pages,
    total,
    from: to > offset ? offset + 1 : 0,
    to: to > offset ? to : 0,
    prev: page > 1 ? href(Math.min(page - 1, pages)) : null,
    next: page < pages ? href(page + 1) : null,
    links,
    multiple: pages > 1 || page > 1,
    offset,
    size,
  };
}
