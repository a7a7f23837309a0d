import lunr from 'lunr';

/**
 * Parts of Lunr 2.3 that its published type definitions leave out: the query parser, clause
 * presence and the builder's statistics step.
 */
interface LunrInternals {
  QueryParser: new (str: string, query: lunr.Query) => { parse(): void };
}

const internals = lunr as unknown as LunrInternals;

/** Parses Lunr query syntax into `query.clauses`; throws lunr.QueryParseError. */
export function parseLunrQuery(str: string, query: lunr.Query): void {
  new internals.QueryParser(str, query).parse();
}

export type ParsedClause = lunr.Query.Clause & { presence?: number };

export const PRESENCE = { OPTIONAL: 1, REQUIRED: 2, PROHIBITED: 3 } as const;

export function calculateAverageFieldLengths(builder: lunr.Builder): void {
  (builder as unknown as { calculateAverageFieldLengths(): void }).calculateAverageFieldLengths();
}

/** `lunr.tokenizer` with the metadata argument its types leave out (the noise filter reads `fields`). */
export function tokenize(value: string | string[], metadata: { fields: string[] }): lunr.Token[] {
  return (lunr.tokenizer as unknown as (obj: unknown, metadata: object) => lunr.Token[])(value, metadata);
}
