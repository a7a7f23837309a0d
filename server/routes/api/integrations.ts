import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { integrationView, INTEGRATION_EVENTS } from '../../integrations/manage.js';
import { connectIntegration } from '../../integrations/commands/connect-integration.js';
import { removeIntegration } from '../../integrations/commands/remove-integration.js';
import { pagesCiting } from '../../integrations/lookups.js';
import { DELIVERY_LOG_KEEP } from '../../integrations/derive.js';
import { NotFoundError } from '../../core/errors.js';
import { commandContext } from '../command-context.js';
import { ErrorReply } from './schemas.js';
import { keysetAnswer, LIST_DEFAULT, LIST_MAX, ListAfter, listAnswer, ListLimit, ListPaging, unknownAfter } from './list-paging.js';

/** Deliveries per answer of a delivery log when no limit is given, and the most one answer holds. */
const DELIVERIES_DEFAULT = 100;
const DELIVERIES_MAX = 1000;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([Type.Null(), t]);
const Kind = Type.Union([Type.Literal('webhook'), Type.Literal('slack'), Type.Literal('teams')]);

export const IntegrationReply = Type.Object(
  {
    id: Type.Integer(),
    kind: Kind,
    label: Type.String(),
    url: Type.String({ description: "The receiver's address without its query; for Slack and Teams only the host, since their URL is the channel's key." }),
    events: Type.Array(Type.String()),
    team: Nullable(Type.String()),
    system: Nullable(Type.String()),
    created_at: Type.String(),
    created_by: Type.String(),
    removed_at: Nullable(Type.String()),
  },
  { title: 'Integration' },
);
const CreatedReply = Type.Composite([IntegrationReply, Type.Object({ secret: Nullable(Type.String({ description: 'The HMAC key, shown this once; null for Slack and Teams.' })) })]);
const DeliveryReply = Type.Object({
  delivery: Type.String({ description: 'The X-Whywiki-Delivery id, the same on every retry.' }),
  event: Type.String(),
  slug: Nullable(Type.String()),
  state: Type.Union(['pending', 'delivered', 'failed', 'withheld'].map((s) => Type.Literal(s))),
  attempts: Type.Integer(),
  last_status: Nullable(Type.Integer({ description: "The receiver's HTTP status at the last attempt." })),
  last_error: Nullable(Type.String()),
  next_attempt_at: Nullable(Type.String()),
  created_at: Type.String(),
  delivered_at: Nullable(Type.String()),
});
const CitingReply = (key: 'ticket' | 'record') =>
  Type.Object({
    [key]: Type.String(),
    pages: Type.Array(Type.Object({ slug: Type.String(), title: Type.String(), system: Type.String(), status: Type.String(), url: Type.String(), version: Type.Integer() })),
  });

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
// Fastify answers 414 for a path parameter over 100 characters before this is checked.
const LookupParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

/** Webhooks and chat channels (admins), and the ITSM lookups: which pages cite a ticket or build record. */
export async function integrationApiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const admin = { access: 'admin' as const };

  // Read whole and cut in memory: an installation connects tens of integrations, not thousands.
  r.get(
    '/api/webhooks',
    {
      config: admin,
      schema: {
        summary: 'Connected webhooks and Teams/Slack channels',
        description: `At most \`limit\` (default ${LIST_DEFAULT}, at most ${LIST_MAX}) per answer; \`after\` is an integration id. While more remain, \`next\` (and a \`Link: <…>; rel="next"\` header) is the address of the rest.`,
        querystring: Type.Object({ limit: ListLimit(LIST_DEFAULT, LIST_MAX), after: ListAfter }),
        response: { 200: Type.Object({ ...ListPaging, webhooks: Type.Array(IntegrationReply) }) },
      },
    },
    async (request, reply) => {
      const limit = request.query.limit ?? LIST_DEFAULT;
      const all = app.store.integrations.active().map(integrationView);
      const answer = listAnswer(reply, all, (w) => String(w.id), { limit, after: request.query.after }, (after) => `/api/webhooks?${new URLSearchParams({ limit: String(limit), after }).toString()}`);
      return { total: answer.total, limit: answer.limit, ...(answer.next ? { next: answer.next } : {}), webhooks: answer.items };
    },
  );

  r.post(
    '/api/webhooks',
    {
      config: admin,
      schema: {
        summary: 'Connect a webhook, or a Teams Workflows or Slack incoming-webhook URL',
        description:
          `Events: ${INTEGRATION_EVENTS.join(', ')}. A webhook receives each as JSON with X-Whywiki-Event, X-Whywiki-Delivery (stable across retries) and ` +
          'X-Whywiki-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>. Leave out the secret to have one made; it is answered this once. ' +
          'A `team` scope is the only way events about pages restricted to that team are sent; `system` limits it to one system\'s pages.',
        body: Type.Object(
          {
            url: Type.String({ maxLength: 2048 }),
            events: Type.Optional(Type.Array(Type.String({ maxLength: 60 }), { maxItems: 20 })),
            secret: Type.Optional(Type.String({ maxLength: 256 })),
            kind: Type.Optional(Kind),
            label: Type.Optional(Type.String({ maxLength: 200 })),
            team: Type.Optional(Type.String({ maxLength: 80 })),
            system: Type.Optional(Type.String({ maxLength: 80 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: CreatedReply, 400: ErrorReply, 422: ErrorReply },
      },
    },
    async (request, reply) => {
      const { integration, secret } = connectIntegration(commandContext(app, request), request.body);
      reply.status(201).header('Location', `/api/webhooks/${integration.id}`);
      return { ...integration, secret };
    },
  );

  r.delete('/api/webhooks/:id', { config: admin, schema: { summary: 'Disconnect a webhook or channel', params: IdParams, response: { 200: IntegrationReply, 404: ErrorReply } } }, async (request) =>
    removeIntegration(commandContext(app, request), { id: request.params.id }),
  );

  r.get(
    '/api/webhooks/:id/deliveries',
    {
      config: admin,
      schema: {
        summary: 'Its deliveries, newest first, with the status code of each last attempt',
        description:
          `At most \`limit\` (default ${DELIVERIES_DEFAULT}, at most ${DELIVERIES_MAX}) per answer; while more remain, \`next\` (and a \`Link: <…>; rel="next"\` header) is the address of the older ones. ` +
          `The log keeps the newest ${DELIVERY_LOG_KEEP} deliveries of each integration (and every one still pending); older ones are pruned as new ones are written.`,
        params: IdParams,
        querystring: Type.Object({
          limit: ListLimit(DELIVERIES_DEFAULT, DELIVERIES_MAX),
          after: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Continue after this delivery id (as `next` does).' })),
        }),
        response: { 200: Type.Object({ webhook: IntegrationReply, ...ListPaging, deliveries: Type.Array(DeliveryReply) }), 400: ErrorReply, 404: ErrorReply },
      },
    },
    async (request, reply) => {
      const row = app.store.integrations.get(request.params.id);
      if (!row) throw new NotFoundError(`There is no integration ${request.params.id}.`);
      const limit = request.query.limit ?? DELIVERIES_DEFAULT;
      let before: number | undefined;
      if (request.query.after !== undefined) {
        const cursor = app.store.integrations.byDeliveryId(request.query.after);
        if (!cursor || cursor.integration_id !== row.id) throw unknownAfter();
        before = cursor.id;
      }
      const rows = app.store.integrations.deliveryLog(row.id, limit + 1, before);
      const answer = keysetAnswer(reply, rows, app.store.integrations.deliveryCount(row.id), limit, (d) => d.delivery_id, (after) => `/api/webhooks/${row.id}/deliveries?${new URLSearchParams({ limit: String(limit), after }).toString()}`);
      return {
        webhook: integrationView(row),
        total: answer.total,
        limit: answer.limit,
        ...(answer.next ? { next: answer.next } : {}),
        deliveries: answer.items.map((d) => ({
          delivery: d.delivery_id, event: d.event, slug: d.slug, state: d.state, attempts: d.attempts, last_status: d.last_status, last_error: d.last_error,
          next_attempt_at: d.state === 'pending' ? d.next_attempt_at : null, created_at: d.created_at, delivered_at: d.delivered_at,
        })),
      };
    },
  );

  for (const [path, field, key] of [['tickets', 'tickets', 'ticket'], ['records', 'records', 'record']] as const) {
    r.get(
      `/api/${path}/:id`,
      {
        config: { access: 'read' },
        schema: {
          summary: `Pages that cite this ${key === 'ticket' ? 'change or incident ticket' : 'build record'}`,
          description: 'The ID is matched as search matches it: case, spaces, dashes and underscores do not matter. Answers an empty list when no page (that the caller may see) cites it.',
          params: LookupParams,
          response: { 200: CitingReply(key) },
        },
      },
      async (request) => ({
        // Tickets are stored as the form normalizes them (upper case, no spaces or dashes); records as written.
        [key]: key === 'ticket' ? request.params.id.replace(/[\s-]+/g, '').toUpperCase() : request.params.id.trim(),
        pages: pagesCiting(app.store, field, request.params.id, request.hidden, app.config.publicUrl),
      }),
    );
  }
}
