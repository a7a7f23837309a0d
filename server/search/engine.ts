import { normalizeId, type SearchDoc } from './document.js';
import { canSee, type Viewer } from '../auth/visibility.js';
import { termOf, words } from './analyzer.js';
import { buildSegment, SegmentBuilder, type BaseStats, type FieldSpec, type Segment } from './segment.js';
import { parseQuery, QueryError, type Clause, type QueryPlan } from './query.js';
import { WorkBudget, WorkExhausted } from './budget.js';
import { emptyFacets, FacetFilter, facetIndexOf, FACETS, type FacetCounts, type Filters } from './facets.js';
import { topIndices } from './top.js';

/** A past (or current) version, as history search sees it. */
export interface HistoryDoc {
  slug: string;
  version: number;
  title: string;
  summary: string;
  why: string;
  author: string;
  createdAt: string;
}

export const PAGE_FIELDS: FieldSpec<SearchDoc>[] = [
  { name: 'title', boost: 10, extract: (d) => d.title },
  { name: 'why', boost: 4, extract: (d) => d.why },
  { name: 'tags', boost: 3, extract: (d) => d.tags.join(' ') },
  { name: 'tickets', boost: 3, extract: (d) => d.tickets.map(normalizeId) },
  { name: 'records', boost: 3, extract: (d) => d.records.flatMap((r) => [normalizeId(r), ...r.split(/[\s-]+/)]) },
  { name: 'owners', boost: 2, extract: (d) => d.owners.join(' ') },
  { name: 'system', boost: 1, extract: (d) => d.system },
  { name: 'module', boost: 1, extract: (d) => d.module },
  { name: 'status', boost: 1, extract: (d) => d.status },
  { name: 'body', boost: 1, extract: (d) => d.body },
];
export const PAGE_FIELD_NAMES = PAGE_FIELDS.map((f) => f.name);

export const HISTORY_FIELDS: FieldSpec<HistoryDoc>[] = [
  { name: 'summary', boost: 3, extract: (d) => d.summary },
  { name: 'why', boost: 1, extract: (d) => d.why },
  { name: 'title', boost: 1, extract: (d) => d.title },
];
export const HISTORY_FIELD_NAMES = HISTORY_FIELDS.map((f) => f.name);

export { FACETS, type Facet, type Filters } from './facets.js';

export type { Viewer };

export interface SearchRequest {
  q: string;
  filters?: Filters;
  viewer: Viewer;
  offset?: number;
  limit?: number;
  history?: boolean;
}

export interface Snippet {
  field: string;
  text: string;
  /** [start, end) offsets of matched words within `text`. */
  highlights: [number, number][];
}

export interface PageHit {
  slug: string;
  title: string;
  titleHighlights: [number, number][];
  status: string;
  system: string;
  module: string;
  owners: string[];
  updatedAt: string;
  updatedBy: string;
  score: number;
  snippet: Snippet;
}

export interface HistoryHit {
  slug: string;
  version: number;
  title: string;
  author: string;
  createdAt: string;
  score: number;
  snippet: Snippet;
}

export interface Notice {
  kind: 'any-word' | 'fuzzy' | 'incomplete';
  /** For "fuzzy": the words searched for instead; for "incomplete": what was left out and why. */
  text: string;
}

export interface SearchResponse {
  total: number;
  hits: PageHit[] | HistoryHit[];
  facets: FacetCounts;
  notice: Notice | null;
  /** Words written as a field ("in:") that name no field, searched as text instead. */
  readAsText: string[];
}

export const PREFIX_EXPANSIONS = 50;
export const WILDCARD_EXPANSIONS = 200;
export const FUZZY_EXPANSIONS = 50;
/**
 * Steps of dictionary work (see WorkBudget) one query may take: about 250 ms of worker time on a
 * slow core. Ordinary queries on a 50,000-page wiki use a small fraction of it.
 */
export const QUERY_WORK_LIMIT = 4_000_000;
const PREFIX_WEIGHT = 0.5;
const SNIPPET_LENGTH = 220;

interface Resolved {
  clause: Clause;
  fields: number[];
  terms: { id: number; weight: number }[];
}

/** A segment as one viewer searches it: `hidden` marks documents that are superseded or that the viewer may not see (null: none). */
interface Searched<D> {
  seg: Segment<D>;
  hidden: Uint8Array | null;
}

interface Match<D> {
  seg: Segment<D>;
  doc: number;
  score: number;
  resolved: Resolved[];
  /** 1 / |query vector| per field. */
  invNorm: Float64Array;
}

/**
 * One segment's matches, in the order they were first found: document numbers and scores side by
 * side in typed arrays, so a word matching tens of thousands of pages makes no object per page.
 * Only the page of results shown is turned into Match objects.
 */
interface Run<D> {
  seg: Segment<D>;
  resolved: Resolved[];
  invNorm: Float64Array;
  docs: Uint32Array;
  scores: Float64Array;
}

function matchCount<D>(runs: readonly Run<D>[]): number {
  let n = 0;
  for (const r of runs) n += r.docs.length;
  return n;
}

/** The runs with only the documents `keep` accepts, in the same order. */
function keepOnly<D>(runs: readonly Run<D>[], keep: (seg: Segment<D>, doc: number) => boolean): Run<D>[] {
  return runs.map((r) => {
    const docs: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < r.docs.length; i++) {
      if (!keep(r.seg, r.docs[i]!)) continue;
      docs.push(r.docs[i]!);
      scores.push(r.scores[i]!);
    }
    return docs.length === r.docs.length ? r : { ...r, docs: Uint32Array.from(docs), scores: Float64Array.from(scores) };
  });
}

/**
 * All matches laid end to end, so the first page of results can be chosen by position: position i
 * is entry i - starts[r] of run r. Runs are few (the main segment and a handful of delta segments),
 * so finding a position's run is a short scan, and nothing is allocated per match.
 */
class Flat<D> {
  readonly length: number;
  private readonly starts: number[] = [];

  constructor(readonly runs: readonly Run<D>[]) {
    let n = 0;
    for (const r of runs) {
      this.starts.push(n);
      n += r.docs.length;
    }
    this.length = n;
  }

  /** The run holding position i and i's place in it (written to `this.place`, so no object is made). */
  private locate(i: number): Run<D> {
    let r = this.runs.length - 1;
    while (this.starts[r]! > i) r--;
    this.place = i - this.starts[r]!;
    return this.runs[r]!;
  }

  private place = 0;

  score(i: number): number {
    const r = this.locate(i);
    return r.scores[this.place]!;
  }

  seg(i: number): Segment<D> {
    return this.locate(i).seg;
  }

  doc(i: number): number {
    const r = this.locate(i);
    return r.docs[this.place]!;
  }

  match(i: number): Match<D> {
    const r = this.locate(i);
    const j = this.place;
    return { seg: r.seg, doc: r.docs[j]!, score: r.scores[j]!, resolved: r.resolved, invNorm: r.invNorm };
  }
}

function flatten<D>(runs: readonly Run<D>[]): Flat<D> {
  return new Flat(runs);
}

function matchAt<D>(flat: Flat<D>, i: number): Match<D> {
  return flat.match(i);
}

/**
 * Expands a clause's term against one segment's dictionary, every expansion bounded and charged to
 * the budget. Only terms found in a document the viewer may see count: words, identifiers and
 * spellings that exist only in hidden pages expand to nothing, so they cannot change what others get.
 */
function resolve<D>(s: Searched<D>, clause: Clause, fieldNames: string[], budget: WorkBudget): Resolved {
  const { seg, hidden } = s;
  const accept = hidden ? (id: number) => seg.hasPostingOutside(id, hidden) : () => true;
  const fields = (clause.fields ?? fieldNames).map((f) => seg.fieldIndex(f)).filter((i) => i >= 0);
  const terms: { id: number; weight: number }[] = [];
  const e = clause.expansion;
  const exact = seg.termIds.get(clause.term);
  if (e.kind === 'exact' || e.kind === 'typing') {
    if (exact !== undefined && accept(exact)) terms.push({ id: exact, weight: 1 });
  }
  if (e.kind === 'typing') {
    // The most frequent completions of what was typed so far, so a one-letter prefix cannot fan out.
    const ids = seg.prefix(e.prefix, 5000, budget, accept).filter((id) => id !== exact);
    ids.sort((a, b) => seg.dfs[b]! - seg.dfs[a]!);
    for (const id of ids.slice(0, PREFIX_EXPANSIONS)) terms.push({ id, weight: PREFIX_WEIGHT });
  } else if (e.kind === 'wildcard') {
    const trailingOnly = e.pattern.indexOf('*') === e.pattern.length - 1;
    const ids = trailingOnly ? seg.prefix(e.pattern.slice(0, -1), WILDCARD_EXPANSIONS, budget, accept) : seg.wildcard(e.pattern, WILDCARD_EXPANSIONS, budget, accept);
    for (const id of ids) terms.push({ id, weight: 1 });
  } else if (e.kind === 'fuzzy') {
    for (const id of seg.fuzzy(clause.term, e.distance, FUZZY_EXPANSIONS, budget, accept)) terms.push({ id, weight: 1 });
  }
  return { clause, fields, terms };
}

/**
 * Lunr divides each field's dot product by the query vector's magnitude: per field, the square root
 * of the summed squares of each expanded term's boost. Computed over the expansions of every
 * segment together, so a page scores the same in the main segment and in the delta.
 * Per field, each term's entry lists (clause, boost) pairs: a clause that expands to the term in
 * several segments counts once, and the sums are added in the order the terms were first met, so
 * the result is the same number to the last bit whatever the segments.
 */
function queryNorms<D>(fieldNames: string[], resolvedBySegment: { seg: Segment<D>; resolved: Resolved[] }[]): Float64Array {
  const perField = fieldNames.map(() => new Map<string, number[]>());
  for (const { seg, resolved } of resolvedBySegment) {
    const fieldAt = seg.fields.map((f) => fieldNames.indexOf(f));
    resolved.forEach((r, ci) => {
      if (r.clause.presence === 'prohibited') return;
      for (const f of r.fields) {
        const byTerm = perField[fieldAt[f]!]!;
        for (const t of r.terms) {
          const term = seg.terms[t.id]!;
          const v = r.clause.boost * t.weight;
          // [clause, boost, clause, boost, ...]
          const pairs = byTerm.get(term);
          if (!pairs) {
            byTerm.set(term, [ci, v]);
            continue;
          }
          let k = 0;
          while (k < pairs.length && pairs[k] !== ci) k += 2;
          if (k < pairs.length) pairs[k + 1] = v;
          else pairs.push(ci, v);
        }
      }
    });
  }
  const out = new Float64Array(fieldNames.length);
  perField.forEach((byTerm, f) => {
    let sum = 0;
    for (const pairs of byTerm.values()) {
      let v = 0;
      for (let k = 1; k < pairs.length; k += 2) v += pairs[k]!;
      sum += v * v;
    }
    out[f] = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  });
  return out;
}

/**
 * Scratch arrays per segment size, reused by every query (the worker answers one at a time) and
 * cleared after use only where a query wrote, so a query costs what it matches, not the wiki's size.
 */
const scratch = { size: 0, scores: new Float64Array(0), seen: new Uint8Array(0), required: new Uint8Array(0), stamp: new Int16Array(0), touched: new Uint32Array(0) };
function scratchFor(n: number): typeof scratch {
  if (scratch.size < n) {
    scratch.size = n;
    scratch.scores = new Float64Array(n);
    scratch.seen = new Uint8Array(n);
    scratch.required = new Uint8Array(n);
    scratch.stamp = new Int16Array(n).fill(-1);
    scratch.touched = new Uint32Array(n);
  }
  return scratch;
}

/**
 * Runs resolved clauses over one segment with Lunr's semantics: required clauses must each match a
 * document in some field, prohibited ones must not, optional ones only add to the score.
 */
function runSegment<D>(seg: Segment<D>, resolved: Resolved[], invNorm: Float64Array, hidden: Uint8Array | null): Run<D> {
  const n = seg.docCount;
  const run = (docs: Uint32Array, scores: Float64Array): Run<D> => ({ seg, resolved, invNorm, docs, scores });
  if (!n) return run(new Uint32Array(0), new Float64Array(0));
  const { scores, seen, required: matchedRequired, stamp, touched } = scratchFor(n);
  let count = 0;
  const requiredCount = resolved.filter((r) => r.clause.presence === 'required').length;
  let prohibited: Uint8Array | null = null;
  let positive = false;
  const { offsets, postDocs, postWeights } = seg;
  const nf = seg.fields.length;
  for (let ci = 0; ci < resolved.length; ci++) {
    const r = resolved[ci]!;
    const presence = r.clause.presence;
    const boost = r.clause.boost;
    if (presence === 'prohibited') {
      prohibited ??= new Uint8Array(n);
      for (const t of r.terms) for (const f of r.fields) for (let i = offsets[t.id * nf + f]!, end = offsets[t.id * nf + f + 1]!; i < end; i++) prohibited[postDocs[i]!] = 1;
      continue;
    }
    positive = true;
    const isRequired = presence === 'required';
    for (const t of r.terms) {
      for (const f of r.fields) {
        const q = boost * t.weight * invNorm[f]!;
        const slot = t.id * nf + f;
        for (let i = offsets[slot]!, end = offsets[slot + 1]!; i < end; i++) {
          const doc = postDocs[i]!;
          if (!seen[doc]) {
            seen[doc] = 1;
            touched[count++] = doc;
          }
          scores[doc]! += q * postWeights[i]!;
          if (isRequired && stamp[doc] !== ci) {
            stamp[doc] = ci;
            matchedRequired[doc]! += 1;
          }
        }
      }
    }
  }
  if (!positive) {
    // Only exclusions: every document that is not excluded matches, as in Lunr.
    const docs: number[] = [];
    for (let doc = 0; doc < n; doc++) if (!prohibited?.[doc] && !hidden?.[doc]) docs.push(doc);
    return run(Uint32Array.from(docs), new Float64Array(docs.length));
  }
  let kept = 0;
  const docs = new Uint32Array(count);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const doc = touched[i]!;
    const score = scores[doc]!;
    const ok = !prohibited?.[doc] && !hidden?.[doc] && (!requiredCount || matchedRequired[doc] === requiredCount);
    // Cleared for the next query.
    scores[doc] = 0;
    seen[doc] = 0;
    matchedRequired[doc] = 0;
    stamp[doc] = -1;
    if (!ok) continue;
    docs[kept] = doc;
    out[kept++] = score;
  }
  return run(docs.subarray(0, kept), out.subarray(0, kept));
}

/** Resolves the clauses on every segment, then runs them with one shared query normalization. */
function runAll<D>(segments: Searched<D>[], clauses: Clause[], fieldNames: string[], budget: WorkBudget): Run<D>[] {
  const prepared = segments.map((s) => ({ ...s, resolved: clauses.map((c) => resolve(s, c, fieldNames, budget)) }));
  const invNorm = queryNorms(fieldNames, prepared);
  return prepared.map((p) => runSegment(p.seg, p.resolved, invNorm, p.hidden));
}

/** Runs the query as written; a query that needs more work than its budget is refused with a reason. */
function runPrimary<D>(segments: Searched<D>[], clauses: Clause[], fieldNames: string[], budget: WorkBudget): Run<D>[] {
  try {
    return runAll(segments, clauses, fieldNames, budget);
  } catch (e) {
    if (e instanceof WorkExhausted) throw new QueryError('This search needs too much work to answer: give wildcards (*) more letters, or use fewer of them.');
    throw e;
  }
}

const INCOMPLETE: Notice = { kind: 'incomplete', text: 'Stopped before trying similar spellings: the search took too much work. Check the spelling, or use fewer or shorter words.' };

function weightOf<D>(seg: Segment<D>, termId: number, field: number, doc: number): number {
  const slot = termId * seg.fields.length + field;
  let lo = seg.offsets[slot]!;
  let hi = seg.offsets[slot + 1]!;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const d = seg.postDocs[mid]!;
    if (d === doc) return seg.postWeights[mid]!;
    if (d < doc) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

/** Each field's share of a document's score, to choose where its snippet comes from. */
function fieldScores<D>(m: Match<D>): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of m.resolved) {
    if (r.clause.presence === 'prohibited') continue;
    for (const f of r.fields) {
      let s = 0;
      for (const t of r.terms) s += r.clause.boost * t.weight * m.invNorm[f]! * weightOf(m.seg, t.id, f, m.doc);
      if (s > 0) out.set(m.seg.fields[f]!, (out.get(m.seg.fields[f]!) ?? 0) + s);
    }
  }
  return out;
}

function matchedTerms<D>(m: Match<D>, field: string): Set<string> {
  const set = new Set<string>();
  for (const r of m.resolved) {
    if (r.clause.presence === 'prohibited') continue;
    if (!r.fields.some((f) => m.seg.fields[f] === field)) continue;
    for (const t of r.terms) set.add(m.seg.terms[t.id]!);
  }
  return set;
}

/** Highlights of matched words in a short text (titles). */
export function highlightAll(text: string, terms: Set<string>): [number, number][] {
  const out: [number, number][] = [];
  for (const w of words(text)) {
    const t = termOf(w.word);
    if (t && terms.has(t)) out.push(trimmed(text, w.start, w.end));
  }
  return out;
}

function trimmed(text: string, start: number, end: number): [number, number] {
  while (start < end && /\W/.test(text[start]!)) start++;
  while (end > start && /\W/.test(text[end - 1]!)) end--;
  return [start, end];
}

/** A window of text around the first matched word, with every matched word in it marked. */
export function makeSnippet(field: string, text: string, terms: Set<string>, length = SNIPPET_LENGTH): Snippet {
  let first = -1;
  if (terms.size) {
    for (const w of words(text)) {
      const t = termOf(w.word);
      if (t && terms.has(t)) {
        first = w.start;
        break;
      }
    }
  }
  let start = first < 0 ? 0 : Math.max(0, first - Math.floor(length / 4));
  if (start > 0) {
    const space = text.indexOf(' ', start);
    if (space >= 0 && space < first) start = space + 1;
  }
  let end = Math.min(text.length, start + length);
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > Math.max(start, first)) end = space;
  }
  const prefix = start > 0 ? '… ' : '';
  const body = text.slice(start, end).replace(/\s+/g, ' ');
  const highlights: [number, number][] = [];
  if (terms.size) {
    // Offsets are measured in the collapsed text, so walk it rather than the original slice.
    for (const w of words(body)) {
      const t = termOf(w.word);
      if (t && terms.has(t)) {
        const [s, e] = trimmed(body, w.start, w.end);
        highlights.push([s + prefix.length, e + prefix.length]);
      }
    }
  }
  return { field, text: prefix + body + (end < text.length ? ' …' : ''), highlights };
}

function idSnippet(field: string, values: string[], terms: Set<string>): Snippet {
  const text = values.join(', ');
  const highlights: [number, number][] = [];
  let at = 0;
  for (const v of values) {
    if (terms.has(normalizeId(v))) highlights.push([at, at + v.length]);
    at += v.length + 2;
  }
  return { field, text, highlights };
}

export interface EngineOptions {
  /** Steps of dictionary work one query may take (see WorkBudget). */
  workLimit?: number;
}

/**
 * The whole searchable state: a main segment, a small delta for recent changes, and the same for
 * history. Who may see what is decided at query time from each page's current restriction (set by
 * setRestrictions from the store), never from what an indexed version said when it was written.
 */
export class SearchEngine {
  private pagesMain: Segment<SearchDoc> | null = null;
  private readonly pagesDelta = new DeltaSegments<SearchDoc>(PAGE_FIELDS);
  /** Pages changed since the main segment was built: their newest document, or null once archived. */
  private changed = new Map<string, SearchDoc | null>();
  private historyMain: Segment<HistoryDoc> | null = null;
  private readonly historyDelta = new DeltaSegments<HistoryDoc>(HISTORY_FIELDS);
  private historyAdded: HistoryDoc[] = [];
  private mainSlugs = new Map<string, number>();
  /** Documents of each page in the main history segment, to hide a page's whole history at once. */
  private historyMainSlugs = new Map<string, number[]>();
  /** Each restricted page's current teams; pages not listed are open. */
  private restrictions = new Map<string, readonly string[]>();
  private readonly workLimit: number;
  /**
   * The main segments' hidden marks per group of viewers (by their teams), made once rather than by
   * every search: marking a thousand restricted pages took longer than answering a common word.
   * Cleared whenever what is hidden can change (a new main segment, restrictions, changed pages).
   */
  private hiddenMarks = new Map<string, { pages: Uint8Array | null; history: Uint8Array | null }>();

  constructor(options: EngineOptions = {}) {
    this.workLimit = options.workLimit ?? QUERY_WORK_LIMIT;
  }

  /** Installs a freshly built or loaded main segment; delta entries it already covers are dropped. */
  setMain(pages: Segment<SearchDoc>, history: Segment<HistoryDoc>): void {
    this.hiddenMarks.clear();
    this.pagesMain = pages;
    // Built now rather than by the first search that counts facets.
    facetIndexOf(pages);
    this.historyMain = history;
    this.mainSlugs = new Map(pages.docs.map((d, i) => [d.slug, i]));
    this.historyMainSlugs = new Map();
    history.docs.forEach((d, i) => {
      const list = this.historyMainSlugs.get(d.slug);
      if (list) list.push(i);
      else this.historyMainSlugs.set(d.slug, [i]);
    });
    const covered = new Set(history.docs.map((d) => `${d.slug}@${d.version}`));
    for (const [slug, doc] of this.changed) {
      const inMain = this.mainSlugs.get(slug);
      const mainDoc = inMain === undefined ? undefined : pages.docs[inMain];
      if (doc === null ? inMain === undefined : mainDoc && mainDoc.version >= doc.version) this.changed.delete(slug);
    }
    this.historyAdded = this.historyAdded.filter((h) => !covered.has(`${h.slug}@${h.version}`));
    // Page documents the new main segment covers are no longer current: their segments are dropped once
    // empty, the rest keep answering (a delta of thousands, from an import, is not built again at once).
    this.pagesDelta.prune((d) => this.changed.get(d.slug) === d);
    // History documents carry no "current" mark to hide them by, and their segments are cheap (no bodies).
    this.historyDelta.reset(this.historyAdded);
  }

  /**
   * Every restricted page and its current teams, replacing what was known. A page whose restriction
   * changed is hidden or shown with all its versions from the next query on, whatever each version said.
   */
  setRestrictions(rows: Iterable<{ slug: string; teams: readonly string[] }>): void {
    const next = new Map<string, readonly string[]>();
    for (const r of rows) if (r.teams.length) next.set(r.slug, [...r.teams]);
    this.restrictions = next;
    this.hiddenMarks.clear();
  }

  /** Records changed pages (null: no longer searchable) and new versions; searchable as soon as this returns. */
  applyChanges(pages: { slug: string; doc: SearchDoc | null }[], versions: HistoryDoc[]): void {
    if (pages.length) this.hiddenMarks.clear();
    for (const p of pages) {
      this.changed.set(p.slug, p.doc);
      if (p.doc) this.pagesDelta.add(p.doc);
    }
    for (const v of versions) this.historyAdded.push(v);
    this.historyDelta.add(...versions);
  }

  /** What the delta holds, to be written down at shutdown and applied again at the next start. */
  deltaState(): { pages: { slug: string; doc: SearchDoc | null }[]; versions: HistoryDoc[] } {
    return { pages: [...this.changed].map(([slug, doc]) => ({ slug, doc })), versions: [...this.historyAdded] };
  }

  get ready(): boolean {
    return this.pagesMain !== null;
  }

  /** Whether the delta has grown enough to be worth a full rebuild: pages weigh on every page search, history much less. */
  deltaFull(maxPages: number): boolean {
    return this.changed.size > maxPages || this.historyAdded.length > maxPages * 10;
  }

  /** Page documents indexed into delta segments so far (merges count again): the delta's indexing work. */
  get deltaDocsIndexed(): number {
    return this.pagesDelta.indexed;
  }

  get deltaSize(): number {
    return this.changed.size + this.historyAdded.length;
  }

  get docCount(): number {
    let n = this.pagesMain?.docCount ?? 0;
    for (const [slug, doc] of this.changed) n += (doc ? 1 : 0) - (this.mainSlugs.has(slug) ? 1 : 0);
    return n;
  }

  mainSegments(): { pages: Segment<SearchDoc> | null; history: Segment<HistoryDoc> | null } {
    return { pages: this.pagesMain, history: this.historyMain };
  }

  /**
   * Indexes what applyChanges recorded into delta segments now. The worker calls it in each turn of
   * catching up, so a large backlog is indexed in the turns' bounded steps, not all at once by the next
   * search; a search indexes whatever is still left.
   */
  indexDelta(): void {
    this.freshPagesDelta();
    this.freshHistoryDelta();
  }

  /** Whether a delta merge is under way (see mergeStep). */
  get merging(): boolean {
    return this.pagesDelta.merging || this.historyDelta.merging;
  }

  /**
   * Advances the delta merges under way by up to `slice` documents each (all of them when not given):
   * the worker calls it between queued queries, so none waits for a whole merge. Queries meanwhile see
   * the segments being merged, every document once, until the merged one is swapped in.
   * Returns whether a merge is still under way.
   */
  mergeStep(slice = Infinity): boolean {
    const pagesBase = this.pagesMain ? stats(this.pagesMain) : undefined;
    const historyBase = this.historyMain ? stats(this.historyMain) : undefined;
    const pages = this.pagesDelta.mergeStep(slice, (b) => b.finish(pagesBase), (d) => this.changed.get(d.slug) === d);
    const history = this.historyDelta.mergeStep(slice, (b) => b.finish(historyBase), () => true);
    return pages || history;
  }

  private freshPagesDelta(): void {
    const base = this.pagesMain ? stats(this.pagesMain) : undefined;
    this.pagesDelta.fresh((docs) => buildSegment(docs, PAGE_FIELDS, base), (d) => this.changed.get(d.slug) === d);
  }

  private freshHistoryDelta(): void {
    const base = this.historyMain ? stats(this.historyMain) : undefined;
    this.historyDelta.fresh((docs) => buildSegment(docs, HISTORY_FIELDS, base), () => true);
  }

  /** Whether the viewer may see the page, by its current restriction. */
  private visible(slug: string, viewer: Viewer): boolean {
    return canSee(this.restrictions.get(slug), viewer);
  }

  /** Slugs of restricted pages this viewer may not see. */
  private hiddenSlugs(viewer: Viewer): string[] {
    if (viewer.admin) return [];
    const out: string[] = [];
    for (const [slug, teams] of this.restrictions) if (!canSee(teams, viewer)) out.push(slug);
    return out;
  }

  /** A small segment: every document is checked; `current` false hides a document a later one replaced. */
  private searchedSmall<D extends { slug: string }>(seg: Segment<D>, viewer: Viewer, current: (d: D) => boolean = () => true): Searched<D> {
    let hidden: Uint8Array | null = null;
    seg.docs.forEach((d, i) => {
      if (current(d) && this.visible(d.slug, viewer)) return;
      hidden ??= new Uint8Array(seg.docCount);
      hidden[i] = 1;
    });
    return { seg, hidden };
  }

  /** The hidden marks of the main segments for this viewer, made on first use (see hiddenMarks); never changed once made. */
  private marksFor(viewer: Viewer): { pages: Uint8Array | null; history: Uint8Array | null } {
    const key = viewer.admin ? 'admin' : JSON.stringify([...new Set(viewer.teams)].sort());
    let marks = this.hiddenMarks.get(key);
    if (marks) return marks;
    const hiddenSlugs = this.hiddenSlugs(viewer);
    let pages: Uint8Array | null = null;
    const main = this.pagesMain;
    if (main) {
      const mark = (slug: string) => {
        const doc = this.mainSlugs.get(slug);
        if (doc === undefined) return;
        pages ??= new Uint8Array(main.docCount);
        pages[doc] = 1;
      };
      for (const slug of this.changed.keys()) mark(slug);
      for (const slug of hiddenSlugs) mark(slug);
    }
    let history: Uint8Array | null = null;
    const historyMain = this.historyMain;
    if (historyMain) {
      for (const slug of hiddenSlugs) {
        for (const doc of this.historyMainSlugs.get(slug) ?? []) {
          history ??= new Uint8Array(historyMain.docCount);
          history[doc] = 1;
        }
      }
    }
    // Bounded: a wiki has few distinct team memberships, but nothing here relies on it.
    if (this.hiddenMarks.size >= 64) this.hiddenMarks.clear();
    marks = { pages, history };
    this.hiddenMarks.set(key, marks);
    return marks;
  }

  private pageSegments(viewer: Viewer): Searched<SearchDoc>[] {
    const out: Searched<SearchDoc>[] = [];
    const main = this.pagesMain;
    if (main) out.push({ seg: main, hidden: this.marksFor(viewer).pages });
    for (const seg of this.pagesDelta.segments) out.push(this.searchedSmall(seg, viewer, (d) => this.changed.get(d.slug) === d));
    return out;
  }

  private historySegments(viewer: Viewer): Searched<HistoryDoc>[] {
    const out: Searched<HistoryDoc>[] = [];
    const main = this.historyMain;
    if (main) out.push({ seg: main, hidden: this.marksFor(viewer).history });
    for (const seg of this.historyDelta.segments) out.push(this.searchedSmall(seg, viewer));
    return out;
  }

  /** Whether a term occurs in a document the viewer may search: identifiers in hidden pages are unknown. */
  private knows<D>(segments: Searched<D>[], term: string): boolean {
    return segments.some(({ seg, hidden }) => {
      const id = seg.termIds.get(term);
      return id !== undefined && seg.hasPostingOutside(id, hidden);
    });
  }

  search(req: SearchRequest): SearchResponse {
    const budget = new WorkBudget(this.workLimit);
    if (req.history) {
      this.freshHistoryDelta();
      return this.searchHistory(req, budget);
    }
    this.freshPagesDelta();
    return this.searchPages(req, budget);
  }

  private searchPages(req: SearchRequest, budget: WorkBudget): SearchResponse {
    const segments = this.pageSegments(req.viewer);
    const plan = parseQuery(req.q, PAGE_FIELD_NAMES, (t) => this.knows(segments, t));
    const filters = req.filters ?? {};
    const filter = new FacetFilter(filters);
    let notice: Notice | null = null;
    let matches: Run<SearchDoc>[];
    if (!plan.clauses.length) {
      // No words: browse by filters alone, newest first.
      const hasFilter = FACETS.some((f) => filters[f]);
      matches = hasFilter
        ? segments.map(({ seg, hidden }) => {
            const docs: number[] = [];
            for (let doc = 0; doc < seg.docCount; doc++) if (!hidden?.[doc]) docs.push(doc);
            return { seg, resolved: [] as Resolved[], invNorm: new Float64Array(0), docs: Uint32Array.from(docs), scores: new Float64Array(docs.length) };
          })
        : [];
    } else {
      matches = this.withPhrases(runPrimary(segments, plan.clauses, PAGE_FIELD_NAMES, budget), plan);
      const usable = (runs: Run<SearchDoc>[]) => runs.some((r) => r.docs.some((doc) => filter.passes(r.seg, doc)));
      if (!plan.advanced && !plan.phrases.length && !usable(matches)) {
        try {
          if (plan.clauses.length > 1) {
            const any = runAll(segments, plan.clauses.map((c) => ({ ...c, presence: 'optional' as const })), PAGE_FIELD_NAMES, budget);
            if (usable(any)) {
              matches = any;
              notice = { kind: 'any-word', text: plan.clauses.map((c) => c.word).join(' ') };
            }
          }
          if (!notice) {
            // Identifiers (anything with a digit) are never guessed at: a near-miss ticket number is a different ticket.
            const fuzzy = plan.clauses.filter((c) => !/[0-9]/.test(c.term) && c.term.length >= 3).map((c) => ({ ...c, expansion: { kind: 'fuzzy' as const, distance: c.term.length >= 6 ? 2 : 1 } }));
            let found = fuzzy.length ? runAll(segments, fuzzy, PAGE_FIELD_NAMES, budget) : [];
            if (!usable(found) && fuzzy.length > 1) found = runAll(segments, fuzzy.map((c) => ({ ...c, presence: 'optional' as const })), PAGE_FIELD_NAMES, budget);
            if (usable(found)) {
              matches = found;
              notice = { kind: 'fuzzy', text: this.correctedWords(keepOnly(found, (seg, doc) => filter.passes(seg, doc)), fuzzy) };
            }
          }
        } catch (e) {
          // The query as written was answered; only the guessing ran out of work.
          if (!(e instanceof WorkExhausted)) throw e;
          notice = INCOMPLETE;
        }
      }
    }
    const facets = filter.count(matches);
    const results = flatten(FACETS.some((f) => filters[f]) ? keepOnly(matches, (seg, doc) => filter.passes(seg, doc)) : matches);
    // A page whose whole title is what was typed (a pasted title) comes first, however common its words.
    const exact = plan.advanced ? null : exactTitleMatches(req.q);
    const titled = new Map<Segment<SearchDoc>, number[]>();
    if (exact) for (const { seg } of segments) for (const doc of titlesOf(seg).get(exact) ?? []) titled.set(seg, [...(titled.get(seg) ?? []), doc]);
    const docOf = (i: number) => results.seg(i).docs[results.doc(i)]!;
    const bySearch = (a: number, b: number) => results.score(b) - results.score(a) || cmpDesc(docOf(a).updatedAt, docOf(b).updatedAt);
    const first = (i: number) => (titled.get(results.seg(i))?.includes(results.doc(i)) ? 1 : 0);
    const order = titled.size ? (a: number, b: number) => first(b) - first(a) || bySearch(a, b) : bySearch;
    const offset = req.offset ?? 0;
    const limit = req.limit ?? 20;
    // Only the page asked for is put in order: a common word matches tens of thousands of pages.
    const hits = topIndices(results.length, offset + limit, order).slice(offset).map((i) => toPageHit(matchAt(results, i)));
    return { total: results.length, hits, facets, notice, readAsText: plan.readAsText };
  }

  /** Keeps the matches whose text holds every quoted phrase, word for word in order. */
  private withPhrases(matches: Run<SearchDoc>[], plan: QueryPlan): Run<SearchDoc>[] {
    if (!plan.phrases.length) return matches;
    // Word edges as look-arounds rather than an alternation, so the regular expression starts with the
    // phrase's first word and the engine can skip ahead to it instead of trying every position.
    const patterns = plan.phrases.map((p) => new RegExp(`(?<![\\p{L}\\p{N}])${p.map(escapeRegExp).join('[^\\p{L}\\p{N}]+')}(?![\\p{L}\\p{N}])`, 'iu'));
    return keepOnly(matches, (seg, doc) => {
      const d = seg.docs[doc]!;
      return patterns.every((re) => re.test(d.title) || re.test(d.why) || re.test(d.body));
    });
  }

  /** The words a fuzzy search actually found, spelled as they appear in the best page the viewer is shown. */
  private correctedWords(found: Run<SearchDoc>[], clauses: Clause[]): string {
    // The first of the best scores, as a stable sort would put it.
    const flat = flatten(found);
    let top = 0;
    for (let i = 1; i < flat.length; i++) if (flat.score(i) > flat.score(top)) top = i;
    const best = matchAt(flat, top);
    const doc = best.seg.docs[best.doc]!;
    const text = `${doc.title}\n${doc.why}\n${doc.body.slice(0, 200_000)}`;
    return clauses
      .map((c, i) => {
        const r = best.resolved[i]!;
        const candidates = new Set(r.terms.map((t) => best.seg.terms[t.id]!));
        for (const w of words(text)) {
          const t = termOf(w.word);
          if (candidates.has(t)) return w.word.toLowerCase().replace(/^\W+|\W+$/g, '');
        }
        return c.word;
      })
      .join(' ');
  }

  private searchHistory(req: SearchRequest, budget: WorkBudget): SearchResponse {
    const segments = this.historySegments(req.viewer);
    const plan = parseQuery(req.q, HISTORY_FIELD_NAMES, (t) => this.knows(segments, t));
    let matches = plan.clauses.length ? runPrimary(segments, plan.clauses, HISTORY_FIELD_NAMES, budget) : [];
    let notice: Notice | null = null;
    if (!matchCount(matches) && !plan.advanced && plan.clauses.length > 1) {
      try {
        matches = runAll(segments, plan.clauses.map((c) => ({ ...c, presence: 'optional' as const })), HISTORY_FIELD_NAMES, budget);
        if (matchCount(matches)) notice = { kind: 'any-word', text: plan.clauses.map((c) => c.word).join(' ') };
      } catch (e) {
        if (!(e instanceof WorkExhausted)) throw e;
        notice = INCOMPLETE;
      }
    }
    const results = flatten(matches);
    const offset = req.offset ?? 0;
    const limit = req.limit ?? 20;
    // Only the page asked for is put in order, as for pages.
    const createdAt = (i: number) => results.seg(i).docs[results.doc(i)]!.createdAt;
    const order = (a: number, b: number) => results.score(b) - results.score(a) || cmpDesc(createdAt(a), createdAt(b));
    const hits: HistoryHit[] = topIndices(results.length, offset + limit, order).slice(offset).map((i) => {
      const m = matchAt(results, i);
      const d = m.seg.docs[m.doc]!;
      const scores = fieldScores(m);
      const field = (scores.get('why') ?? 0) > (scores.get('summary') ?? 0) ? 'why' : 'summary';
      return {
        slug: d.slug,
        version: d.version,
        title: d.title,
        author: d.author,
        createdAt: d.createdAt,
        score: round(m.score),
        snippet: makeSnippet(field, field === 'why' ? d.why : d.summary, matchedTerms(m, field)),
      };
    });
    return { total: results.length, hits, facets: emptyFacets(), notice, readAsText: plan.readAsText };
  }
}

function toPageHit(m: Match<SearchDoc>): PageHit {
  const d = m.seg.docs[m.doc]!;
  const scores = fieldScores(m);
  let field = 'why';
  let best = 0;
  for (const [f, s] of scores) if (f !== 'title' && s > best) [field, best] = [f, s];
  let snippet: Snippet;
  if (field === 'tickets' || field === 'records') snippet = idSnippet(field, field === 'tickets' ? d.tickets : d.records, matchedTerms(m, field));
  else if (field === 'owners' || field === 'tags') {
    const text = (field === 'owners' ? d.owners : d.tags).join(', ');
    snippet = { field, text, highlights: highlightAll(text, matchedTerms(m, field)) };
  } else if (field === 'system' || field === 'module' || field === 'status') snippet = makeSnippet('why', d.why, matchedTerms(m, 'why')); else snippet = makeSnippet(field, field === 'body' ? d.body : d.why, matchedTerms(m, field));
  return {
    slug: d.slug,
    title: d.title,
    titleHighlights: highlightAll(d.title, matchedTerms(m, 'title')),
    status: d.status,
    system: d.system,
    module: d.module,
    owners: d.ownerHandles,
    updatedAt: d.updatedAt,
    updatedBy: d.updatedBy,
    score: round(m.score),
    snippet,
  };
}

/** Two delta segments are merged only while the result stays this small: a merge holds up the queries behind it. */
const DELTA_MERGE_MAX = 1000;

/** A merge under way: the two neighbouring segments it replaces (still answering) and the builder taking their documents. */
interface Merge<D> {
  before: Segment<D>;
  last: Segment<D>;
  docs: D[];
  next: number;
  builder: SegmentBuilder<D>;
}

/**
 * The documents added since the main segment was built, in a few segments: each search builds only what
 * arrived since the one before into a new segment, and a segment at least half the size of the one before
 * it is merged into that one (up to DELTA_MERGE_MAX documents). A document is thus indexed a few times,
 * not once per search, however large an import being picked up grows the delta.
 * A merge is built a slice at a time (mergeStep), so a query waits for one slice at most, not for the
 * whole merge; until it is swapped in, the two segments it replaces keep answering.
 */
class DeltaSegments<D> {
  private built: Segment<D>[] = [];
  private pending: D[] = [];
  private merge: Merge<D> | null = null;
  /** Documents put into segments so far, merges included. */
  indexed = 0;

  constructor(private readonly spec: FieldSpec<D>[]) {}

  get segments(): readonly Segment<D>[] {
    return this.built;
  }

  get merging(): boolean {
    return this.merge !== null;
  }

  add(...docs: D[]): void {
    for (const d of docs) this.pending.push(d);
  }

  /** Drops segments with no current document left. */
  prune(current: (d: D) => boolean): void {
    this.built = this.built.filter((seg) => seg.docs.some(current));
    // The merge's documents were taken before the new main segment: started again from what is left.
    this.merge = null;
  }

  /** Starts over with these documents (after a new main segment). */
  reset(docs: D[]): void {
    this.built = [];
    this.pending = [...docs];
    this.merge = null;
  }

  /** Builds what arrived into a segment and plans a merge; `current` false: a document a later one replaced, left out. */
  fresh(build: (docs: D[]) => Segment<D>, current: (d: D) => boolean): void {
    if (this.pending.length) {
      const docs = this.pending.filter(current);
      this.pending = [];
      if (docs.length) this.built.push(build(docs));
      this.indexed += docs.length;
    }
    this.plan(current);
  }

  /** Starts the next merge the size rule asks for, if none is under way; segments left with nothing current are dropped. */
  private plan(current: (d: D) => boolean): void {
    for (let last = this.built.at(-1), before = this.built.at(-2); !this.merge && last && before && last.docCount * 2 >= before.docCount; last = this.built.at(-1), before = this.built.at(-2)) {
      const docs = [...before.docs, ...last.docs].filter(current);
      if (docs.length > DELTA_MERGE_MAX) break;
      if (!docs.length) {
        this.built.splice(-2, 2);
        continue;
      }
      this.merge = { before, last, docs, next: 0, builder: new SegmentBuilder(this.spec) };
    }
  }

  /**
   * Indexes up to `slice` more documents of the merge under way (Infinity: every merge due, at once);
   * once all are in, swaps the merged segment in for the two it replaces and plans the next.
   * Returns whether a merge is still under way.
   */
  mergeStep(slice: number, finish: (builder: SegmentBuilder<D>) => Segment<D>, current: (d: D) => boolean): boolean {
    if (slice !== Infinity) return this.mergeSlice(slice, finish, current);
    // All at once: each merge leaves one segment fewer, so this ends within as many merges as there are segments.
    for (let left = this.built.length; left >= 0 && this.mergeSlice(slice, finish, current); left--);
    return this.merge !== null;
  }

  private mergeSlice(slice: number, finish: (builder: SegmentBuilder<D>) => Segment<D>, current: (d: D) => boolean): boolean {
    const m = this.merge;
    if (!m) return false;
    const end = Math.min(m.docs.length, m.next + Math.max(1, slice));
    // Bounded by the merge's document count (at most DELTA_MERGE_MAX).
    for (; m.next < end; m.next++) m.builder.add(m.docs[m.next]!);
    if (m.next < m.docs.length) return true;
    this.merge = null;
    const at = this.built.indexOf(m.before);
    // New segments are only ever appended, so the two merged ones are still neighbours.
    if (at >= 0 && this.built[at + 1] === m.last) {
      this.built.splice(at, 2, finish(m.builder));
      this.indexed += m.docs.length;
    }
    this.plan(current);
    return this.merge !== null;
  }
}

function stats<D>(seg: Segment<D>): BaseStats {
  return { docCount: seg.docCount, avgFieldLength: seg.avgFieldLength, df: (t) => seg.df(t) };
}

/** A title as compared with a query typed or pasted whole: lowercase, words only, single spaces. */
function titleKey(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** The query as a title key, when it is long enough to name one page rather than a topic. */
function exactTitleMatches(q: string): string | null {
  const key = titleKey(q);
  return key.length >= 3 ? key : null;
}

/** Each segment's documents by title key, made once per segment (segments never change once built). */
const titleIndex = new WeakMap<Segment<SearchDoc>, Map<string, number[]>>();
function titlesOf(seg: Segment<SearchDoc>): Map<string, number[]> {
  let map = titleIndex.get(seg);
  if (!map) {
    map = new Map();
    seg.docs.forEach((d, i) => {
      const key = titleKey(d.title);
      const list = map!.get(key);
      if (list) list.push(i);
      else map!.set(key, [i]);
    });
    titleIndex.set(seg, map);
  }
  return map;
}

function cmpDesc(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
