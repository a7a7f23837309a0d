import type { Plugin } from 'unified';
import type { Element, ElementContent, Root as HastRoot } from 'hast';
import { visit } from 'unist-util-visit';

/** What the page view needs to know of a file it shows; looked up before rendering (renders run in workers). */
export interface FileMeta {
  name: string;
  /** "PNG image", "PDF document" … */
  label: string;
  size: number;
  width: number | null;
  height: number | null;
  thumbnail: boolean;
  /** Set when a purge removed the file's bytes: the notice shown in its place. */
  removed?: string;
}

export interface PageFilesOptions {
  slug: string;
  /** By sha256: the files the text references that are stored. */
  files: Record<string, FileMeta>;
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function ownFile(options: PageFilesOptions, href: unknown): { url: string; meta: FileMeta } | null {
  if (typeof href !== 'string') return null;
  const prefix = `/p/${options.slug}/files/`;
  if (!href.startsWith(prefix)) return null;
  const sha = href.slice(prefix.length, prefix.length + 64);
  const meta = options.files[sha];
  return meta ? { url: href.split('?')[0]!, meta } : null;
}

/**
 * The page's own images load lazily at their own proportions (a thumbnail when the original is large),
 * never wider than the column (CSS), and open full size on click; links to its other files say what
 * they are and how large.
 */
export const rehypePageFiles: Plugin<[PageFilesOptions | undefined], HastRoot> = (options) => (tree) => {
  if (!options) return;
  visit(tree, 'element', (node: Element, index, parent) => {
    if (!parent || index === undefined) return;
    if (node.tagName === 'img' || node.tagName === 'a') {
      const file = ownFile(options, node.tagName === 'img' ? node.properties?.src : node.properties?.href);
      // A purged file has no bytes to show or link: a placeholder says who removed it and why.
      if (file?.meta.removed) {
        parent.children[index] = { type: 'element', tagName: 'span', properties: { className: ['file-removed'], role: 'note' }, children: [{ type: 'text', value: `[${file.meta.name} removed] ${file.meta.removed}` }] };
        return;
      }
    }
    if (node.tagName === 'img') {
      const file = ownFile(options, node.properties?.src);
      if (!file) return;
      const { meta, url } = file;
      node.properties = {
        ...node.properties,
        src: meta.thumbnail ? `${url}?size=thumb` : url,
        loading: 'lazy',
        decoding: 'async',
        className: ['page-image'],
        ...(meta.width && meta.height ? { width: meta.width, height: meta.height } : {}),
      };
      if (parent.type === 'element' && parent.tagName === 'a') return;
      const link: Element = { type: 'element', tagName: 'a', properties: { href: url, className: ['file-image'], title: `${meta.name}: open full size` }, children: [node] };
      parent.children[index] = link;
      return;
    }
    if (node.tagName === 'a') {
      const file = ownFile(options, node.properties?.href);
      if (!file || node.children.some((c) => c.type === 'element' && c.tagName === 'img')) return;
      node.properties = { ...node.properties, className: ['file-link'] };
      const note: ElementContent = { type: 'element', tagName: 'span', properties: { className: ['file-meta'] }, children: [{ type: 'text', value: ` (${file.meta.label}, ${fileSize(file.meta.size)})` }] };
      parent.children.splice(index + 1, 0, note);
    }
  });
};
