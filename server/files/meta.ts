import type { Store } from '../store/index.js';
import type { FileMeta } from '../render/files.js';
import { acceptedFor } from './policy.js';
import { fileRemovedNotice, referencedFiles } from './refs.js';

/** What the renderer needs to show the stored files a page's text references: name, kind, size, proportions. */
export function pageFileMeta(store: Store, slug: string, markdown: string): Record<string, FileMeta> {
  const out: Record<string, FileMeta> = {};
  const names = new Map(store.files.forPage(slug).map((f) => [f.sha256, f.name]));
  for (const sha of referencedFiles(slug, markdown)) {
    const meta = store.files.meta(sha);
    if (!meta) continue;
    const removal = meta.purged_by !== null ? store.files.removal(sha) : undefined;
    out[sha] = { name: names.get(sha) ?? sha.slice(0, 12), label: acceptedFor(meta.type)?.label ?? meta.type, size: meta.size, width: meta.width, height: meta.height, thumbnail: meta.has_thumbnail === 1, ...(removal ? { removed: fileRemovedNotice(removal) } : {}) };
  }
  return out;
}
