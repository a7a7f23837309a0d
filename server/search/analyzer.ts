import lunr from 'lunr';
import { ID_FIELDS } from './document.js';

/**
 * The longest term the index holds or a query may ask for, identifiers included: longer ones are
 * encoded data rather than words, and every expansion of a query word costs in proportion to its length.
 */
export const MAX_TERM_LENGTH = 64;

/**
 * Drops tokens that only add weight to the index: commit hashes, very long strings (encoded data,
 * URLs glued together) and long bare numbers. Identifier fields (tickets, records) are kept whole up
 * to MAX_TERM_LENGTH.
 */
export function noiseFilter(token: lunr.Token): lunr.Token | undefined {
  const fields = (token as unknown as { metadata: { fields?: string[] } }).metadata.fields;
  const s = token.toString();
  if (s.length > MAX_TERM_LENGTH) return undefined;
  if (fields && fields.length === 1 && ID_FIELDS.has(fields[0]!)) return token;
  if (s.length > 40) return undefined;
  if (s.length >= 7 && /^[0-9a-f]+$/.test(s) && /[0-9]/.test(s) && /[a-f]/.test(s)) return undefined;
  if (s.length > 10 && /^[0-9]+$/.test(s)) return undefined;
  return token;
}
lunr.Pipeline.registerFunction(noiseFilter as unknown as lunr.PipelineFunction, 'whywikiNoise');

/** The indexing pipeline: Lunr's trimmer, English stop words and Porter stemmer, plus the noise filter. */
export function newBuilder(): lunr.Builder {
  const builder = new lunr.Builder();
  builder.pipeline.add(lunr.trimmer, lunr.stopWordFilter, noiseFilter as unknown as lunr.PipelineFunction, lunr.stemmer);
  builder.searchPipeline.add(lunr.stemmer);
  return builder;
}

const stemCache = new Map<string, string>();

/** A word as the index holds it: lowercase, trimmed of punctuation, stemmed. Empty for stop words. */
export function termOf(word: string): string {
  const lower = word.toLowerCase();
  let term = stemCache.get(lower);
  if (term !== undefined) return term;
  const trimmed = lower.replace(/^\W+/, '').replace(/\W+$/, '');
  if (!trimmed || lunr.stopWordFilter(new lunr.Token(trimmed, {})) === undefined) term = '';
  else term = lunr.stemmer(new lunr.Token(trimmed, {})).toString();
  if (stemCache.size > 50_000) stemCache.clear();
  stemCache.set(lower, term);
  return term;
}

/** A query word as Lunr's search pipeline sees it (stemmed, stop words kept so "or" can still be searched for in titles). */
export function queryTermOf(word: string): string {
  const trimmed = word.toLowerCase().replace(/^\W+/, '').replace(/\W+$/, '');
  return trimmed ? lunr.stemmer(new lunr.Token(trimmed, {})).toString() : '';
}

/** Words of a text with their offsets, split the way Lunr's tokenizer splits (white space and dashes). */
export function* words(text: string, from = 0, to = text.length): Generator<{ word: string; start: number; end: number }> {
  const re = /[^\s-]+/g;
  re.lastIndex = from;
  for (let m = re.exec(text); m && m.index < to; m = re.exec(text)) {
    yield { word: m[0], start: m.index, end: m.index + m[0].length };
  }
}
