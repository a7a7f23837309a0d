import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkGfm from 'remark-gfm';
import type { Nodes, Root } from 'mdast';
import { WIKI_LINK } from '../core/rules.js';

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
