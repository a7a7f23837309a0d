import type { VersionMetaRow, VersionRow } from '../store/pages.js';
import type { FrontMatter } from './schema.js';

/** One immutable version of a page, as the domain and the views see it. */
export interface PageVersion {
  slug: string;
  version: number;
  frontMatter: FrontMatter;
  body: string;
  summary: string;
  author: string;
  createdAt: string;
  prevHash: string | null;
  hash: string;
  archived: boolean;
}

export type VersionSummary = Omit<PageVersion, 'body' | 'archived'>;

export function toPageVersion(row: VersionRow): PageVersion {
  return { ...toVersionSummary(row), body: row.body, archived: row.archived === 1 };
}

export function toVersionSummary(row: VersionMetaRow): VersionSummary {
  return {
    slug: row.slug,
    version: row.version,
    frontMatter: JSON.parse(row.front_matter) as FrontMatter,
    summary: row.summary,
    author: row.author,
    createdAt: row.created_at,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
