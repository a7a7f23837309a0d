import { diffLines } from 'diff';
import { FRONT_MATTER_FIELDS, type FrontMatter } from './schema.js';

export interface FieldChange {
  field: string;
  from: string;
  to: string;
}

export interface LineChange {
  kind: 'added' | 'removed' | 'same';
  text: string;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** Front matter compared field by field, in schema order; only the fields that differ. */
export function diffFrontMatter(from: Partial<FrontMatter>, to: Partial<FrontMatter>): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const field of FRONT_MATTER_FIELDS) {
    const a = show(from[field]);
    const b = show(to[field]);
    if (a !== b) changes.push({ field, from: a, to: b });
  }
  return changes;
}

/** The body compared line by line. */
export function diffBody(from: string, to: string): LineChange[] {
  const out: LineChange[] = [];
  for (const part of diffLines(from, to)) {
    const kind = part.added ? 'added' : part.removed ? 'removed' : 'same';
    for (const line of part.value.replace(/\n$/, '').split('\n')) out.push({ kind, text: line });
  }
  return out;
}
