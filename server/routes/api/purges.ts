import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Slug } from '../../pages/schema.js';
import { approvePurge, purgeView, requestPurge, PURGE_REASON_MAX, PURGE_TEXT_MAX } from '../../purge/commands.js';
import { confirmPassword, PasswordNotConfirmed } from '../../auth/confirm-password.js';
import { commandContext } from '../command-context.js';
import { ErrorReply, PurgeReply } from './schemas.js';
import { keysetAnswer, ListLimit, ListPaging, unknownAfter } from './list-paging.js';

/** Purges per answer of GET /api/purges when no limit is given, and the most one answer holds. */
const PURGES_DEFAULT = 100;
const PURGES_MAX = 1000;

/** After a purge the removed text must leave every derived copy the server keeps: rendered pages and the search index. */
export async function forgetPurgedText(app: FastifyInstance): Promise<void> {
  app.pageHtml.invalidate();
  app.renderer.pagesChanged();
  try {
    // A full rebuild: the delta only reads versions written since it last looked, and a purge writes none.
    await app.searchIndex.rebuild();
  } catch (err) {
    app.log.error({ err }, 'rebuilding the search index after a purge failed; run `whywiki reindex`');
  }
}

/** Confirms the approving admin's password; a 429 carries when to try again. */
export async function confirmOrRefuse(app: FastifyInstance, request: Parameters<typeof confirmPassword>[1], reply: { header: (k: string, v: string) => unknown }, password: string): Promise<void> {
  try {
    await confirmPassword(app, request, password);
  } catch (e) {
    if (e instanceof PasswordNotConfirmed && e.retryAfterSeconds) reply.header('Retry-After', String(e.retryAfterSeconds));
    throw e;
  }
}

/** Purging patient text from a version: one admin requests, a second approves with their password. */
export async function purgeApiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/api/pages/:slug/versions/:n/purge',
    {
      config: { access: 'admin' },
      schema: {
        params: Type.Object({ slug: Slug, n: Type.Integer({ minimum: 1 }) }),
        body: Type.Object(
          {
            reason: Type.String({ maxLength: PURGE_REASON_MAX * 2, description: 'Why the text must go; shown on the page and kept in the record. Must not itself hold patient information.' }),
            text: Type.Optional(Type.String({ maxLength: PURGE_TEXT_MAX * 2, description: 'The exact text to remove from that version, wherever it occurs (body, change summary, front matter fields). Kept only until the purge is applied. Give either text or file.' })),
            file: Type.Optional(Type.String({ maxLength: 128, description: 'The sha256 of a file that version shows: its bytes, thumbnail and extracted text are removed (from every page that shows it); its digest stays. Give either text or file.' })),
          },
          { additionalProperties: false },
        ),
        response: { 202: PurgeReply },
      },
    },
    async (request, reply) => {
      const purge = requestPurge(commandContext(app, request), { ...request.body, slug: request.params.slug, version: request.params.n });
      return reply.status(202).send(purge);
    },
  );

  r.post(
    '/api/purges/:id/approve',
    {
      config: { access: 'admin' },
      schema: {
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        body: Type.Object({ password: Type.String({ maxLength: 1024, description: 'Your own password: approving takes re-authentication.' }) }, { additionalProperties: false }),
        response: { 200: PurgeReply },
      },
    },
    async (request, reply) => {
      await confirmOrRefuse(app, request, reply, request.body.password);
      const { purge } = approvePurge(commandContext(app, request), { id: request.params.id });
      await forgetPurgedText(app);
      return purge;
    },
  );

  r.get(
    '/api/purges',
    {
      config: { access: 'admin' },
      schema: {
        description: `Purges, requested and applied, newest first, at most \`limit\` (default ${PURGES_DEFAULT}, at most ${PURGES_MAX}) per answer. While more remain, \`next\` (and a \`Link: <…>; rel="next"\` header) is the address of the older ones.`,
        querystring: Type.Object({
          limit: ListLimit(PURGES_DEFAULT, PURGES_MAX),
          after: Type.Optional(Type.Integer({ minimum: 1, description: 'Continue with the purges older than this one (as `next` does).' })),
        }),
        response: { 200: Type.Object({ ...ListPaging, purges: Type.Array(PurgeReply) }), 400: ErrorReply },
      },
    },
    async (request, reply) => {
      const limit = request.query.limit ?? PURGES_DEFAULT;
      const after = request.query.after;
      if (after !== undefined && !app.store.purges.listed(after)) throw unknownAfter();
      const rows = app.store.purges.listBefore(limit + 1, after);
      const answer = keysetAnswer(reply, rows.map(purgeView), app.store.purges.count(), limit, (p) => String(p.id), (last) => `/api/purges?${new URLSearchParams({ limit: String(limit), after: last }).toString()}`);
      return { total: answer.total, limit: answer.limit, ...(answer.next ? { next: answer.next } : {}), purges: answer.items };
    },
  );
}
