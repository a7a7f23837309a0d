import lunr from 'lunr';
import { normalizeId } from './document.js';
import { MAX_TERM_LENGTH, queryTermOf } from './analyzer.js';
import { parseLunrQuery, PRESENCE, type ParsedClause } from './lunr-internals.js';

export type Presence = 'optional' | 'required' | 'prohibited';

/** How a clause's term is matched against the dictionary. */
export type Expansion =
  | { kind: 'exact' }
  /** The word as typed so far: its stemmed form exactly, or any term starting with what was typed. */
  | { kind: 'typing'; prefix: string }
  | { kind: 'wildcard'; pattern: string }
  | { kind: 'fuzzy'; distance: number };

export interface Clause {
  /** The word as the person wrote it (for messages and "showing results for"). */
  word: string;
  /** The term looked up: stemmed unless it is a wildcard pattern. */
  term: string;
  fields: string[] | null;
  boost: number;
  presence: Presence;
  expansion: Expansion;
}

export interface QueryPlan {
  clauses: Clause[];
  /** Quoted phrases: their words are required clauses, and the words must also appear in this order. */
  phrases: string[][];
  /** Lunr's own syntax was used, so the query runs exactly as written. */
  advanced: boolean;
  /** Words written before a ":" that name no field ("Check in: Unit 4"): searched as text instead. */
  readAsText: string[];
}

/** A query that cannot be run as written; the message says how to fix it. */
export class QueryError extends Error {}

export const MAX_QUERY_LENGTH = 200;
export const MAX_CLAUSES = 12;
export const MAX_EDIT_DISTANCE = 2;
/** Literal characters a wildcard term needs besides its `*`s, so that no pattern enumerates the whole dictionary. */
export const MIN_WILDCARD_LETTERS = 2;

const ADVANCED = /(^|\s)[+-]\S|[~^*:]/;
/** An identifier written with a space, dash or underscore inside: "BPA 1234567", "chg-0012345". */
const SPLIT_ID = /\b([A-Za-z]{2,10})[\s_-]+(\d{3,})\b/g;

/**
 * Joins identifiers written with inner spaces or dashes into the single term the index holds, but
 * only where the index knows that term, so "windows 2019" stays two words.
 */
export function joinIdentifiers(q: string, known: (term: string) => boolean): string {
  return q.replace(SPLIT_ID, (whole, letters: string, digits: string) => {
    const id = normalizeId(letters + digits);
    return known(id) ? id : whole;
  });
}

/**
 * Reads what a person typed. Plain words must all match, the last word counts as a prefix while
 * typing, and "quoted phrases" must appear in order; anything using Lunr's syntax (field:term, +, -,
 * ~, ^, *) goes through Lunr's own query parser.
 */
export function parseQuery(raw: string, fields: string[], known: (term: string) => boolean): QueryPlan {
  if (raw.length > MAX_QUERY_LENGTH) throw new QueryError(`Search text is limited to ${MAX_QUERY_LENGTH} characters.`);
  const { text: q, readAsText } = unknownFieldsAsText(joinIdentifiers(raw.trim(), known), fields);
  if (!q.trim()) return { clauses: [], phrases: [], advanced: false, readAsText };
  const withoutPhrases = q.replace(/"[^"]*"?/g, ' ');
  const plan = { ...(ADVANCED.test(withoutPhrases) ? parseAdvanced(q, fields) : parsePlain(q, raw)), readAsText };
  if (plan.clauses.length > MAX_CLAUSES) throw new QueryError(`Use at most ${MAX_CLAUSES} words in one search.`);
  const long = plan.clauses.find((c) => c.term.length > MAX_TERM_LENGTH);
  if (long) throw new QueryError(`Words and identifiers are limited to ${MAX_TERM_LENGTH} characters ("${long.word.slice(0, 24)}…" has ${long.term.length}); nothing longer is indexed.`);
  return plan;
}

/** A word and the ":" after it, outside quotes; Lunr's lexer takes what follows the last space or dash as the field. */
const FIELD_PREFIX = /"[^"]*"?|([^\s\-:"]*):/g;

/**
 * Pasted titles and times carry colons ("Check in: Unit 4 - Layouts", "07:30") that Lunr would read as
 * field names and refuse. A name that is no field is text: its colon becomes a space and the caller is
 * told which words were read so. Field names are matched without regard to case ("Title:sepsis").
 */
function unknownFieldsAsText(q: string, fields: string[]): { text: string; readAsText: string[] } {
  const readAsText: string[] = [];
  const text = q.replace(FIELD_PREFIX, (whole, name: string | undefined) => {
    if (name === undefined) return whole; // a quoted phrase
    const field = fields.find((f) => f === name.toLowerCase());
    if (field) return `${field}:`;
    if (name && !readAsText.includes(name)) readAsText.push(name);
    return `${name} `;
  });
  return { text, readAsText };
}

function parsePlain(q: string, raw: string): Omit<QueryPlan, 'readAsText'> {
  const clauses: Clause[] = [];
  const phrases: string[][] = [];
  const typing = !/[\s"]$/.test(raw);
  const parts: { text: string; phrase: boolean }[] = [];
  q.replace(/"([^"]*)"?|([^"]+)/g, (_m, phrase: string | undefined, plain: string | undefined) => {
    if (phrase !== undefined) parts.push({ text: phrase, phrase: true });
    else if (plain) parts.push({ text: plain, phrase: false });
    return '';
  });
  parts.forEach((part, partIndex) => {
    const words = part.text.split(/[\s-]+/).filter((w) => queryTermOf(w) !== '');
    if (part.phrase && words.length > 1) phrases.push(words);
    words.forEach((word, i) => {
      const term = queryTermOf(word);
      const last = !part.phrase && typing && partIndex === parts.length - 1 && i === words.length - 1;
      const isStop = lunr.stopWordFilter(new lunr.Token(term, {})) === undefined;
      if (isStop && !last) return; // stop words are not indexed, so requiring them would match nothing
      const prefix = word.toLowerCase().replace(/^\W+/, '').replace(/\W+$/, '');
      clauses.push({
        word,
        term,
        fields: null,
        boost: 1,
        presence: 'required',
        expansion: last && prefix.length >= MIN_WILDCARD_LETTERS ? { kind: 'typing', prefix } : { kind: 'exact' },
      });
    });
  });
  return { clauses, phrases, advanced: false };
}

function parseAdvanced(q: string, fields: string[]): Omit<QueryPlan, 'readAsText'> {
  const query = new lunr.Query(fields);
  try {
    parseLunrQuery(q.replace(/"/g, ' '), query);
  } catch (err) {
    if (err instanceof lunr.QueryParseError) throw new QueryError(explainParseError(err.message, fields));
    throw err;
  }
  const clauses = (query.clauses as ParsedClause[]).map((c): Clause => {
    const word = c.term;
    const presence: Presence = c.presence === PRESENCE.REQUIRED ? 'required' : c.presence === PRESENCE.PROHIBITED ? 'prohibited' : 'optional';
    const clauseFields = c.fields && c.fields.length < fields.length ? c.fields : null;
    const boost = c.boost ?? 1;
    if (c.term.includes('*')) {
      const letters = c.term.replace(/\*/g, '').length;
      if (letters < MIN_WILDCARD_LETTERS) throw new QueryError(`"${c.term}" is too broad: a wildcard needs at least ${MIN_WILDCARD_LETTERS} letters besides *.`);
      return { word, term: c.term, fields: clauseFields, boost, presence, expansion: { kind: 'wildcard', pattern: c.term } };
    }
    if (c.editDistance) {
      if (c.editDistance > MAX_EDIT_DISTANCE) throw new QueryError(`"${c.term}~${c.editDistance}" allows too many edits: use at most ~${MAX_EDIT_DISTANCE}.`);
      return { word, term: c.term, fields: clauseFields, boost, presence, expansion: { kind: 'fuzzy', distance: c.editDistance } };
    }
    return { word, term: c.usePipeline === false ? c.term : queryTermOf(c.term), fields: clauseFields, boost, presence, expansion: { kind: 'exact' } };
  });
  return { clauses: clauses.filter((c) => c.term !== ''), phrases: [], advanced: true };
}

function explainParseError(message: string, fields: string[]): string {
  if (/unrecognised field/.test(message)) {
    const name = /'([^']*)'/.exec(message)?.[1] ?? '';
    if (!name) return `A ":" needs a field name before it, for example title:sepsis. Fields: ${fields.join(', ')}.`;
    return `"${name}" is not a field you can search in. Fields: ${fields.join(', ')}.`;
  }
  if (/found EDIT_DISTANCE/.test(message)) return 'Put ~ right after a word, for example sepsis~1.';
  if (/found BOOST/.test(message)) return 'Put ^ right after a word and a number after it, for example title:sepsis^10.';
  if (/expecting term or field, found 'nothing'/.test(message) || /expecting term, found nothing/.test(message)) {
    return 'The search ends with an operator (+, -, :) but no word after it.';
  }
  if (/edit distance must be numeric/.test(message)) return 'After ~ put a number of edits, for example sepsis~1.';
  if (/boost must be numeric/.test(message)) return 'After ^ put a number, for example title:sepsis^10.';
  return `This search could not be read (${message}). Plain words work best; put phrases in "quotes".`;
}
