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
}

const STATUS_MAP: Record<string, string> = {
  proposed: 'proposed', draft: 'proposed', accepted: 'live', approved: 'approved', rejected: 'rejected',
  deprecated: 'retired', retired: 'retired', superseded: 'superseded',
};
const CONTEXT = /^context( and problem statement)?$/i;
const TICKET = /\b([A-Z]{2,8})[-\s]?([0-9]{3,12})\b/g;

/** The page status an ADR status word stands for: accepted decisions are in force, so they are live. */
export function mapAdrStatus(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const word = raw.trim().toLowerCase().split(/[\s,.;:[(]/)[0] ?? '';
  return STATUS_MAP[word] ?? raw.trim().toLowerCase();
}

/** The slug a linked ADR file gets: its file name, the same way the importer names pages. */
export { slugFromFileName };

function linkedSlugs(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+?\.md)(#[^)]*)?\)/gi)) out.push(slugFromFileName(m[1]!.split('/').pop()!));
  return out;
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

function isoDate(value: unknown): string | undefined {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  const m = /\d{4}-\d{2}-\d{2}/.exec(String(value ?? ''));
  return m?.[0];
}

/** True when a markdown text looks like a decision record rather than a Whywiki page. */
export function looksLikeAdr(data: Record<string, unknown>, content: string): boolean {
  if ('why' in data || 'owners' in data) return false;
  const heading = /^#\s+\S/m.test(content);
  const sections = /^##\s+(Status|Context( and Problem Statement)?|Decision( Outcome)?)\s*$/im.test(content);
  const header = /^\s*[-*]?\s*Status\s*:/im.test(content) || 'status' in data || 'deciders' in data;
  return heading && (sections || header);
}

/** Reads one decision record. `data` is its YAML front matter (MADR 3.x), if any. */
export function parseAdr(data: Record<string, unknown>, content: string): AdrRecord {
  const tree = unified().use(remarkParse).parse(content) as Root;
  const text = (node: RootContent) => content.slice(node.position!.start.offset!, node.position!.end.offset!);
  const nodes = tree.children;
  const h1 = nodes.find((n) => n.type === 'heading' && n.depth === 1);
  const title = h1 ? toString(h1).replace(/^(ADR[-\s]?)?\d+[.:]?\s+/i, '').trim() : '';

  // The header: everything between the title and the first section.
  const firstSection = nodes.findIndex((n) => n.type === 'heading' && n.depth === 2);
  const headerNodes = nodes.slice(h1 ? nodes.indexOf(h1) + 1 : 0, firstSection < 0 ? nodes.length : firstSection);
  const headerLines = headerNodes.flatMap((n) => text(n).split('\n'));

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
  const statusWord = statusText.split('\n').find((l) => l.trim() !== '') ?? '';
  const technicalStory = headerValue(headerLines, 'Technical Story') ?? (typeof data['technical-story'] === 'string' ? (data['technical-story'] as string) : undefined);
  const tickets = [...new Set([...(technicalStory ?? '').matchAll(TICKET)].map((m) => `${m[1]}${m[2]}`.toUpperCase()))];

  const supersedes: string[] = [];
  const supersededBy: string[] = [];
  for (const line of statusText.split('\n')) {
    if (/superseded by/i.test(line)) supersededBy.push(...linkedSlugs(line));
    else if (/supersedes/i.test(line)) supersedes.push(...linkedSlugs(line));
  }

  const context = sections.find((s) => CONTEXT.test(s.name));
  const rest = sections.filter((s) => s !== context && s !== statusSection);
  const body = [technicalStory ? `Technical story: ${technicalStory}` : '', ...rest.map((s) => `${s.heading}\n\n${s.content}`)].filter(Boolean).join('\n\n');

  return {
    format,
    title,
    status: mapAdrStatus(statusWord),
    date: isoDate(data.date ?? headerValue(headerLines, 'Date')),
    deciders: list(data.deciders ?? headerValue(headerLines, 'Deciders')),
    tags: list(data.tags ?? headerValue(headerLines, 'Tags')).map((t) => t.toLowerCase()),
    tickets,
    why: context?.content || undefined,
    body: body ? `${body}\n` : '',
    supersedes,
    supersededBy,
  };
}
