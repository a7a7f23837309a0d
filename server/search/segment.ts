import v8 from 'node:v8';
import { newBuilder } from './analyzer.js';
import { calculateAverageFieldLengths } from './lunr-internals.js';
import type { WorkBudget } from './budget.js';

/** One field of a segment: its name, its boost and how its text is taken from a document. */
export interface FieldSpec<D> {
  name: string;
  boost: number;
  extract: (doc: D) => string | string[];
}

/**
 * Corpus statistics a small segment borrows from the main one, so that a page saved a minute ago
 * scores as it will after the next full rebuild (a tiny index alone would give every word the
 * inverse document frequency of a two-page wiki and rank fresh pages arbitrarily).
 */
export interface BaseStats {
  docCount: number;
  avgFieldLength: Float64Array;
  df(term: string): number;
}

// Lunr's BM25 constants (lunr.Builder defaults).
const K1 = 1.2;
const B = 0.75;

/**
 * An immutable, compiled Lunr index. Lunr tokenizes, filters and stems the documents exactly as
 * `lunr()` would, and the BM25 weights are Lunr's own (same formula, same rounding), but instead of
 * Lunr's object graph (a posting object per term and field, a vector object per field and document)
 * the postings are kept in flat typed arrays: each (term, field) pair owns a run of document numbers
 * and their weights. A document's score is then the number `lunr.Index#query` computes (per field,
 * the query vector's dot product with the field vector over the query vector's magnitude), summed
 * straight from the postings, and the arrays can be written to disk and viewed again in place.
 */
export class Segment<D> {
  readonly termIds: Map<string, number>;

  constructor(
    readonly fields: string[],
    readonly docs: D[],
    readonly terms: string[],
    /** Start of each (term, field) run in postDocs; length terms × fields + 1. */
    readonly offsets: Uint32Array,
    readonly postDocs: Uint32Array,
    readonly postWeights: Float32Array,
    /** Lunr's document frequency of each term: documents per field, summed over fields. */
    readonly dfs: Uint32Array,
    readonly avgFieldLength: Float64Array,
  ) {
    this.termIds = new Map();
    for (let i = 0; i < terms.length; i++) this.termIds.set(terms[i]!, i);
  }

  get docCount(): number {
    return this.docs.length;
  }

  df(term: string): number {
    const id = this.termIds.get(term);
    return id === undefined ? 0 : this.dfs[id]!;
  }

  fieldIndex(name: string): number {
    return this.fields.indexOf(name);
  }

  /** Calls `fn(doc, weight)` for every document holding the term in the field. */
  forEachPosting(termId: number, field: number, fn: (doc: number, weight: number) => void): void {
    const slot = termId * this.fields.length + field;
    const end = this.offsets[slot + 1]!;
    for (let i = this.offsets[slot]!; i < end; i++) fn(this.postDocs[i]!, this.postWeights[i]!);
  }

  /** Index of the first dictionary term not below `s` (the dictionary is sorted). */
  private lowerBound(s: string, from = 0): number {
    let lo = from;
    let hi = this.terms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.terms[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether any posting of the term, in any field, is a document `hidden` does not mark. */
  hasPostingOutside(termId: number, hidden: Uint8Array | null): boolean {
    const nf = this.fields.length;
    for (let f = 0; f < nf; f++) {
      const slot = termId * nf + f;
      const end = this.offsets[slot + 1]!;
      for (let i = this.offsets[slot]!; i < end; i++) if (!hidden || !hidden[this.postDocs[i]!]) return true;
    }
    return false;
  }

  /** Terms starting with `prefix` that `accept` allows, at most `max` of them, found by binary search in the sorted dictionary. */
  prefix(prefix: string, max: number, budget: WorkBudget, accept: (id: number) => boolean = () => true): number[] {
    const out: number[] = [];
    for (let i = this.lowerBound(prefix); i < this.terms.length && out.length < max && this.terms[i]!.startsWith(prefix); i++) {
      budget.spend(1 + prefix.length);
      if (accept(i)) out.push(i);
    }
    return out;
  }

  /**
   * Terms matching a pattern with `*` anywhere, at most `max`. A scan of the dictionary (from the
   * literal head of the pattern on), each term matched without backtracking regular expressions, so
   * the work is at most terms × pattern length and every step is charged to the budget.
   */
  wildcard(pattern: string, max: number, budget: WorkBudget, accept: (id: number) => boolean = () => true): number[] {
    const head = pattern.slice(0, pattern.indexOf('*'));
    const out: number[] = [];
    for (let i = this.lowerBound(head); i < this.terms.length && out.length < max; i++) {
      const term = this.terms[i]!;
      if (!term.startsWith(head)) break;
      budget.spend(1);
      if (globMatch(pattern, term, budget) && accept(i)) out.push(i);
    }
    return out;
  }

  /**
   * Terms within `distance` edits (insertions, deletions, substitutions, swaps of neighbours) of
   * `term`, at most `max`. Walks the sorted dictionary as a trie: a term sharing a prefix with the
   * previous one reuses its rows of the edit-distance table, only the band of cells within `distance`
   * of the diagonal is filled, and once a prefix is already more than `distance` edits away every term
   * that starts with it is skipped by binary search. Each row is charged to the budget.
   */
  fuzzy(term: string, distance: number, max: number, budget: WorkBudget, accept: (id: number) => boolean = () => true): number[] {
    const n = term.length;
    const far = distance + 1;
    const first = new Int32Array(n + 2).fill(far);
    for (let j = 0; j <= Math.min(n, distance); j++) first[j] = j;
    const rows: Int32Array[] = [first];
    let prev = '';
    let valid = 0; // rows[0..valid] hold the table for prev.slice(0, valid)
    const out: number[] = [];
    let i = 0;
    while (i < this.terms.length && out.length < max) {
      const t = this.terms[i]!;
      let k = 0;
      const lim = Math.min(valid, t.length);
      while (k < lim && prev.charCodeAt(k) === t.charCodeAt(k)) k++;
      let dead = -1;
      for (let depth = k + 1; depth <= t.length; depth++) {
        budget.spend(2 * distance + 2);
        const above = rows[depth - 1]!;
        const row = (rows[depth] ??= new Int32Array(n + 2));
        const c = t.charCodeAt(depth - 1);
        const lo = Math.max(1, depth - distance);
        const hi = Math.min(n, depth + distance);
        row[0] = depth <= distance ? depth : far;
        row[lo - 1] = lo - 1 === 0 ? row[0]! : far;
        let min = row[0]!;
        for (let j = lo; j <= hi; j++) {
          const tc = term.charCodeAt(j - 1);
          let v = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + (tc === c ? 0 : 1));
          if (depth > 1 && j > 1 && tc === t.charCodeAt(depth - 2) && term.charCodeAt(j - 2) === c) v = Math.min(v, rows[depth - 2]![j - 2]! + 1);
          row[j] = Math.min(v, far);
          if (v < min) min = v;
        }
        row[hi + 1] = far; // the next row reads one cell past this band
        if (min > distance) {
          dead = depth;
          break;
        }
      }
      if (dead >= 0) {
        // Every term starting with this prefix is too far away: jump past them all.
        const stem = t.slice(0, dead);
        prev = stem;
        valid = dead - 1;
        budget.spend(1);
        const last = stem.charCodeAt(stem.length - 1);
        i = last === 0xffff ? i + 1 : this.lowerBound(stem.slice(0, -1) + String.fromCharCode(last + 1), i + 1);
        continue;
      }
      prev = t;
      valid = t.length;
      if (Math.abs(t.length - n) <= distance && rows[t.length]![n]! <= distance && accept(i)) out.push(i);
      i++;
    }
    return out;
  }
}

/**
 * Whether `text` matches `pattern`, where `*` stands for any run of characters: greedy, with one
 * resume point, so at most pattern × text steps and never exponential. The steps are charged to the budget.
 */
export function globMatch(pattern: string, text: string, budget: WorkBudget): boolean {
  const STAR = 42;
  let p = 0;
  let s = 0;
  let star = -1;
  let mark = 0;
  let steps = 0;
  while (s < text.length) {
    steps++;
    const pc = p < pattern.length ? pattern.charCodeAt(p) : -1;
    if (pc !== -1 && pc !== STAR && pc === text.charCodeAt(s)) {
      p++;
      s++;
    } else if (pc === STAR) {
      star = p++;
      mark = s;
    } else if (star >= 0) {
      p = star + 1;
      s = ++mark;
    } else break;
  }
  budget.spend(steps);
  if (s < text.length) return false;
  while (p < pattern.length && pattern.charCodeAt(p) === STAR) p++;
  return p === pattern.length;
}

/** Indexes documents with Lunr's builder and compiles the result into a segment. */
export function buildSegment<D>(docs: D[], spec: FieldSpec<D>[], base?: BaseStats): Segment<D> {
  const builder = newBuilder();
  builder.ref('ref');
  for (const f of spec) builder.field(f.name, { boost: f.boost, extractor: (d: object) => f.extract((d as { doc: D }).doc) });
  for (let i = 0; i < docs.length; i++) builder.add({ ref: String(i), doc: docs[i] });
  calculateAverageFieldLengths(builder);

  const b = builder as unknown as {
    invertedIndex: Record<string, unknown>;
    fieldTermFrequencies: Record<string, Record<string, number>>;
    fieldLengths: Record<string, number>;
    averageFieldLength: Record<string, number>;
  };
  const fields = spec.map((f) => f.name);
  const nf = fields.length;
  const fieldNo = new Map(fields.map((f, i) => [f, i]));
  const terms = Object.keys(b.invertedIndex).sort();
  const termIds = new Map(terms.map((t, i) => [t, i]));
  const dfs = new Uint32Array(terms.length);
  const fieldRefs = Object.keys(b.fieldTermFrequencies);
  for (const ref of fieldRefs) for (const t in b.fieldTermFrequencies[ref]) dfs[termIds.get(t)!]! += 1;

  const localAvg = new Float64Array(nf);
  fields.forEach((f, i) => (localAvg[i] = b.averageFieldLength[f] || 0));
  const avgFieldLength = new Float64Array(nf);
  // With base statistics (a delta segment), most documents replace a page the main segment already
  // counts, so the main segment's numbers are used as they stand; only words it has never seen
  // take their frequency from the delta itself.
  const docCount = base ? Math.max(base.docCount, docs.length) : docs.length;
  for (let i = 0; i < nf; i++) avgFieldLength[i] = base && base.docCount ? base.avgFieldLength[i]! : localAvg[i]!;
  const idf = new Float64Array(terms.length);
  for (let t = 0; t < terms.length; t++) {
    const n = base ? Math.max(base.df(terms[t]!), dfs[t]!) : dfs[t]!;
    idf[t] = Math.log(1 + Math.abs((docCount - n + 0.5) / (n + 0.5)));
  }

  // Weights per posting, in the order Lunr visits field refs (document by document), then sorted
  // into (term, field) runs with a stable counting sort so each run lists documents in order.
  const counts = new Uint32Array(terms.length * nf + 1);
  const entrySlot: number[] = [];
  const entryDoc: number[] = [];
  const entryWeight: number[] = [];
  for (const ref of fieldRefs) {
    const slash = ref.indexOf('/');
    const field = fieldNo.get(ref.slice(0, slash))!;
    const doc = Number(ref.slice(slash + 1));
    const tf = b.fieldTermFrequencies[ref]!;
    const len = b.fieldLengths[ref]!;
    const boost = spec[field]!.boost;
    const avg = avgFieldLength[field]! || 1;
    for (const term in tf) {
      const t = termIds.get(term)!;
      const f = tf[term]!;
      const score = ((idf[t]! * ((K1 + 1) * f)) / (K1 * (1 - B + B * (len / avg)) + f)) * boost;
      entrySlot.push(t * nf + field);
      entryDoc.push(doc);
      entryWeight.push(Math.round(score * 1000) / 1000);
      counts[t * nf + field + 1]! += 1;
    }
  }
  for (let i = 1; i < counts.length; i++) counts[i]! += counts[i - 1]!;
  const offsets = counts.slice();
  const fill = counts.slice(0, -1);
  const postDocs = new Uint32Array(entryDoc.length);
  const postWeights = new Float32Array(entryDoc.length);
  for (let i = 0; i < entryDoc.length; i++) {
    const at = fill[entrySlot[i]!]!++;
    postDocs[at] = entryDoc[i]!;
    postWeights[at] = entryWeight[i]!;
  }
  return new Segment(fields, docs, terms, offsets, postDocs, postWeights, dfs, avgFieldLength);
}

/**
 * Writes a segment as one buffer: a small JSON header, the documents (V8's structured clone
 * format), the dictionary, then the typed arrays as raw bytes, each 8-byte aligned so they can be
 * viewed in place when read back.
 */
export function encodeSegment<D>(seg: Segment<D>): Buffer[] {
  const docs = v8.serialize(seg.docs);
  const terms = Buffer.from(seg.terms.join('\n'), 'utf8');
  const arrays = [seg.offsets, seg.postDocs, seg.postWeights, seg.dfs, seg.avgFieldLength];
  const parts: Buffer[] = [docs, terms, ...arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))];
  const header = Buffer.from(
    JSON.stringify({ fields: seg.fields, termCount: seg.terms.length, lengths: parts.map((p) => p.length) }),
    'utf8',
  );
  const out: Buffer[] = [];
  const head = Buffer.alloc(8);
  head.writeUInt32LE(header.length, 0);
  out.push(head, pad(header));
  for (const p of parts) out.push(pad(p));
  return out;
}

function pad(b: Buffer): Buffer {
  const rest = b.length % 8;
  return rest ? Buffer.concat([b, Buffer.alloc(8 - rest)]) : b;
}

const padded = (n: number) => n + ((8 - (n % 8)) % 8);

/** Reads a segment written by encodeSegment from `buf` at `offset`; returns it and the offset after it. */
export function decodeSegment<D>(buf: Buffer, offset: number): { segment: Segment<D>; end: number } {
  if (buf.byteOffset % 8 !== 0) buf = Buffer.from(buf); // typed-array views need aligned memory
  const headerLength = buf.readUInt32LE(offset);
  let at = offset + 8;
  const header = JSON.parse(buf.toString('utf8', at, at + headerLength)) as { fields: string[]; termCount: number; lengths: number[] };
  at += padded(headerLength);
  const slices = header.lengths.map((len) => {
    const s = { start: at, len };
    at += padded(len);
    return s;
  });
  const [docsS, termsS, offS, docS, wS, dfS, avgS] = slices as [Slice, Slice, Slice, Slice, Slice, Slice, Slice];
  const docs = v8.deserialize(buf.subarray(docsS.start, docsS.start + docsS.len)) as D[];
  const terms = termsS.len ? buf.toString('utf8', termsS.start, termsS.start + termsS.len).split('\n') : [];
  if (terms.length !== header.termCount) throw new Error('search index file is damaged (dictionary size)');
  const view = <T>(C: new (b: ArrayBufferLike, o: number, n: number) => T, s: Slice, size: number) => new C(buf.buffer, buf.byteOffset + s.start, s.len / size);
  const segment = new Segment<D>(
    header.fields,
    docs,
    terms,
    view(Uint32Array, offS, 4),
    view(Uint32Array, docS, 4),
    view(Float32Array, wS, 4),
    view(Uint32Array, dfS, 4),
    view(Float64Array, avgS, 8),
  );
  return { segment, end: at };
}

interface Slice {
  start: number;
  len: number;
}
