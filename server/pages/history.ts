import { diffLines, diffWordsWithSpace } from 'diff';
import type { Store } from '../store/index.js';
import { NotFoundError } from '../core/errors.js';
import { diffFrontMatter, type FieldChange } from './diff.js';
import { getCurrentPage, getPageVersion, listVersions } from './queries.js';
import type { VersionSummary } from './model.js';
import { redactVersion } from '../auth/visibility.js';

const NONE: ReadonlySet<string> = new Set();

export interface HistoryEntry extends VersionSummary {
  /** Front matter fields that differ from the version before, plus "body" when the text changed. */
  changed: string[];
}

/** Every version, newest first, with the names of the fields each one changed. */
export function pageHistory(store: Store, slug: string, hidden: ReadonlySet<string> = NONE, range?: { limit: number; offset: number }): HistoryEntry[] {
  const versions = listVersions(store, slug).map((v) => redactVersion(v, hidden));
  const bodies = new Map<number, string>();
  // With a range, only the versions shown (and the one before the oldest) have their bodies read.
  const from = range?.offset ?? 0;
  return versions.slice(from, range ? from + range.limit : versions.length).map((v, j) => {
    const prev = versions[from + j + 1];
    if (!prev) return { ...v, changed: [] };
    const body = (n: number) => {
      if (!bodies.has(n)) bodies.set(n, getPageVersion(store, slug, n).body);
      return bodies.get(n)!;
    };
    const changed = diffFrontMatter(prev.frontMatter, v.frontMatter).map((c) => c.field);
    if (body(prev.version) !== body(v.version)) changed.push('body');
    return { ...v, changed };
  });
}

export interface WordPart {
  text: string;
  kind: 'added' | 'removed' | 'same';
}

/** One line of a body diff. Changed lines carry word-level parts so the exact edit stands out. */
export interface DiffLine {
  kind: 'added' | 'removed' | 'same';
  oldNumber: number | null;
  newNumber: number | null;
  text: string;
  words?: WordPart[];
}

/** A side-by-side row: the old line on the left, the new on the right (either may be empty). */
export interface SideBySideRow {
  left: DiffLine | null;
  right: DiffLine | null;
}

export interface VersionDiff {
  slug: string;
  from: number;
  to: number;
  fields: FieldChange[];
  lines: DiffLine[];
  rows: SideBySideRow[];
  stats: { added: number; removed: number };
}

/** Every text ends in a newline before diffing, so a last line is not "changed" just by gaining one. */
function terminated(value: string): string {
  return value === '' || value.endsWith('\n') ? value : `${value}\n`;
}

function splitLines(value: string): string[] {
  return value.replace(/\n$/, '').split('\n');
}

function wordParts(oldLine: string, newLine: string): { old: WordPart[]; new: WordPart[] } {
  const parts = diffWordsWithSpace(oldLine, newLine);
  return {
    old: parts.filter((p) => !p.added).map((p) => ({ text: p.value, kind: p.removed ? 'removed' : 'same' })),
    new: parts.filter((p) => !p.removed).map((p) => ({ text: p.value, kind: p.added ? 'added' : 'same' })),
  };
}

/** Line diff of two texts, with removed/added runs paired line by line for word-level highlights. */
export function diffText(from: string, to: string): { lines: DiffLine[]; rows: SideBySideRow[] } {
  const lines: DiffLine[] = [];
  const rows: SideBySideRow[] = [];
  let oldNo = 1;
  let newNo = 1;
  const parts = diffLines(terminated(from), terminated(to));
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (!part.added && !part.removed) {
      for (const text of splitLines(part.value)) {
        const line: DiffLine = { kind: 'same', oldNumber: oldNo++, newNumber: newNo++, text };
        lines.push(line);
        rows.push({ left: line, right: line });
      }
      continue;
    }
    const removed = part.removed ? splitLines(part.value) : [];
    const next = parts[i + 1];
    const added = part.removed && next?.added ? splitLines(next.value) : part.added ? splitLines(part.value) : [];
    if (part.removed && next?.added) i++;
    const left: DiffLine[] = removed.map((text) => ({ kind: 'removed', oldNumber: oldNo++, newNumber: null, text }));
    const right: DiffLine[] = added.map((text) => ({ kind: 'added', oldNumber: null, newNumber: newNo++, text }));
    for (let k = 0; k < Math.min(left.length, right.length); k++) {
      const w = wordParts(left[k]!.text, right[k]!.text);
      left[k]!.words = w.old;
      right[k]!.words = w.new;
    }
    lines.push(...left, ...right);
    for (let k = 0; k < Math.max(left.length, right.length); k++) rows.push({ left: left[k] ?? null, right: right[k] ?? null });
  }
  return { lines, rows };
}

/**
 * Any two versions compared; `from` after `to` simply gives the reverse diff. Pages in `hidden` are
 * unnamed in both versions before comparing, so no fragment of their slugs survives in the word diff.
 */
export function diffVersions(store: Store, slug: string, from: number, to: number, hidden: ReadonlySet<string> = NONE): VersionDiff {
  const a = redactVersion(getPageVersion(store, slug, from), hidden);
  const b = redactVersion(getPageVersion(store, slug, to), hidden);
  const { lines, rows } = diffText(a.body, b.body);
  return {
    slug,
    from,
    to,
    fields: diffFrontMatter(a.frontMatter, b.frontMatter),
    lines,
    rows,
    stats: { added: lines.filter((l) => l.kind === 'added').length, removed: lines.filter((l) => l.kind === 'removed').length },
  };
}

export interface BlameLine {
  number: number;
  text: string;
  version: number;
  author: string;
  createdAt: string;
  summary: string;
}

/** For each line of the current body, the version that introduced it. */
export function blame(store: Store, slug: string, hidden: ReadonlySet<string> = NONE): BlameLine[] {
  const current = redactVersion(getCurrentPage(store, slug), hidden);
  const versions = listVersions(store, slug).reverse().map((v) => redactVersion(v, hidden));
  let text = '';
  let origins: number[] = [];
  for (const v of versions) {
    const body = v.version === current.version ? current.body : redactVersion(getPageVersion(store, slug, v.version), hidden).body;
    const next: number[] = [];
    let oldIndex = 0;
    for (const part of diffLines(text, terminated(body))) {
      const count = part.count ?? splitLines(part.value).length;
      if (part.removed) oldIndex += count;
      else if (part.added) for (let k = 0; k < count; k++) next.push(v.version);
      else for (let k = 0; k < count; k++) next.push(origins[oldIndex++]!);
    }
    text = terminated(body);
    origins = next;
  }
  const meta = new Map(versions.map((v) => [v.version, v]));
  if (current.body === '') return [];
  return splitLines(current.body).map((line, i) => {
    const v = meta.get(origins[i] ?? current.version);
    if (!v) throw new NotFoundError(`Version ${origins[i]} of "${slug}" is missing.`);
    return { number: i + 1, text: line, version: v.version, author: v.author, createdAt: v.createdAt, summary: v.summary };
  });
}
