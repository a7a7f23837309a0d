import { unified } from 'unified';
import remarkParse from 'remark-parse';
import { toString } from 'mdast-util-to-string';
import type { FrontMatter } from '../pages/schema.js';

/** The sections every decision page is expected to carry (the demo content and the new-page template use them). */
export const EXPECTED_SECTIONS = ['Context', 'What was built', 'Consequences'] as const;

export type GapKind = 'missing_section' | 'empty_section' | 'no_tickets' | 'no_review';

export interface Gap {
  kind: GapKind;
  message: string;
}

const YEAR_MS = 365 * 86_400_000;

/**
 * What the departing person should fill in while they are still here, read from the page itself: expected
 * sections that are missing, sections with a heading and nothing under it, no ticket, and no review in a year.
 */
export function captureChecklist(page: { fm: FrontMatter; body: string; lastReviewedAt: string | null }, now: Date): Gap[] {
  const gaps: Gap[] = [];
  const tree = unified().use(remarkParse).parse(page.body);
  const sections = new Map<string, number>();
  let current: string | null = null;
  for (const node of tree.children) {
    if (node.type === 'heading' && node.depth <= 2) {
      current = node.depth === 2 ? toString(node).trim() : null;
      if (current !== null && !sections.has(current)) sections.set(current, 0);
    } else if (current !== null && toString(node).trim() !== '') {
      sections.set(current, (sections.get(current) ?? 0) + 1);
    } else if (current !== null && node.type !== 'heading' && node.type !== 'html') {
      // A table, image or code block with no text still counts as content.
      if (node.type === 'table' || node.type === 'code' || node.type === 'list') sections.set(current, (sections.get(current) ?? 0) + 1);
    }
  }
  const lower = new Map([...sections.keys()].map((k) => [k.toLowerCase(), k]));
  for (const name of EXPECTED_SECTIONS) {
    if (!lower.has(name.toLowerCase())) gaps.push({ kind: 'missing_section', message: `No "${name}" section.` });
  }
  for (const [name, count] of sections) {
    if (count === 0) gaps.push({ kind: 'empty_section', message: `The "${name}" section is empty.` });
  }
  if ((page.fm.tickets ?? []).length === 0) gaps.push({ kind: 'no_tickets', message: 'No ticket links the page to its change or incident.' });
  if (!page.lastReviewedAt) gaps.push({ kind: 'no_review', message: 'Never reviewed.' });
  else if (now.getTime() - Date.parse(page.lastReviewedAt) > YEAR_MS) gaps.push({ kind: 'no_review', message: `Not reviewed in a year (last on ${page.lastReviewedAt.slice(0, 10)}).` });
  return gaps;
}
