/**
 * Where a page's files live, and how page markdown names them: `/p/<slug>/files/<sha256>/<name>`. A file is
 * only ever served through a page it belongs to, so the page's visibility is the file's.
 */

export const FILE_PATH_PREFIX = (slug: string) => `/p/${slug}/files/`;

export function fileUrl(slug: string, sha256: string, name: string): string {
  return `${FILE_PATH_PREFIX(slug)}${sha256}/${encodeURIComponent(name)}`;
}

const FILE_REF = /\/p\/([a-z0-9]+(?:-[a-z0-9]+)*)\/files\/([0-9a-f]{64})(?:\/|\b)/g;

/** The digests of this page's own files that the markdown references, sorted and without repeats. */
export function referencedFiles(slug: string, markdown: string): string[] {
  const found = new Set<string>();
  for (const m of markdown.matchAll(FILE_REF)) if (m[1] === slug) found.add(m[2]!);
  return [...found].sort();
}

/** The parts of a file URL, when `src` is one of `slug`'s own file URLs. */
export function ownFileOf(slug: string, src: string): { sha256: string; name: string } | null {
  const prefix = FILE_PATH_PREFIX(slug);
  if (!src.startsWith(prefix)) return null;
  const m = /^([0-9a-f]{64})\/([^/?#]+)$/.exec(src.slice(prefix.length));
  return m ? { sha256: m[1]!, name: decodeURIComponent(m[2]!) } : null;
}

/** The markdown that shows a file: an image for images, a link for everything else. */
export function fileMarkdown(file: { url: string; name: string; type: string }, alt?: string): string {
  const text = (alt ?? '').trim() || file.name.replace(/\.[a-z0-9]+$/i, '').replace(/[-_]+/g, ' ');
  const safe = text.replace(/[[\]\\]/g, '');
  return file.type.startsWith('image/') ? `![${safe}](<${file.url}>)` : `[${file.name}](<${file.url}>)`;
}

/** What shows in place of a purged file: who removed it, who approved, and why (never what it showed). */
export function fileRemovedNotice(removal: { requested_by: string; approved_by: string; approved_at: string; reason: string }): string {
  return `This file was removed on ${removal.approved_at.slice(0, 10)} by ${removal.requested_by}, approved by ${removal.approved_by}: ${removal.reason}`;
}
