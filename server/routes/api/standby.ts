import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { readFeed } from '../../standby/feed.js';
import { ErrorReply } from './schemas.js';

const Open = { additionalProperties: true } as const;
const Rows = Type.Record(Type.String(), Type.Array(Type.Object({}, Open)), { description: 'Rows by table name; blobs as {"base64": "..."}.' });

const FeedReply = Type.Object(
  {
    cursor: Type.String({ description: 'Send as `after` on the next pull.' }),
    more: Type.Boolean({ description: 'True while rows remain after this batch: pull again at once.' }),
    headAuditId: Type.Integer({ description: "The primary's last audit event id when this batch was read." }),
    append: Rows,
    pageIds: Type.Array(Type.Integer(), { description: 'Pages whose own rows (head, owners, links, earlier slugs) this batch replaces.' }),
    page: Rows,
    mirror: Type.Union([Rows, Type.Null()], { description: 'Whole small tables (accounts, people, teams), sent when the audit log moved.' }),
    changes: Type.Optional(
      Type.Object(
        {
          purges: Type.Array(Type.Object({}, Open), { description: 'Applied purges recorded by purge.applied events of this batch.' }),
          purgedEvents: Type.Array(Type.Object({}, Open), { description: 'Audit events those purges rewrote.' }),
          contents: Type.Array(
            Type.Object({ page_id: Type.Integer(), version: Type.Integer(), front_matter: Type.String(), body: Type.String(), summary: Type.String() }),
            { description: 'Purged content of versions the standby already holds, sent with their last purge.' },
          ),
          details: Type.Array(Type.Object({ id: Type.Integer(), details: Type.String() }), { description: 'Rewritten details of events the standby already holds.' }),
          comments: Type.Array(Type.Object({}, Open), { description: 'Comments as they stand, sent with the last event about them.' }),
          vouchers: Type.Optional(Type.Array(Type.Object({}, Open), { description: 'Later purge events that already rewrote rows of this batch.' })),
        },
        { description: 'Rows changed in place by the audit events of this batch; the standby checks each against them.' },
      ),
    ),
  },
  { title: 'Feed batch' },
);

const StandbyReply = Type.Object(
  {
    standby: Type.Boolean({ description: 'True while this server is a read-only standby.' }),
    primary: Type.Union([Type.String(), Type.Null()]),
    following: Type.Boolean(),
    reached_head_at: Type.Union([Type.String(), Type.Null()], { description: 'When a pull last reached the primary\'s newest change.' }),
    behind_seconds: Type.Union([Type.Integer(), Type.Null()], { description: 'Seconds since then.' }),
    last_error: Type.Union([Type.String(), Type.Null()]),
    stopped: Type.Union([Type.String(), Type.Null()], { description: 'Why the standby stopped applying (a hash that does not verify).' }),
  },
  { title: 'Standby status' },
);

/** The primary's append-only history for standbys, and a standby's own state. */
export async function standbyApiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/feed',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Read the wiki's history after a cursor (for a standby)",
        description: 'Versions, audit events, reviews, files and accounts after `after`, in one consistent snapshot. Admin API token only: a standby reads everything, restricted pages and password hashes included.',
        tags: ['standby'],
        querystring: Type.Object({ after: Type.Optional(Type.String({ maxLength: 2000 })) }),
        response: { 200: FeedReply, 400: ErrorReply, 403: ErrorReply },
      },
    },
    async (request) => readFeed(app.store, request.query.after),
  );

  r.get(
    '/api/standby',
    {
      config: { access: 'read' },
      schema: {
        summary: 'Whether this server is a standby, and how far behind its primary',
        tags: ['standby'],
        response: { 200: StandbyReply },
      },
    },
    async () => {
      const primary = app.store.followedPrimary() ?? null;
      const s = app.follower?.status();
      return {
        standby: primary !== null,
        primary,
        following: s?.following ?? false,
        reached_head_at: s?.reachedHeadAt ?? null,
        behind_seconds: s?.behindSeconds ?? null,
        last_error: s?.lastError ?? null,
        stopped: s?.stopped ?? null,
      };
    },
  );
}
