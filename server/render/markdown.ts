import { unified, type Plugin } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import remarkRehype from 'remark-rehype';
import rehypeSlug from 'rehype-slug';
import rehypeSanitize, { defaultSchema, type Options as SanitizeSchema } from 'rehype-sanitize';
import rehypeStringify from 'rehype-stringify';
import rehypeHighlight from 'rehype-highlight';
import { common } from 'lowlight';
import powershell from 'highlight.js/lib/languages/powershell';
import { findAndReplace } from 'mdast-util-find-and-replace';
import { slugOf, WIKI_LINK } from '../core/rules.js';
import { MENTION } from '../core/mentions.js';
import { toString as hastToString } from 'hast-util-to-string';
import { visit } from 'unist-util-visit';
import type { Root as MdastRoot, Link, Text } from 'mdast';
import type { Root as HastRoot, Element } from 'hast';
import { markdownProblem } from './limits.js';
import { rehypePageFiles, type PageFilesOptions } from './files.js';

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
  /** The page being rendered and the stored files it references: its own images are the only same-origin ones shown. */
  pageFiles?: PageFilesOptions;
  /** The site's own address (scheme and host), so that absolute links to it count as same-origin. */
  siteOrigin?: string;
  /**
   * Titles to show for label-less [[slug]] links, by slug. Plain data (rendering may run elsewhere);
   * the caller leaves out pages the reader may not see, whose links keep the slug as written.
   */
  titles?: Readonly<Record<string, string>>;
  /**
   * Where each known @handle leads (its person or team page), by lower-cased handle. Plain data, like
   * titles; a handle not listed stays plain text.
   */
  mentions?: Readonly<Record<string, string>>;
}

/** Markdown that cannot be rendered within bounds; the message names the problem for the writer. */
export class MarkdownRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MarkdownRefused';
  }
}

/**
 * The only same-origin address images may load from: the page's own files, `/p/<slug>/files/…`. Any other
 * same-origin image would make every viewer's browser send a GET with their session to a route of the
 * wiki (an export, a report), so it is shown as text instead.
 */
export const ownFilesPrefix = (slug: string) => `/p/${slug}/files/`;

const HEADING_ID_PREFIX = 'h-';

/** The slug a [[wiki link]] target names: the same rule as page titles, so `[[Sepsis & BPA]]` finds that page. */
export const wikiSlug = slugOf;

interface WikiLinkOptions {
  pageExists: (slug: string) => boolean;
  titles?: Readonly<Record<string, string>>;
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
        const title = exists && label === undefined && Object.hasOwn(options.titles ?? {}, slug) ? options.titles![slug] : undefined;
        const text: Text = { type: 'text', value: (label ?? title ?? target).trim() };
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

/** Whether an image address stays off the wiki's own routes except the page's files (external ones are left to the CSP). */
export function imageAllowed(src: string, siteOrigin?: string, slug?: string): boolean {
  const base = siteOrigin ?? 'https://same-origin.invalid';
  let url: URL;
  try {
    url = new URL(src, `${base}/p/page`);
  } catch {
    return false;
  }
  if (url.origin !== new URL(base).origin) return true;
  // Resolved, so "/p/x/files/../../api/x" and "%2e%2e" cannot climb out of the prefix.
  return slug !== undefined && url.pathname.startsWith(ownFilesPrefix(slug)) && !/%2e|%2f|%5c/i.test(url.pathname);
}

/** Replaces images on the wiki's own routes (other than its files) by their description and address, as text. */
const rehypeSameOriginImages: Plugin<[string | undefined, string | undefined], HastRoot> = (siteOrigin, slug) => (tree) => {
  visit(tree, 'element', (node: Element, index, parent) => {
    if (node.tagName !== 'img' || !parent || index === undefined) return;
    const src = typeof node.properties?.src === 'string' ? node.properties.src : '';
    if (imageAllowed(src, siteOrigin, slug)) return;
    const alt = typeof node.properties?.alt === 'string' && node.properties.alt ? node.properties.alt : 'image';
    parent.children[index] = { type: 'text', value: `[${alt}: ${src} (not shown: images can only come from the page's files)]` };
  });
};

/**
 * Turns @handles of known people and teams into links to their pages, by the same pattern as
 * extractMentions. Only text is searched: code and existing links (an e-mail address) stay as they are.
 */
const remarkMentions: Plugin<[Readonly<Record<string, string>> | undefined], MdastRoot> = (mentions) => (tree) => {
  if (!mentions || Object.keys(mentions).length === 0) return;
  findAndReplace(
    tree,
    [
      [
        new RegExp(MENTION.source, 'g'),
        (_match: string, written: string) => {
          // The pattern may take trailing punctuation ("@mreyes."): the handle stops before it.
          const name = written.replace(/[._-]+$/, '');
          const handle = name.toLowerCase();
          if (!Object.hasOwn(mentions, handle)) return false;
          const link: Link = { type: 'link', url: mentions[handle]!, title: null, children: [{ type: 'text', value: `@${name}` }], data: { hProperties: { className: ['mention'] } } };
          const rest = written.slice(name.length);
          return rest ? [link, { type: 'text', value: rest } as Text] : link;
        },
      ],
    ],
    { ignore: ['link', 'linkReference'] },
  );
};

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
      ['className', 'data-footnote-backref', 'wikilink', 'missing', 'mention'],
    ],
    // Syntax highlighting: only highlight.js's own classes, so content cannot restyle the page.
    code: [...(defaultSchema.attributes?.code ?? []).filter((rule) => !(Array.isArray(rule) && rule[0] === 'className')), ['className', /^language-[\w-]+$/, 'hljs']],
    span: [...(defaultSchema.attributes?.span ?? []), ['className', /^hljs-[\w-]+$/, /^[a-z]+_$/]],
  },
};

/** Languages recognized in fenced code: highlight.js's common set and PowerShell, which analysts' build notes use. */
const HIGHLIGHT_LANGUAGES = { ...common, powershell };

/**
 * The highlighter's transformer, made once: registering the languages costs far more than rendering a
 * short text (a comment), and it would otherwise be repeated for every text rendered.
 */
const highlightCode = rehypeHighlight({ languages: HIGHLIGHT_LANGUAGES, detect: false });
const rehypeHighlightOnce: Plugin<[], HastRoot> = () => highlightCode;

/**
 * Markdown to safe HTML. Throws MarkdownRefused for text beyond the render bounds (checked first, in
 * linear time) and for anything whose parse still runs out of stack.
 */
export function renderMarkdown(markdown: string, options: RenderOptions = {}): RenderedMarkdown {
  const problem = markdownProblem(markdown);
  if (problem) throw new MarkdownRefused(problem);
  try {
    return renderUnchecked(markdown, options);
  } catch (e) {
    if (e instanceof RangeError) throw new MarkdownRefused('This text nests too deeply to be shown. Flatten block quotes and lists.');
    throw e;
  }
}

function renderUnchecked(markdown: string, options: RenderOptions): RenderedMarkdown {
  const links: string[] = [];
  const toc: TocEntry[] = [];
  const html = String(
    unified()
      .use(remarkParse)
      .use(remarkGfm)
      .use(remarkWikiLinks, { pageExists: options.pageExists ?? (() => true), titles: options.titles, found: links })
      .use(remarkMentions, options.mentions)
      .use(remarkRehype, { allowDangerousHtml: false })
      .use(rehypeSlug, { prefix: HEADING_ID_PREFIX })
      .use(rehypeCollectToc, toc)
      .use(rehypeHighlightOnce)
      .use(rehypeSanitize, sanitizeSchema)
      .use(rehypeSameOriginImages, options.siteOrigin, options.pageFiles?.slug)
      .use(rehypePageFiles, options.pageFiles)
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
