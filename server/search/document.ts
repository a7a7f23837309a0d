import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import type { Nodes, Root } from 'mdast';
import type { FrontMatter } from '../pages/schema.js';
import { WIKI_LINK } from '../core/rules.js';

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

const parser = unified().use(remarkParse).use(remarkGfm);

/**
 * Plain text of a markdown body from its syntax tree: text, inline code and code blocks, with blocks
 * separated by newlines. Link and image targets are left out, and so is the text of a bare URL
 * (an autolink whose text is its own address), which would otherwise flood the index with URL parts.
 */
export function markdownText(markdown: string): string {
  const out: string[] = [];
  const walk = (node: Nodes): void => {
    switch (node.type) {
      case 'text':
        // A [[wiki link]] reads as its label, or as the words of the page it names.
        out.push(node.value.includes('[[') ? node.value.replace(WIKI_LINK, (_m, target: string, label?: string) => label ?? target.replace(/-/g, ' ')) : node.value);
        return;
      case 'inlineCode':
        out.push(node.value);
        return;
      case 'code':
        out.push('\n', node.value, '\n');
        return;
      case 'html':
      case 'definition':
      case 'image':
      case 'imageReference':
      case 'yaml':
        return;
      case 'link':
        if (node.children.length === 1 && node.children[0]!.type === 'text' && sameAddress(node.children[0]!.value, node.url)) return;
        break;
    }
    if ('children' in node) {
      for (const child of node.children) walk(child as Nodes);
      if (node.type !== 'root' && isBlock(node.type)) out.push('\n');
    }
  };
  walk(parser.parse(markdown) as Root);
  return out.join('').replace(/[ \t]+/g, ' ').replace(/\n\s*\n+/g, '\n').trim();
}

function sameAddress(text: string, url: string): boolean {
  return text === url || `mailto:${text}` === url || `http://${text}` === url || `https://${text}` === url;
}

const BLOCKS = new Set(['paragraph', 'heading', 'blockquote', 'list', 'listItem', 'table', 'tableRow', 'tableCell', 'footnoteDefinition']);
function isBlock(type: string): boolean {
  return BLOCKS.has(type);
}

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
