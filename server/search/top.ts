/**
 * The first `k` items in the order a stable sort by `cmp` would give, without sorting them all: a
 * bounded heap holding the k best seen so far, its worst at the root, so each further item costs one
 * comparison unless it belongs among them. Ties are broken by position in `items`, as a stable sort does.
 */
export function topK<T>(items: readonly T[], k: number, cmp: (a: T, b: T) => number): T[] {
  return topIndices(items.length, k, (i, j) => cmp(items[i]!, items[j]!)).map((i) => items[i]!);
}

/**
 * topK over positions 0..n-1 compared by `cmp(i, j)`: for matches kept in typed arrays side by side,
 * so no object is made per item. Ties are broken by position.
 */
export function topIndices(n: number, k: number, cmp: (i: number, j: number) => number): number[] {
  if (k <= 0 || n === 0) return [];
  // "i before j": their order by cmp, then by position.
  const before = (i: number, j: number) => {
    const c = cmp(i, j);
    return c < 0 || (c === 0 && i < j);
  };
  if (k >= n) return Array.from({ length: n }, (_, i) => i).sort((i, j) => cmp(i, j) || i - j);
  const heap = new Int32Array(k);
  let size = 0;
  const siftDown = (at: number) => {
    for (;;) {
      const l = 2 * at + 1;
      if (l >= size) return;
      const r = l + 1;
      // The child that comes later in the order, to keep the worst at the root.
      const later = r < size && before(heap[l]!, heap[r]!) ? r : l;
      if (!before(heap[at]!, heap[later]!)) return;
      [heap[at], heap[later]] = [heap[later]!, heap[at]!];
      at = later;
    }
  };
  for (let i = 0; i < n; i++) {
    if (size < k) {
      let at = size++;
      heap[at] = i;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!before(heap[parent]!, heap[at]!)) break;
        [heap[at], heap[parent]] = [heap[parent]!, heap[at]!];
        at = parent;
      }
    } else if (before(i, heap[0]!)) {
      heap[0] = i;
      siftDown(0);
    }
  }
  return Array.from(heap).sort((i, j) => (before(i, j) ? -1 : 1));
}
