import { normalizeId, type SearchDoc } from './document.js';
import { canSee, type Viewer } from '../auth/visibility.js';
import { termOf, words } from './analyzer.js';
import { buildSegment, type BaseStats, type FieldSpec, type Segment } from './segment.js';
import { parseQuery, QueryError, type Clause, type QueryPlan } from './query.js';
import { WorkBudget, WorkExhausted } from './budget.js';
import { emptyFacets, FacetFilter, facetIndexOf, FACETS, type FacetCounts, type Filters } from './facets.js';
import { topK } from './top.js';

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
 */
function queryNorms<D>(fieldNames: string[], resolvedBySegment: { seg: Segment<D>; resolved: Resolved[] }[]): Float64Array {
  const perClauseTerm = new Map<string, number>();
  for (const { seg, resolved } of resolvedBySegment) {
    resolved.forEach((r, ci) => {
      if (r.clause.presence === 'prohibited') return;
      for (const f of r.fields) for (const t of r.terms) perClauseTerm.set(`${seg.fields[f]}\u0000${ci}\u0000${seg.terms[t.id]}`, r.clause.boost * t.weight);
    });
  }
  const perTerm = new Map<string, number>();
  for (const [key, v] of perClauseTerm) {
    const [field, , term] = key.split('\u0000');
    const k = `${field}\u0000${term}`;
    perTerm.set(k, (perTerm.get(k) ?? 0) + v);
  }
  const sums = new Float64Array(fieldNames.length);
  for (const [k, v] of perTerm) sums[fieldNames.indexOf(k.split('\u0000')[0]!)]! += v * v;
  return sums.map((x) => (x > 0 ? 1 / Math.sqrt(x) : 0));
}

/**
 * Runs resolved clauses over one segment with Lunr's semantics: required clauses must each match a
 * document in some field, prohibited ones must not, optional ones only add to the score.
 */
function runSegment<D>(seg: Segment<D>, resolved: Resolved[], invNorm: Float64Array, hidden: Uint8Array | null): Match<D>[] {
  const n = seg.docCount;
  if (!n) return [];
  const scores = new Float64Array(n);
  const seen = new Uint8Array(n);
  const touched: number[] = [];
  const requiredCount = resolved.filter((r) => r.clause.presence === 'required').length;
  const matchedRequired = requiredCount ? new Uint8Array(n) : null;
  const stamp = requiredCount ? new Int16Array(n).fill(-1) : null;
  let prohibited: Uint8Array | null = null;
  let positive = false;
  resolved.forEach((r, ci) => {
    const presence = r.clause.presence;
    if (presence === 'prohibited') prohibited ??= new Uint8Array(n);
    else positive = true;
    const boost = r.clause.boost;
    for (const t of r.terms) {
      for (const f of r.fields) {
        const q = boost * t.weight * invNorm[f]!;
        seg.forEachPosting(t.id, f, (doc, w) => {
          if (presence === 'prohibited') {
            prohibited![doc] = 1;
            return;
          }
          if (!seen[doc]) {
            seen[doc] = 1;
            touched.push(doc);
          }
          scores[doc]! += q * w;
          if (presence === 'required' && stamp![doc] !== ci) {
            stamp![doc] = ci;
            matchedRequired![doc]! += 1;
          }
        });
      }
    }
  });
  const out: Match<D>[] = [];
  if (!positive) {
    // Only exclusions: every document that is not excluded matches, as in Lunr.
    for (let doc = 0; doc < n; doc++) if (!prohibited?.[doc] && !hidden?.[doc]) out.push({ seg, doc, score: 0, resolved, invNorm });
    return out;
  }
  for (const doc of touched) {
    if (prohibited?.[doc] || hidden?.[doc]) continue;
    if (matchedRequired && matchedRequired[doc] !== requiredCount) continue;
    out.push({ seg, doc, score: scores[doc]!, resolved, invNorm });
  }
  return out;
}

/** Resolves the clauses on every segment, then runs them with one shared query normalization. */
function runAll<D>(segments: Searched<D>[], clauses: Clause[], fieldNames: string[], budget: WorkBudget): Match<D>[] {
  const prepared = segments.map((s) => ({ ...s, resolved: clauses.map((c) => resolve(s, c, fieldNames, budget)) }));
  const invNorm = queryNorms(fieldNames, prepared);
  return prepared.flatMap((p) => runSegment(p.seg, p.resolved, invNorm, p.hidden));
}

/** Runs the query as written; a query that needs more work than its budget is refused with a reason. */
function runPrimary<D>(segments: Searched<D>[], clauses: Clause[], fieldNames: string[], budget: WorkBudget): Match<D>[] {
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
  private readonly pagesDelta = new DeltaSegments<SearchDoc>();
  /** Pages changed since the main segment was built: their newest document, or null once archived. */
  private changed = new Map<string, SearchDoc | null>();
  private historyMain: Segment<HistoryDoc> | null = null;
  private readonly historyDelta = new DeltaSegments<HistoryDoc>();
  private historyAdded: HistoryDoc[] = [];
  private mainSlugs = new Map<string, number>();
  /** Documents of each page in the main history segment, to hide a page's whole history at once. */
  private historyMainSlugs = new Map<string, number[]>();
  /** Each restricted page's current teams; pages not listed are open. */
  private restrictions = new Map<string, readonly string[]>();
  private readonly workLimit: number;

  constructor(options: EngineOptions = {}) {
    this.workLimit = options.workLimit ?? QUERY_WORK_LIMIT;
  }

  /** Installs a freshly built or loaded main segment; delta entries it already covers are dropped. */
  setMain(pages: Segment<SearchDoc>, history: Segment<HistoryDoc>): void {
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
  }

  /** Records changed pages (null: no longer searchable) and new versions; searchable as soon as this returns. */
  applyChanges(pages: { slug: string; doc: SearchDoc | null }[], versions: HistoryDoc[]): void {
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

  private pageSegments(viewer: Viewer): Searched<SearchDoc>[] {
    const out: Searched<SearchDoc>[] = [];
    const main = this.pagesMain;
    if (main) {
      let hidden: Uint8Array | null = null;
      const mark = (slug: string) => {
        const doc = this.mainSlugs.get(slug);
        if (doc === undefined) return;
        hidden ??= new Uint8Array(main.docCount);
        hidden[doc] = 1;
      };
      for (const slug of this.changed.keys()) mark(slug);
      for (const slug of this.hiddenSlugs(viewer)) mark(slug);
      out.push({ seg: main, hidden });
    }
    for (const seg of this.pagesDelta.segments) out.push(this.searchedSmall(seg, viewer, (d) => this.changed.get(d.slug) === d));
    return out;
  }

  private historySegments(viewer: Viewer): Searched<HistoryDoc>[] {
    const out: Searched<HistoryDoc>[] = [];
    const main = this.historyMain;
    if (main) {
      let hidden: Uint8Array | null = null;
      for (const slug of this.hiddenSlugs(viewer)) {
        for (const doc of this.historyMainSlugs.get(slug) ?? []) {
          hidden ??= new Uint8Array(main.docCount);
          hidden[doc] = 1;
        }
      }
      out.push({ seg: main, hidden });
    }
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
    let matches: Match<SearchDoc>[];
    if (!plan.clauses.length) {
      // No words: browse by filters alone, newest first.
      const hasFilter = FACETS.some((f) => filters[f]);
      matches = hasFilter ? segments.flatMap(({ seg, hidden }) => seg.docs.map((_, doc) => ({ seg, doc, score: 0, resolved: [] as Resolved[], invNorm: new Float64Array(0) })).filter((m) => !hidden?.[m.doc])) : [];
    } else {
      matches = this.withPhrases(runPrimary(segments, plan.clauses, PAGE_FIELD_NAMES, budget), plan);
      const usable = (ms: Match<SearchDoc>[]) => ms.some((m) => filter.passes(m.seg, m.doc));
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
              notice = { kind: 'fuzzy', text: this.correctedWords(found.filter((m) => filter.passes(m.seg, m.doc)), fuzzy) };
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
    const results = matches.filter((m) => filter.passes(m.seg, m.doc));
    // A page whose whole title is what was typed (a pasted title) comes first, however common its words.
    const exact = plan.advanced ? null : exactTitleMatches(req.q);
    const titled = new Map<Segment<SearchDoc>, number[]>();
    if (exact) for (const { seg } of segments) for (const doc of titlesOf(seg).get(exact) ?? []) titled.set(seg, [...(titled.get(seg) ?? []), doc]);
    const bySearch = (a: Match<SearchDoc>, b: Match<SearchDoc>) => b.score - a.score || cmpDesc(a.seg.docs[a.doc]!.updatedAt, b.seg.docs[b.doc]!.updatedAt);
    const first = (m: Match<SearchDoc>) => (titled.get(m.seg)?.includes(m.doc) ? 1 : 0);
    const order = titled.size ? (a: Match<SearchDoc>, b: Match<SearchDoc>) => first(b) - first(a) || bySearch(a, b) : bySearch;
    const offset = req.offset ?? 0;
    const limit = req.limit ?? 20;
    // Only the page asked for is put in order: a common word matches tens of thousands of pages.
    const hits = topK(results, offset + limit, order).slice(offset).map((m) => toPageHit(m));
    return { total: results.length, hits, facets, notice, readAsText: plan.readAsText };
  }

  /** Keeps the matches whose text holds every quoted phrase, word for word in order. */
  private withPhrases(matches: Match<SearchDoc>[], plan: QueryPlan): Match<SearchDoc>[] {
    if (!plan.phrases.length) return matches;
    const patterns = plan.phrases.map((p) => new RegExp(`(^|[^\\p{L}\\p{N}])${p.map(escapeRegExp).join('[^\\p{L}\\p{N}]+')}($|[^\\p{L}\\p{N}])`, 'iu'));
    return matches.filter((m) => {
      const d = m.seg.docs[m.doc]!;
      return patterns.every((re) => re.test(d.title) || re.test(d.why) || re.test(d.body));
    });
  }

  /** The words a fuzzy search actually found, spelled as they appear in the best page the viewer is shown. */
  private correctedWords(found: Match<SearchDoc>[], clauses: Clause[]): string {
    const best = [...found].sort((a, b) => b.score - a.score)[0]!;
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
    if (!matches.length && !plan.advanced && plan.clauses.length > 1) {
      try {
        matches = runAll(segments, plan.clauses.map((c) => ({ ...c, presence: 'optional' as const })), HISTORY_FIELD_NAMES, budget);
        if (matches.length) notice = { kind: 'any-word', text: plan.clauses.map((c) => c.word).join(' ') };
      } catch (e) {
        if (!(e instanceof WorkExhausted)) throw e;
        notice = INCOMPLETE;
      }
    }
    const results = [...matches].sort((a, b) => b.score - a.score || cmpDesc(a.seg.docs[a.doc]!.createdAt, b.seg.docs[b.doc]!.createdAt));
    const offset = req.offset ?? 0;
    const limit = req.limit ?? 20;
    const hits: HistoryHit[] = results.slice(offset, offset + limit).map((m) => {
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

/**
 * The documents added since the main segment was built, in a few segments: each search builds only what
 * arrived since the one before into a new segment, and a segment at least half the size of the one before
 * it is merged into that one (up to DELTA_MERGE_MAX documents). A document is thus indexed a few times,
 * not once per search, however large an import being picked up grows the delta.
 */
class DeltaSegments<D> {
  private built: Segment<D>[] = [];
  private pending: D[] = [];
  /** Documents put into segments so far, merges included. */
  indexed = 0;

  get segments(): readonly Segment<D>[] {
    return this.built;
  }

  add(...docs: D[]): void {
    for (const d of docs) this.pending.push(d);
  }

  /** Drops segments with no current document left. */
  prune(current: (d: D) => boolean): void {
    this.built = this.built.filter((seg) => seg.docs.some(current));
  }

  /** Starts over with these documents (after a new main segment). */
  reset(docs: D[]): void {
    this.built = [];
    this.pending = [...docs];
  }

  /** Builds what arrived into a segment and merges; `current` false: a document a later one replaced, left out. */
  fresh(build: (docs: D[]) => Segment<D>, current: (d: D) => boolean): void {
    if (!this.pending.length) return;
    const docs = this.pending.filter(current);
    this.pending = [];
    if (docs.length) this.built.push(build(docs));
    this.indexed += docs.length;
    for (let last = this.built.at(-1), before = this.built.at(-2); last && before && last.docCount * 2 >= before.docCount; last = this.built.at(-1), before = this.built.at(-2)) {
      const merged = [...before.docs, ...last.docs].filter(current);
      if (merged.length > DELTA_MERGE_MAX) break;
      this.built.splice(-2, 2, ...(merged.length ? [build(merged)] : []));
      this.indexed += merged.length;
    }
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
