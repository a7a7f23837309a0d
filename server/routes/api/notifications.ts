import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Slug } from '../../pages/schema.js';
import { NOTIFICATION_KINDS } from '../../notify/derive.js';
import { inboxContext } from '../command-context.js';
import { inboxAfter, inboxKey, preferencesOf, unreadCount, watchesOf } from '../../notify/inbox.js';
import { markRead } from '../../notify/commands/mark-read.js';
import { setPreferences } from '../../notify/commands/set-preferences.js';
import { unwatch } from '../../notify/commands/unwatch.js';
import { watch } from '../../notify/commands/watch.js';
import type { WatchRow } from '../../store/notifications.js';
import { ErrorReply } from './schemas.js';
import { keysetAnswer, LIST_DEFAULT, LIST_MAX, ListAfter, listAnswer, ListLimit, ListPaging, unknownAfter } from './list-paging.js';

/** Notifications per answer of GET /api/notifications when no limit is given, and the most one answer holds. */
const NOTIFICATIONS_DEFAULT = 100;
const NOTIFICATIONS_MAX = 1000;

const SlugParams = Type.Object({ slug: Slug });
const Kind = Type.Union(NOTIFICATION_KINDS.map((k) => Type.Literal(k)));
const Delivery = Type.Union([Type.Literal('immediate'), Type.Literal('digest'), Type.Literal('off')]);
/** Writes that need no body accept an empty object and nothing else. */
const NoBody = Type.Optional(Type.Object({}, { additionalProperties: false }));

const NotificationReply = Type.Object({
  id: Type.Integer(),
  kind: Kind,
  label: Type.String({ description: 'The kind in words.' }),
  title: Type.String({ description: 'What it is about: usually the page title.' }),
  text: Type.String({ description: 'What happened, with the change summary for a changed page.' }),
  link: Type.String({ description: 'Where to look, relative to the wiki: the diff for a changed page.' }),
  slug: Type.Union([Type.String(), Type.Null()]),
  actor: Type.Union([Type.String(), Type.Null()], { description: 'Who caused it; null for review reminders.' }),
  created_at: Type.String({ format: 'date-time' }),
  read: Type.Boolean(),
});
const Preferences = Type.Object(Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, Delivery])), { additionalProperties: false });
const PreferencesReply = Type.Object({
  preferences: Type.Object(Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, Delivery]))),
  mail: Type.Boolean({ description: 'Whether this wiki sends mail at all (WHYWIKI_SMTP_URL is set).' }),
});
const WatchReply = Type.Object({
  id: Type.Integer(),
  kind: Type.Union([Type.Literal('page'), Type.Literal('system'), Type.Literal('owner')]),
  target: Type.String({ description: 'A page slug; a system or "System/Module"; a person or team handle.' }),
  created_at: Type.String({ format: 'date-time' }),
});
const watchJson = (w: WatchRow) => ({ id: w.id, kind: w.kind, target: w.target, created_at: w.created_at });

/** The signed-in person's inbox, preferences and watches, as JSON. */
export async function notificationApiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/notifications',
    {
      config: { access: 'read' },
      schema: {
        description:
          `The signed-in person's inbox: unread first, then newest first, at most \`limit\` (default ${NOTIFICATIONS_DEFAULT}, at most ${NOTIFICATIONS_MAX}) per answer, and how many are unread. ` +
          'While more remain, `next` (and a `Link: <…>; rel="next"` header) is the address of the rest. Notifications about pages they may no longer see are left out.',
        querystring: Type.Object({
          limit: ListLimit(NOTIFICATIONS_DEFAULT, NOTIFICATIONS_MAX),
          after: Type.Optional(Type.String({ pattern: '^[ur][1-9][0-9]{0,15}$', description: 'Continue after this notification (as `next` does): u or r, then its id.' })),
        }),
        response: { 200: Type.Object({ unread: Type.Integer(), ...ListPaging, notifications: Type.Array(NotificationReply) }), 400: ErrorReply },
      },
    },
    async (request, reply) => {
      const limit = request.query.limit ?? NOTIFICATIONS_DEFAULT;
      const a = request.query.after;
      const box = inboxAfter(app.store, request.user!.id, request.hidden, limit, a === undefined ? undefined : { read: a.startsWith('r'), id: Number(a.slice(1)) });
      if (!box.cursorKnown) throw unknownAfter();
      const answer = keysetAnswer(reply, box.notifications, box.total, limit, inboxKey, (after) => `/api/notifications?${new URLSearchParams({ limit: String(limit), after }).toString()}`);
      return { unread: box.unread, total: answer.total, limit: answer.limit, ...(answer.next ? { next: answer.next } : {}), notifications: answer.items };
    },
  );

  r.post(
    '/api/notifications/read',
    {
      config: { access: 'read' },
      schema: {
        description: 'Marks notifications read: `{"ids": [12, 13]}` marks those (ids that are not yours are ignored), `{"all": true}` marks every one.',
        body: Type.Union([
          Type.Object({ ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 500 }) }, { additionalProperties: false }),
          Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
        ]),
        response: { 200: Type.Object({ marked: Type.Integer({ description: 'How many were unread and are read now.' }), unread: Type.Integer() }), 400: ErrorReply },
      },
    },
    async (request) => {
      const body = request.body;
      const marked = markRead(inboxContext(app, request), 'all' in body ? { all: true } : { ids: body.ids });
      return { marked, unread: unreadCount(app.store, request.user!.id, request.hidden) };
    },
  );

  r.get(
    '/api/notifications/preferences',
    { config: { access: 'read' }, schema: { description: 'How each kind of notification reaches the signed-in person: immediate (inbox and a mail at once), digest (inbox, and the daily digest mail) or off.', response: { 200: PreferencesReply } } },
    async (request) => ({ preferences: preferencesOf(app.store, request.user!.id), mail: app.notifications.mailEnabled }),
  );

  r.put(
    '/api/notifications/preferences',
    {
      config: { access: 'read' },
      schema: {
        description: `Changes how some kinds reach the signed-in person; kinds left out keep their setting. Kinds: ${NOTIFICATION_KINDS.join(', ')}.`,
        body: Type.Partial(Preferences, { additionalProperties: false }),
        response: { 200: PreferencesReply, 400: ErrorReply },
      },
    },
    async (request) => ({ preferences: setPreferences(inboxContext(app, request), request.body as Record<string, string>), mail: app.notifications.mailEnabled }),
  );

  r.get(
    '/api/watches',
    {
      config: { access: 'read' },
      schema: {
        description:
          'What the signed-in person watches. Pages they own (themselves or through a team) are watched without a watch: `owner_of` lists those handles. ' +
          `At most \`limit\` watches (default ${LIST_DEFAULT}, at most ${LIST_MAX}) per answer; \`after\` is a watch id. While more remain, \`next\` (and a \`Link: <…>; rel="next"\` header) is the address of the rest.`,
        querystring: Type.Object({ limit: ListLimit(LIST_DEFAULT, LIST_MAX), after: ListAfter }),
        response: { 200: Type.Object({ ...ListPaging, watches: Type.Array(WatchReply), owner_of: Type.Array(Type.String()) }) },
      },
    },
    async (request, reply) => {
      const person = request.user!.person;
      const limit = request.query.limit ?? LIST_DEFAULT;
      // One person's watches, read whole and cut in memory; watches on hidden pages are left out before counting.
      const answer = listAnswer(reply, watchesOf(app.store, request.user!.id, request.hidden), (w) => String(w.id), { limit, after: request.query.after }, (after) => `/api/watches?${new URLSearchParams({ limit: String(limit), after }).toString()}`);
      return {
        total: answer.total,
        limit: answer.limit,
        ...(answer.next ? { next: answer.next } : {}),
        watches: answer.items.map(watchJson),
        owner_of: person ? [person, ...app.store.parties.teamsOf(person).map((t) => t.handle)] : [],
      };
    },
  );

  r.post(
    '/api/watches',
    {
      config: { access: 'read' },
      schema: {
        description: 'Watches a page (`{"kind": "page", "target": "slug"}`), a system or module (`"Epic"` or `"Epic/ClinDoc"`), or everything a person or team owns (`{"kind": "owner", "target": "epic-clindoc"}`).',
        body: Type.Object({ kind: WatchReply.properties.kind, target: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 201: WatchReply, 400: ErrorReply, 404: ErrorReply },
      },
    },
    async (request, reply) => {
      const w = watch(inboxContext(app, request), { kind: request.body.kind, target: request.body.target });
      reply.status(201);
      return watchJson(w);
    },
  );

  r.delete(
    '/api/watches/:id',
    { config: { access: 'read' }, schema: { description: 'Stops one watch of the signed-in person.', params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), response: { 200: Type.Object({ id: Type.Integer(), deleted: Type.Literal(true) }), 404: ErrorReply } } },
    async (request) => {
      unwatch(inboxContext(app, request), { id: request.params.id });
      return { id: request.params.id, deleted: true as const };
    },
  );

  r.post(
    '/api/pages/:slug/watch',
    { config: { access: 'read' }, schema: { description: 'Watches the page: every change to it reaches the signed-in person (once per save).', params: SlugParams, body: NoBody, response: { 200: Type.Object({ slug: Type.String(), watching: Type.Literal(true) }), 400: ErrorReply, 404: ErrorReply } } },
    async (request) => {
      watch(inboxContext(app, request), { kind: 'page', target: request.params.slug });
      return { slug: request.params.slug, watching: true as const };
    },
  );

  r.delete(
    '/api/pages/:slug/watch',
    { config: { access: 'read' }, schema: { description: 'Stops watching the page. Owners keep hearing about their own pages.', params: SlugParams, response: { 200: Type.Object({ slug: Type.String(), watching: Type.Literal(false) }), 404: ErrorReply } } },
    async (request) => {
      unwatch(inboxContext(app, request), { slug: request.params.slug });
      return { slug: request.params.slug, watching: false as const };
    },
  );
}
