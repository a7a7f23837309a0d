import type { Knowledge } from './knowledge.js';

/** Distinct viewers' hidden sets remembered per snapshot; readers share a few (one per team membership). */
const VIEWS_MAX = 32;

const memos = new WeakMap<Knowledge, Map<string, unknown>>();

/**
 * A report worked out once per whole snapshot (`app.knowledge()`, new after any change and each minute) and
 * set of hidden pages, instead of once per request: at 50,000 pages a pass over every page costs more than a
 * screen may. `viewed` is the snapshot as this viewer sees it, built only when the answer is not remembered.
 */
export function perSnapshot<T>(whole: Knowledge, hidden: ReadonlySet<string>, name: string, viewed: () => Knowledge, compute: (k: Knowledge) => T): T {
  let memo = memos.get(whole);
  if (!memo) memos.set(whole, (memo = new Map()));
  const key = `${name}\u0000${[...hidden].sort().join('\u0000')}`;
  if (memo.has(key)) return memo.get(key) as T;
  const value = compute(hidden.size ? viewed() : whole);
  // Oldest first out: a bounded map whatever the number of distinct viewers.
  if (memo.size >= VIEWS_MAX) memo.delete(memo.keys().next().value!);
  memo.set(key, value);
  return value;
}
