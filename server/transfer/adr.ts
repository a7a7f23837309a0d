import { unified } from 'unified';
import remarkParse from 'remark-parse';
import { toString } from 'mdast-util-to-string';
import type { Root, RootContent } from 'mdast';
import { slugFromFileName } from '../core/rules.js';

/**
 * Architecture decision records in the three common layouts — MADR (2.x list header or 3.x YAML front
 * matter), log4brains (MADR with "- Status:" lines) and adr-tools (Michael Nygard's: "Date:" line and a
 * "## Status" section) — read into the fields of a Whywiki page. Sections are found with remark, so
 * headings inside code blocks are not mistaken for sections.
 */
export type AdrFormat = 'madr' | 'log4brains' | 'adr-tools';

export interface AdrRecord {
  format: AdrFormat;
  title: string;
  status?: string;
  date?: string;
  deciders: string[];
  tags: string[];
  tickets: string[];
  why?: string;
  body: string;
  supersedes: string[];
  supersededBy: string[];
  /** What the reader had to decide for the file (a status word it did not know, a date it had to guess). */
  notes: string[];
}

export interface AdrOptions {
  /** Status words a team uses, mapped to page statuses, e.g. { pending: 'proposed' }. */
  statusMap?: Record<string, string>;
  /** The file's name, for the record number it carries. */
  fileName?: string;
}

const STATUS_MAP: Record<string, string> = {
  proposed: 'proposed', draft: 'proposed', accepted: 'live', approved: 'approved', rejected: 'rejected',
  deprecated: 'retired', retired: 'retired', superseded: 'superseded',
  // adr-tools spells it this way in every record it links.
  superceded: 'superseded',
};
const PAGE_STATUSES = new Set(['proposed', 'approved', 'in-build', 'live', 'superseded', 'retired', 'rejected']);
const CONTEXT = /^context( and problem statement)?$/i;
const TICKET = /\b([A-Z]{2,8})[-\s]?([0-9]{3,12})\b/g;

/**
 * The page status an ADR status word stands for: accepted decisions are in force, so they are live. A
 * team's own words come first (whole phrase, then first word); a word nobody maps is `proposed`, and named.
 */
export function mapAdrStatus(raw: string | undefined, statusMap: Record<string, string> = {}): { status?: string; unknown?: string } {
  if (!raw) return {};
  const phrase = raw.replace(/<!--.*?-->/g, '').replace(/[*_`]/g, '').trim().toLowerCase().replace(/[.\s]+$/, '');
  if (!phrase) return {};
  const custom = Object.fromEntries(Object.entries(statusMap).map(([k, v]) => [k.trim().toLowerCase(), v.trim().toLowerCase()]));
  if (custom[phrase]) return { status: custom[phrase] };
  const word = phrase.split(/[\s,.;:[(]/)[0] ?? '';
  const mapped = custom[word] ?? STATUS_MAP[word] ?? (PAGE_STATUSES.has(word) ? word : undefined);
  return mapped ? { status: mapped } : { status: 'proposed', unknown: raw.trim() };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const pad = (n: number) => String(n).padStart(2, '0');
const valid = (y: number, m: number, d: number) => m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();

/**
 * Reads a date as authors write it: 2021-03-04, 2021/3/4, 4.3.2021, 03/04/2021, "March 4, 2021",
 * "4 March 2021". When day and month could be either way round, it is read month first and said so.
 */
export function readDate(value: unknown): { date?: string; note?: string } {
  if (value instanceof Date) return { date: value.toISOString().slice(0, 10) };
  const text = String(value ?? '').trim();
  if (!text) return {};
  let m = /\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b/.exec(text);
  if (m && valid(+m[1]!, +m[2]!, +m[3]!)) return { date: `${m[1]}-${pad(+m[2]!)}-${pad(+m[3]!)}` };
  m = /\b(\d{1,2})([-/.])(\d{1,2})\2(\d{4})\b/.exec(text);
  if (m) {
    const [a, sep, b, y] = [+m[1]!, m[2]!, +m[3]!, +m[4]!];
    // A dot is the European order; a slash or dash is read month first unless only day first fits.
    const dayFirst = sep === '.' || (a > 12 && b <= 12);
    const [d, mo] = dayFirst ? [a, b] : [b, a];
    if (!valid(y, mo, d)) return { note: `the date "${text}" is not a date; it is kept in the text` };
    const date = `${y}-${pad(mo)}-${pad(d)}`;
    return a <= 12 && b <= 12 && a !== b && sep !== '.' ? { date, note: `the date "${text}" could be day/month or month/day; read as ${date} (month first)` } : { date };
  }
  m = /\b(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3,})\.?,?\s+(\d{4})\b/i.exec(text) ?? null;
  const named = m ? { d: +m[1]!, mon: m[2]!, y: +m[3]! } : (() => {
    const n = /\b([a-z]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b/i.exec(text);
    return n ? { d: +n[2]!, mon: n[1]!, y: +n[3]! } : null;
  })();
  if (named) {
    const mo = MONTHS.indexOf(named.mon.slice(0, 3).toLowerCase()) + 1;
    if (mo > 0 && valid(named.y, mo, named.d)) return { date: `${named.y}-${pad(mo)}-${pad(named.d)}` };
  }
  return { note: `the date "${text}" could not be read; it is kept in the text` };
}

/** The slug a linked ADR file gets: its file name, the same way the importer names pages. */
export { slugFromFileName };

function linkedSlugs(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\]\(<?([^)\s>]+?\.(?:md|markdown))>?(#[^)]*)?\)/gi)) out.push(slugForLink(m[1]!));
  return out;
}

/** The slug a relative link to a markdown file stands for (a folder's index.md is the folder). */
function slugForLink(target: string): string {
  const parts = decodeURIComponent(target).split('/').filter((p) => p && p !== '.');
  const name = parts.at(-1) ?? '';
  if (/^(index|_index)\.(md|markdown)$/i.test(name) && parts.length > 1) return slugFromFileName(parts.at(-2)!);
  return slugFromFileName(name);
}

/**
 * Rewrites links to other markdown files of the folder as wiki links, `[ADR 13](0013-x.md)` becoming
 * `[[0013-x|ADR 13]]`, so they work on the server and in the offline copy. Web links and code are left.
 */
export function rewriteMarkdownLinks(text: string): string {
  const out: string[] = [];
  let inFence: string | null = null;
  for (const line of text.split('\n')) {
    const fence = /^\s*(```+|~~~+)/.exec(line);
    if (fence) {
      if (!inFence) inFence = fence[1]!.charAt(0);
      else if (fence[1]!.charAt(0) === inFence) inFence = null;
      out.push(line);
      continue;
    }
    if (inFence) {
      out.push(line);
      continue;
    }
    out.push(
      line.replace(/(?<![!\\])\[([^\]\n]*)\]\(<?((?![a-z][a-z0-9+.-]*:|\/|#)[^)\s>]+?\.(?:md|markdown))>?(#[^)\s]*)?\)/gi, (_all, label: string, target: string) => {
        const slug = slugForLink(target);
        const clean = label.replace(/[[\]|]/g, '').trim();
        return clean && clean !== slug ? `[[${slug}|${clean}]]` : `[[${slug}]]`;
      }),
    );
  }
  return out.join('\n');
}

/** Text with fenced code blocks removed, so a heading in an example is not read as the file's own. */
function withoutCode(text: string): string {
  return text.replace(/^\s*(```+|~~~+)[^\n]*\n[\s\S]*?^\s*\1[^\n]*$/gm, '');
}

function headerValue(lines: string[], key: string): string | undefined {
  const re = new RegExp(`^\\s*(?:[-*]\\s*)?${key}\\s*:\\s*(.+)$`, 'i');
  for (const line of lines) {
    const m = re.exec(line);
    if (m) return m[1]!.replace(/<!--.*?-->/g, '').trim();
  }
  return undefined;
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
  if (typeof value === 'string') return value.split(/[,;]| and /).map((v) => v.replace(/[[\]]/g, '').trim()).filter(Boolean);
  return [];
}

/** True when a markdown text looks like a decision record rather than a Whywiki page. */
export function looksLikeAdr(data: Record<string, unknown>, content: string): boolean {
  if ('why' in data || 'owners' in data) return false;
  const text = withoutCode(content);
  const heading = /^#\s+\S/m.test(text);
  const sections = /^##\s+(Status|Context( and Problem Statement)?|Decision( Outcome)?)\s*$/im.test(text);
  const header = /^\s*[-*]?\s*Status\s*:/im.test(text) || 'status' in data || 'deciders' in data || 'decision-makers' in data;
  // A record without a title heading is still a record when it has both a status and the sections.
  return (heading && (sections || header)) || (header && sections);
}

const HEADER_KEYS = ['Status', 'Date', 'Deciders', 'Decision-makers', 'Decision makers', 'Tags', 'Technical Story'];

/** Reads one decision record. `data` is its YAML front matter (MADR 3.x and 4), if any. */
export function parseAdr(data: Record<string, unknown>, content: string, options: AdrOptions = {}): AdrRecord {
  const tree = unified().use(remarkParse).parse(content) as Root;
  const text = (node: RootContent) => content.slice(node.position!.start.offset!, node.position!.end.offset!);
  const nodes = tree.children;
  const notes: string[] = [];
  const h1 = nodes.find((n) => n.type === 'heading' && n.depth === 1);
  let title = h1 ? toString(h1).trim() : '';
  // The record's number orders the records and is how people cite them: it stays in the title.
  const number = /^(\d{1,5})-/.exec(options.fileName ?? '')?.[1];
  if (title && number && !/^(ADR[-\s]?)?\d+/i.test(title)) title = `${number}. ${title}`;
  if (!title && options.fileName) {
    title = options.fileName.replace(/\.(md|markdown)$/i, '').replace(/^(\d+)-/, '$1. ').replace(/[-_]+/g, ' ').trim();
    notes.push(`the record has no title heading; the title "${title}" is made from the file name`);
  }

  // The header: everything between the title and the first section.
  const firstSection = nodes.findIndex((n) => n.type === 'heading' && n.depth === 2);
  const headerNodes = nodes.slice(h1 ? nodes.indexOf(h1) + 1 : 0, firstSection < 0 ? nodes.length : firstSection);
  const headerText = headerNodes.map(text).join('\n\n');
  const headerLines = headerText.split('\n');

  // Sections: each level-2 heading and what follows it up to the next one.
  const sections: { name: string; heading: string; content: string }[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.type !== 'heading' || n.depth !== 2) continue;
    let j = i + 1;
    while (j < nodes.length && !(nodes[j]!.type === 'heading' && (nodes[j] as { depth: number }).depth <= 2)) j++;
    const start = n.position!.end.offset!;
    const end = j < nodes.length ? nodes[j]!.position!.start.offset! : content.length;
    sections.push({ name: toString(n).trim(), heading: text(n), content: content.slice(start, end).trim() });
    i = j - 1;
  }

  const statusSection = sections.find((s) => /^status$/i.test(s.name));
  const format: AdrFormat = statusSection ? 'adr-tools' : headerLines.some((l) => /^\s*-\s*Status\s*:/i.test(l)) ? 'log4brains' : 'madr';
  const statusText = statusSection?.content ?? (typeof data.status === 'string' ? data.status : headerValue(headerLines, 'Status')) ?? '';
  const statusLines = statusText.split('\n');
  const statusIndex = statusLines.findIndex((l) => l.trim() !== '');
  const statusWord = statusIndex < 0 ? '' : statusLines[statusIndex]!;
  const technicalStory = headerValue(headerLines, 'Technical Story') ?? (typeof data['technical-story'] === 'string' ? (data['technical-story'] as string) : undefined);
  const tickets = [...new Set([...(technicalStory ?? '').matchAll(TICKET)].map((m) => `${m[1]}${m[2]}`.toUpperCase()))];

  const supersedes: string[] = [];
  const supersededBy: string[] = [];
  // Status lines that are not the status word or a supersession (adr-tools' "Amends", notes) stay in the body.
  const statusRest: string[] = [];
  statusLines.forEach((line, i) => {
    if (/super[cs]eded by/i.test(line)) supersededBy.push(...linkedSlugs(line));
    else if (/super[cs]edes/i.test(line)) supersedes.push(...linkedSlugs(line));
    else if (i !== statusIndex && statusSection) statusRest.push(line);
  });
  const mapped = mapAdrStatus(statusWord, options.statusMap);
  if (mapped.unknown) notes.push(`the status "${mapped.unknown}" is not one Whywiki knows; imported as proposed (map it with --status-map "${mapped.unknown}=<status>")`);
  // A status line such as "Superseded by [ADR 5](...)" keeps its link text in the page, not only the field.
  if (statusWord && /\]\(/.test(statusWord)) statusRest.unshift(statusWord);

  const rawDate = data.date ?? headerValue(headerLines, 'Date');
  const date = readDate(rawDate);
  if (date.note) notes.push(date.note);

  const deciders = list(data['decision-makers'] ?? data.deciders ?? headerValue(headerLines, 'Deciders') ?? headerValue(headerLines, 'Decision-makers') ?? headerValue(headerLines, 'Decision makers'));

  // Header lines the fields above did not take (notes, "Consulted", links to discussions) are kept.
  const taken = new RegExp(`^\\s*(?:[-*]\\s*)?(${HEADER_KEYS.join('|')})\\s*:`, 'i');
  const headerRest = headerLines.filter((l) => !taken.test(l) || (/^\s*(?:[-*]\s*)?Date\s*:/i.test(l) && !date.date)).join('\n').trim();
  const people = (['consulted', 'informed'] as const).map((k) => (data[k] !== undefined ? `${k === 'consulted' ? 'Consulted' : 'Informed'}: ${list(data[k]).join(', ')}` : '')).filter(Boolean);
  const extraData = Object.entries(data).filter(([k]) => !['status', 'date', 'deciders', 'decision-makers', 'tags', 'technical-story', 'consulted', 'informed'].includes(k));
  if (extraData.length) notes.push(`front matter ${extraData.map(([k]) => `"${k}"`).join(', ')} kept in the body`);

  let context = sections.find((s) => CONTEXT.test(s.name));
  let why = context?.content || undefined;
  if (!why) {
    // No Context section: the why is the record's first paragraph (its decision, when that is all there is), and said so.
    const from = sections.find((s) => /^decision/i.test(s.name) && s.content) ?? sections.find((s) => s !== statusSection && s.content);
    const paragraph = (from?.content ?? headerRest).split(/\n\s*\n/).find((p) => p.trim() && !/^\s*[#|`]/.test(p));
    if (paragraph) {
      why = paragraph.trim();
      notes.push(`the record has no Context section; the why is its first paragraph${from ? ` under "${from.name}"` : ''} (the section itself is kept)`);
    }
    context = undefined;
  }
  const rest = sections.filter((s) => s !== context && s !== statusSection);
  const statusBlock = statusRest.join('\n').trim() ? `${statusSection?.heading ?? '## Status'}\n\n${statusRest.join('\n').trim()}` : '';
  const metadata = extraData.length ? `## Metadata (imported)\n\n\`\`\`yaml\n${extraData.map(([k, v]) => `${k}: ${JSON.stringify(v instanceof Date ? v.toISOString().slice(0, 10) : v)}`).join('\n')}\n\`\`\`` : '';
  const dateLine = rawDate !== undefined && !date.date && !headerRest.includes(String(rawDate)) ? `Date: ${String(rawDate)}` : '';
  const body = [
    technicalStory ? `Technical story: ${technicalStory}` : '',
    headerRest,
    dateLine,
    ...people,
    statusBlock,
    ...rest.map((s) => `${s.heading}\n\n${s.content}`),
    metadata,
  ]
    .filter(Boolean)
    .join('\n\n');

  return {
    format,
    title,
    status: mapped.status,
    date: date.date,
    deciders,
    tags: list(data.tags ?? headerValue(headerLines, 'Tags')).map((t) => t.toLowerCase()),
    tickets,
    why: why ? rewriteMarkdownLinks(why) : undefined,
    body: body ? `${rewriteMarkdownLinks(body)}\n` : '',
    supersedes,
    supersededBy,
    notes,
  };
}
