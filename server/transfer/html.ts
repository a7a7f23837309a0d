import { createRequire } from 'node:module';
import type TurndownService from 'turndown';

// turndown and its DOM are loaded with the first import of HTML, not at every start.
const require = createRequire(import.meta.url);

/**
 * HTML (from Word through mammoth, or from a Confluence export) as markdown, with turndown and its GitHub
 * tables. Tables are kept as tables: one without a header row gets its first row as the header, and
 * paragraphs inside a cell are joined, because a markdown table row is one line.
 */
export function htmlToMarkdown(html: string, configure?: (service: TurndownService) => void): string {
  const Turndown = require('turndown') as typeof TurndownService;
  const { gfm } = require('turndown-plugin-gfm') as typeof import('turndown-plugin-gfm');
  const service = new Turndown({ headingStyle: 'atx', codeBlockStyle: 'fenced', bulletListMarker: '-', emDelimiter: '_' });
  service.use(gfm);
  configure?.(service);
  return service
    .turndown(tablesForMarkdown(html))
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function tablesForMarkdown(html: string): string {
  return html.replace(/<table\b[\s\S]*?<\/table>/gi, (table) => {
    let t = table
      // A cell's paragraphs and line breaks become one line.
      .replace(/<(td|th)\b([^>]*)>([\s\S]*?)<\/\1>/gi, (_all, tag: string, attrs: string, inner: string) => `<${tag}${attrs}>${inner.replace(/<\/p>\s*<p\b[^>]*>/gi, ' ').replace(/<\/?p\b[^>]*>/gi, '').replace(/<br\s*\/?>/gi, ' ')}</${tag}>`)
      .replace(/<\/?tbody\b[^>]*>/gi, '');
    if (!/<th\b/i.test(t)) {
      t = t.replace(/<tr\b[^>]*>[\s\S]*?<\/tr>/i, (row) => row.replace(/<td\b/gi, '<th').replace(/<\/td>/gi, '</th>'));
    }
    return t;
  });
}
