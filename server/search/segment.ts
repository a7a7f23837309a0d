import v8 from 'node:v8';
import { newBuilder } from './analyzer.js';
import { tokenize } from './lunr-internals.js';
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

/** A growable array of unsigned 32-bit integers: 4 bytes an entry where a JS array of numbers takes 8 or more. */
class U32List {
  private data = new Uint32Array(1024);
  length = 0;

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  at(i: number): number {
    return this.data[i]!;
  }
}

/**
 * Builds a segment one document at a time. Each field is tokenized and run through the same Lunr
 * pipeline `lunr.Builder#add` uses, but instead of Lunr's object graph (an inverted index object per
 * term, a term-frequency object per field of every document, kept until the end) only what the
 * weights need is kept: per (document, field) its length, and per posting its term, field and
 * document and the term's frequency there, in typed arrays. A build over hundreds of thousands of
 * history versions then costs some bytes per posting rather than hundreds. The result is exactly the
 * segment Lunr's builder would give (same terms, document frequencies, average lengths and weights).
 */
export class SegmentBuilder<D> {
  private readonly pipeline = newBuilder().pipeline;
  private readonly docs: D[] = [];
  private readonly termIds = new Map<string, number>();
  private readonly termList: string[] = [];
  /** Document frequency per term id (in order of first appearance): fields holding it, summed. */
  private dfs = new Uint32Array(1024);
  private readonly fieldLengthSums: number[];
  /** Per posting: term id, document × fields + field, and term frequency. */
  private readonly postTerm = new U32List();
  private readonly postDocField = new U32List();
  private readonly postTf = new U32List();
  /** Per document × fields + field: how many terms the field holds. */
  private readonly fieldLengths = new U32List();

  constructor(private readonly spec: FieldSpec<D>[]) {
    this.fieldLengthSums = spec.map(() => 0);
  }

  get size(): number {
    return this.docs.length;
  }

  add(doc: D): void {
    const docNo = this.docs.length;
    this.docs.push(doc);
    const nf = this.spec.length;
    for (let field = 0; field < nf; field++) {
      const f = this.spec[field]!;
      const tokens = tokenize(f.extract(doc), { fields: [f.name] });
      const terms = this.pipeline.run(tokens);
      this.fieldLengths.push(terms.length);
      this.fieldLengthSums[field]! += terms.length;
      const tf = new Map<string, number>();
      for (const t of terms) {
        const term = t.toString();
        tf.set(term, (tf.get(term) ?? 0) + 1);
      }
      for (const [term, n] of tf) {
        let id = this.termIds.get(term);
        if (id === undefined) {
          id = this.termList.length;
          this.termIds.set(term, id);
          this.termList.push(term);
          if (id === this.dfs.length) {
            const next = new Uint32Array(this.dfs.length * 2);
            next.set(this.dfs);
            this.dfs = next;
          }
        }
        this.dfs[id]! += 1;
        this.postTerm.push(id);
        this.postDocField.push(docNo * nf + field);
        this.postTf.push(n);
      }
    }
  }

  /** Compiles what was added into a segment; `base` as for buildSegment. */
  finish(base?: BaseStats): Segment<D> {
    const { spec, docs } = this;
    const fields = spec.map((f) => f.name);
    const nf = fields.length;
    // The dictionary is sorted; `rank` maps a term's id (order of first appearance) to its place in it.
    const order = this.termList.map((_, i) => i).sort((a, b) => (this.termList[a]! < this.termList[b]! ? -1 : this.termList[a]! > this.termList[b]! ? 1 : 0));
    const terms = order.map((i) => this.termList[i]!);
    const rank = new Uint32Array(order.length);
    order.forEach((id, r) => (rank[id] = r));
    const dfs = new Uint32Array(terms.length);
    for (let r = 0; r < terms.length; r++) dfs[r] = this.dfs[order[r]!]!;

    const avgFieldLength = new Float64Array(nf);
    // With base statistics (a delta segment), most documents replace a page the main segment already
    // counts, so the main segment's numbers are used as they stand; only words it has never seen
    // take their frequency from the delta itself.
    const docCount = base ? Math.max(base.docCount, docs.length) : docs.length;
    for (let i = 0; i < nf; i++) avgFieldLength[i] = base && base.docCount ? base.avgFieldLength[i]! : docs.length ? this.fieldLengthSums[i]! / docs.length : 0;
    const idf = new Float64Array(terms.length);
    for (let t = 0; t < terms.length; t++) {
      const n = base ? Math.max(base.df(terms[t]!), dfs[t]!) : dfs[t]!;
      idf[t] = Math.log(1 + Math.abs((docCount - n + 0.5) / (n + 0.5)));
    }

    // Postings were recorded document by document, so a stable counting sort into (term, field)
    // runs lists each run's documents in order.
    const total = this.postTerm.length;
    const counts = new Uint32Array(terms.length * nf + 1);
    for (let i = 0; i < total; i++) counts[rank[this.postTerm.at(i)]! * nf + (this.postDocField.at(i) % nf) + 1]! += 1;
    for (let i = 1; i < counts.length; i++) counts[i]! += counts[i - 1]!;
    const offsets = counts.slice();
    const fill = counts.subarray(0, counts.length - 1);
    const postDocs = new Uint32Array(total);
    const postWeights = new Float32Array(total);
    for (let i = 0; i < total; i++) {
      const t = rank[this.postTerm.at(i)]!;
      const docField = this.postDocField.at(i);
      const field = docField % nf;
      const len = this.fieldLengths.at(docField);
      const avg = avgFieldLength[field]! || 1;
      const f = this.postTf.at(i);
      const score = ((idf[t]! * ((K1 + 1) * f)) / (K1 * (1 - B + B * (len / avg)) + f)) * spec[field]!.boost;
      const at = fill[t * nf + field]!++;
      postDocs[at] = (docField - field) / nf;
      postWeights[at] = Math.round(score * 1000) / 1000;
    }
    return new Segment(fields, docs, terms, offsets, postDocs, postWeights, dfs, avgFieldLength);
  }
}

/** Indexes documents with Lunr's analysis and compiles the result into a segment. */
export function buildSegment<D>(docs: Iterable<D>, spec: FieldSpec<D>[], base?: BaseStats): Segment<D> {
  const builder = new SegmentBuilder(spec);
  for (const doc of docs) builder.add(doc);
  return builder.finish(base);
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
