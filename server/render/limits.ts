/**
 * Shapes of markdown whose rendering cost grows faster than their size (remark's block and inline
 * parsers are recursive and, for some delimiter runs, quadratic). They are refused before anything is
 * parsed, by one linear pass over the text, with a message naming the problem. The bounds are far above
 * what documentation uses (of a 5,565-page corpus of real documentation they refuse one: an 850 KB
 * changelog with 8,661 links that takes seconds to render); the render worker's time limit catches
 * whatever shape these do not foresee.
 */
export const MARKDOWN_LIMITS = {
  /** Block quotes and lists inside each other, on one line or by indentation. */
  nesting: 32,
  /** Runs of * or _ (or ~) that can open or close emphasis, within one paragraph or table. */
  emphasisRunsPerBlock: 1_000,
  /** Backtick runs within one paragraph. */
  codeRunsPerBlock: 2_000,
  /** [ and ] within one paragraph. */
  bracketsPerBlock: 5_000,
  /** Things shaped like HTML tags (a < followed by a letter, / ! or ?) in the whole text. */
  htmlTags: 10_000,
  wikiLinks: 2_000,
  /** Markdown links, images and link reference definitions. */
  links: 3_000,
  tableCells: 10_000,
} as const;

/** `[[slug]]` or `[[slug|label]]`; bounded repetitions keep matching linear. */
import { WIKI_LINK } from '../core/rules.js';
export { WIKI_LINK };

const fmt = (n: number) => n.toLocaleString('en-US');

const [STAR, UNDERSCORE, TILDE, BACKTICK, OPEN_BRACKET, CLOSE_BRACKET, OPEN_PAREN, COLON, LESS_THAN, PIPE, SPACE, TAB, GREATER_THAN, DASH, PLUS, HASH] = [
  ...'*_~`[](:<| \t>-+#',
].map((c) => c.charCodeAt(0));
/** Letters and digits (ASCII, or anything past ASCII, which is mostly letters in prose). */
const isWordCode = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;
/** What may follow < in an HTML tag, comment or processing instruction: a letter, / ! or ?. */
const startsTag = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 47 || c === 33 || c === 63;

interface BlockCounts {
  emphasis: number;
  code: number;
  brackets: number;
}

/**
 * What would make this markdown too costly to render, as a sentence for the person who wrote it, or
 * null when it is within bounds. Linear in the length of the text.
 */
export function markdownProblem(text: string, limits: typeof MARKDOWN_LIMITS = MARKDOWN_LIMITS): string | null {
  const lines = text.split('\n');
  WIKI_LINK.lastIndex = 0;
  let wikiLinks = 0;
  while (WIKI_LINK.exec(text)) wikiLinks++;
  let fence: { char: string; length: number } | null = null;
  let maxQuote = 0;
  let maxNesting = 0;
  let links = 0;
  let tags = 0;
  let cells = 0;
  // Counts within the current paragraph (or list item, or table row), and the worst paragraph's.
  let emphasis = 0;
  let code = 0;
  let brackets = 0;
  const worstBlock: BlockCounts = { emphasis: 0, code: 0, brackets: 0 };
  // Columns of the list markers the current line may be nested in.
  const listColumns: number[] = [];
  let previousBlank = true;

  for (const line of lines) {
    let indent = 0;
    while (line.charCodeAt(indent) === SPACE || line.charCodeAt(indent) === TAB) indent++;
    if (indent === line.length) {
      emphasis = code = brackets = 0;
      previousBlank = true;
      continue;
    }
    // Container prefix: block quote markers and list markers, in any mix, with the indentation before them.
    let i = 0;
    let quotes = 0;
    let markers = 0;
    let firstMarkerColumn = -1;
    for (;;) {
      while (line.charCodeAt(i) === SPACE || line.charCodeAt(i) === TAB) i++;
      const c = line.charCodeAt(i);
      if (c === GREATER_THAN) {
        quotes++;
        i++;
        continue;
      }
      const bullet = c === DASH || c === PLUS || c === STAR || (c >= 48 && c <= 57) ? /^(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$)/.exec(line.slice(i, i + 11)) : null;
      if (bullet) {
        if (firstMarkerColumn < 0 && quotes === 0) firstMarkerColumn = i;
        markers++;
        i += bullet[0].length;
        continue;
      }
      break;
    }
    const rest = line.slice(i);
    const fenceMark = rest.charCodeAt(0) === BACKTICK || rest.charCodeAt(0) === TILDE ? /^(`{3,}|~{3,})/.exec(rest) : null;
    if (fence) {
      if (fenceMark && fenceMark[1]![0] === fence.char && fenceMark[1]!.length >= fence.length && rest.slice(fenceMark[1]!.length).trim() === '') fence = null;
      previousBlank = false;
      continue;
    }
    if (fenceMark) {
      fence = { char: fenceMark[1]![0]!, length: fenceMark[1]!.length };
      previousBlank = false;
      continue;
    }
    // Nesting by indentation: a list item indented past an earlier item's marker is inside it.
    if (firstMarkerColumn >= 0) {
      while (listColumns.length && listColumns[listColumns.length - 1]! >= firstMarkerColumn) listColumns.pop();
      listColumns.push(firstMarkerColumn);
    } else if (previousBlank && quotes === 0) {
      while (listColumns.length && listColumns[listColumns.length - 1]! >= indent) listColumns.pop();
    }
    const depth = quotes + Math.max(markers, 0) + Math.max(listColumns.length - (markers > 0 ? 1 : 0), 0);
    // Each list item, heading and table row is parsed for emphasis and links on its own.
    if (markers > 0 || rest.charCodeAt(0) === HASH || rest.includes('|')) emphasis = code = brackets = 0;
    maxQuote = Math.max(maxQuote, quotes);
    maxNesting = Math.max(maxNesting, depth);
    previousBlank = false;

    let pipes = 0;
    for (let j = i; j < line.length; j++) {
      const c = line.charCodeAt(j);
      if (c === STAR || c === UNDERSCORE || c === TILDE) {
        let k = j;
        while (line.charCodeAt(k + 1) === c) k++;
        // An underscore run between letters (snake_case) can neither open nor close emphasis.
        if (!(c === UNDERSCORE && isWordCode(line.charCodeAt(j - 1)) && isWordCode(line.charCodeAt(k + 1)))) emphasis++;
        j = k;
      } else if (c === BACKTICK) {
        while (line.charCodeAt(j + 1) === BACKTICK) j++;
        code++;
      } else if (c === OPEN_BRACKET) {
        brackets++;
      } else if (c === CLOSE_BRACKET) {
        brackets++;
        const next = line.charCodeAt(j + 1);
        if (next === OPEN_PAREN || (next === COLON && j > i)) links++;
      } else if (c === LESS_THAN) {
        if (startsTag(line.charCodeAt(j + 1))) tags++;
      } else if (c === PIPE) {
        pipes++;
      }
    }
    if (pipes > 0) cells += pipes + 1;
    if (emphasis > worstBlock.emphasis) worstBlock.emphasis = emphasis;
    if (code > worstBlock.code) worstBlock.code = code;
    if (brackets > worstBlock.brackets) worstBlock.brackets = brackets;
  }

  if (maxNesting > limits.nesting) {
    const what = maxQuote > limits.nesting ? 'block quotes' : maxQuote > 0 ? 'block quotes and lists' : 'lists';
    return `This text nests ${what} ${fmt(maxNesting)} levels deep; at most ${limits.nesting} levels can be shown. Flatten the nesting.`;
  }
  if (wikiLinks > limits.wikiLinks) {
    return `This text has ${fmt(wikiLinks)} [[wiki links]]; at most ${fmt(limits.wikiLinks)} can be shown on one page. Split it into several pages.`;
  }
  if (links > limits.links) {
    return `This text has ${fmt(links)} links; at most ${fmt(limits.links)} can be shown on one page. Split it into several pages.`;
  }
  if (cells > limits.tableCells) {
    return `This text has about ${fmt(cells)} table cells; at most ${fmt(limits.tableCells)} can be shown on one page. Split the table, or attach it as a file.`;
  }
  if (tags > limits.htmlTags) {
    return `This text has ${fmt(tags)} HTML-like tags; at most ${fmt(limits.htmlTags)} can be shown on one page.`;
  }
  if (worstBlock.emphasis > limits.emphasisRunsPerBlock) {
    return `One paragraph has ${fmt(worstBlock.emphasis)} runs of * or _ (emphasis marks); at most ${fmt(limits.emphasisRunsPerBlock)} can be shown in one paragraph. Put long runs of these characters in a code block.`;
  }
  if (worstBlock.code > limits.codeRunsPerBlock) {
    return `One paragraph has ${fmt(worstBlock.code)} runs of backticks; at most ${fmt(limits.codeRunsPerBlock)} can be shown in one paragraph. Put such text in a fenced code block.`;
  }
  if (worstBlock.brackets > limits.bracketsPerBlock) {
    return `One paragraph has ${fmt(worstBlock.brackets)} square brackets; at most ${fmt(limits.bracketsPerBlock)} can be shown in one paragraph. Split it, or put such text in a code block.`;
  }
  return null;
}
