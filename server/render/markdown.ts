import { unified, type Plugin } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkRehype from 'remark-rehype';
import rehypeSlug from 'rehype-slug';
import rehypeSanitize, { defaultSchema, type Options as SanitizeSchema } from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import { findAndReplace } from 'mdast-util-find-and-replace';
import { slugOf, WIKI_LINK } from '../core/rules.js';
import { toString as hastToString } from 'hast-util-to-string';
import { visit } from 'unist-util-visit';
import type { Root as MdastRoot, Link, Text } from 'mdast';
import type { Root as HastRoot, Element } from 'hast';

export interface TocEntry {
  depth: number;
  id: string;
  text: string;
}

export interface RenderedMarkdown {
  html: string;
  toc: TocEntry[];
  /** Slugs named by [[wiki links]], in order of first appearance. */
  links: string[];
}

export interface RenderOptions {
  /** Whether a page with this slug exists; links to missing pages are styled apart and lead to creating them. */
  pageExists?: (slug: string) => boolean;
}

const HEADING_ID_PREFIX = 'h-';

/** The slug a [[wiki link]] target names: the same rule as page titles, so `[[Sepsis & BPA]]` finds that page. */
export const wikiSlug = slugOf;

interface WikiLinkOptions {
  pageExists: (slug: string) => boolean;
  found: string[];
}

/** Turns [[slug]] and [[slug|label]] text into links, marking those whose page does not exist yet. */
function linkWikiTargets(tree: MdastRoot, options: WikiLinkOptions): void {
  findAndReplace(tree, [
    [
      WIKI_LINK,
      (_match: string, target: string, label: string | undefined) => {
        const slug = wikiSlug(target);
        if (!slug) return false;
        if (!options.found.includes(slug)) options.found.push(slug);
        const exists = options.pageExists(slug);
        const text: Text = { type: 'text', value: (label ?? target).trim() };
        const link: Link = {
          type: 'link',
          url: exists ? `/p/${slug}` : `/new?slug=${encodeURIComponent(slug)}`,
          title: exists ? null : `No page "${slug}" yet: create it`,
          children: [text],
          data: { hProperties: { className: exists ? ['wikilink'] : ['wikilink', 'missing'] } },
        };
        return link;
      },
    ],
  ]);
}

const remarkWikiLinks: Plugin<[WikiLinkOptions], MdastRoot> = (options) => (tree) => linkWikiTargets(tree, options);

/** Collects h2 and h3 headings (ids from rehype-slug) for the table of contents. */
const rehypeCollectToc: Plugin<[TocEntry[]], HastRoot> = (toc) => (tree) => {
  visit(tree, 'element', (node: Element) => {
    const depth = node.tagName === 'h2' ? 2 : node.tagName === 'h3' ? 3 : 0;
    const id = node.properties?.id;
    if (depth && typeof id === 'string' && id.startsWith(HEADING_ID_PREFIX)) toc.push({ depth, id, text: hastToString(node) });
  });
};

/** Names each task-list checkbox after its item's text, so a screen reader says which step it is. */
const rehypeLabelTasks: Plugin<[], HastRoot> = () => (tree) => {
  visit(tree, 'element', (node: Element) => {
    if (node.tagName !== 'li') return;
    const box = node.children.find((c): c is Element => c.type === 'element' && c.tagName === 'input' && c.properties?.type === 'checkbox');
    if (box) box.properties = { ...box.properties, ariaLabel: hastToString(node).trim().slice(0, 200) || 'Task' };
  });
};

/**
 * GitHub's sanitize schema, plus the classes our wiki links carry. Heading ids are made by our own
 * slugger with a fixed prefix (raw HTML is never passed through), so ids are not clobbered again and
 * table-of-contents anchors keep working.
 */
const sanitizeSchema: SanitizeSchema = {
  ...defaultSchema,
  clobberPrefix: '',
  attributes: {
    ...defaultSchema.attributes,
    a: [
      ...(defaultSchema.attributes?.a ?? []).filter((rule) => !(Array.isArray(rule) && rule[0] === 'className')),
      ['className', 'data-footnote-backref', 'wikilink', 'missing'],
    ],
  },
};

export function renderMarkdown(markdown: string, options: RenderOptions = {}): RenderedMarkdown {
  const links: string[] = [];
  const toc: TocEntry[] = [];
  const html = String(
    unified()
      .use(remarkParse)
      .use(remarkGfm)
      .use(remarkWikiLinks, { pageExists: options.pageExists ?? (() => true), found: links })
      .use(remarkRehype, { allowDangerousHtml: false })
      .use(rehypeSlug, { prefix: HEADING_ID_PREFIX })
      .use(rehypeCollectToc, toc)
      .use(rehypeSanitize, sanitizeSchema)
      .use(rehypeLabelTasks)
      .use(rehypeStringify)
      .processSync(markdown),
  );
  return { html, toc, links };
}

const linkParser = unified().use(remarkParse).use(remarkGfm);

/** The slugs a markdown text links to with [[wiki links]] (code spans and blocks excluded). */
export function extractWikiLinks(markdown: string): string[] {
  // Without anything shaped like a wiki link there is nothing to find: skip the parse, which would
  // otherwise dominate a bulk import (PowerShell syntax such as "[[-Path] <String>]" is not a link).
  WIKI_LINK.lastIndex = 0;
  if (!WIKI_LINK.test(markdown)) return [];
  WIKI_LINK.lastIndex = 0;
  const found: string[] = [];
  linkWikiTargets(linkParser.parse(markdown), { pageExists: () => true, found });
  return found;
}
