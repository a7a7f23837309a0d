import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { ValidationError } from '../../core/errors.js';

/** `limit` of an API list: how many items per answer, `dflt` when left out. */
export const ListLimit = (dflt: number, max: number) =>
  Type.Optional(Type.Integer({ minimum: 1, maximum: max, description: `How many items per answer; ${dflt} when left out, at most ${max}.` }));

/** The house default and most per answer of an API list. */
export const LIST_DEFAULT = 100;
export const LIST_MAX = 1000;

/** `after` of an API list whose items are named by a string (a slug, a handle): continue after that one, as `next` does. */
export const ListAfter = Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Continue after this item (as `next` does).' }));

/** What a paged API list adds to its answer: the whole count, the limit in effect and, while more remain, `next`. */
export const ListPaging = {
  total: Type.Integer({ description: 'Items this reader may see, in all answers together.' }),
  limit: Type.Integer({ description: 'Items per answer.' }),
  next: Type.Optional(Type.String({ description: 'The address of the following answer; absent on the last.' })),
};

/**
 * One answer of a list already in its order, hidden items already left out: the `limit` items after the one
 * whose key is `after`, and the address of the rest while more remain (also sent as a `Link: rel="next"` header,
 * as GET /api/pages does). An `after` that names no item of the list gets a 400 rather than a silent restart.
 */
export function listAnswer<T>(
  reply: FastifyReply,
  items: T[],
  key: (item: T) => string,
  query: { limit: number; after?: string | undefined },
  nextHref: (after: string) => string,
): { total: number; limit: number; next?: string; items: T[] } {
  let start = 0;
  if (query.after !== undefined) {
    const at = items.findIndex((i) => key(i) === query.after);
    if (at < 0) throw new ValidationError([{ field: 'after', message: `after names nothing in this list; start again without it.` }]);
    start = at + 1;
  }
  const shown = items.slice(start, start + query.limit);
  const next = start + query.limit < items.length ? nextHref(key(shown[shown.length - 1]!)) : undefined;
  if (next) reply.header('Link', `<${next}>; rel="next"`);
  return { total: items.length, limit: query.limit, ...(next ? { next } : {}), items: shown };
}

/**
 * One answer of a list the store reads a page at a time (keyset): `rows` holds the items after the cursor in
 * order, read with `LIMIT limit + 1` so the extra one only tells that more remain. `total` counts the whole list.
 */
export function keysetAnswer<T>(
  reply: FastifyReply,
  rows: T[],
  total: number,
  limit: number,
  key: (item: T) => string,
  nextHref: (after: string) => string,
): { total: number; limit: number; next?: string; items: T[] } {
  const items = rows.slice(0, limit);
  const next = rows.length > limit ? nextHref(key(items[items.length - 1]!)) : undefined;
  if (next) reply.header('Link', `<${next}>; rel="next"`);
  return { total, limit, ...(next ? { next } : {}), items };
}

/** The error for an `after` that names no item of the list (or one this reader may not see): start again without it. */
export function unknownAfter(): ValidationError {
  return new ValidationError([{ field: 'after', message: 'after names nothing in this list; start again without it.' }]);
}
