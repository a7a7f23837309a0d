import type { FastifyInstance } from 'fastify';
import { redactText, redactVersion, withoutHidden } from '../../auth/visibility.js';
import { Slug } from '../../pages/schema.js';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { changeStatus } from '../../pages/commands.js';
import { markReviewed } from '../../pages/commands/mark-reviewed.js';
import { backlinks } from '../../pages/queries.js';
import { NotFoundError } from '../../core/errors.js';
import { addPerson } from '../../people/commands/add-person.js';
import { addTeam } from '../../people/commands/add-team.js';
import { departPerson } from '../../people/commands/depart-person.js';
import { editPerson } from '../../people/commands/edit-person.js';
import { editTeam } from '../../people/commands/edit-team.js';
import { reassignAllOwned } from '../../people/commands/reassign-all-owned.js';
import { pagesOf, type Knowledge } from '../../reports/knowledge.js';
import { perSnapshot } from '../../reports/per-snapshot.js';
import { brokenLinksReport, healthReport, orphansReport, staleRow } from '../../reports/reports.js';
import { staleView } from '../../reports/stale-index.js';
import { commandContext } from '../command-context.js';
import type { PartyRow } from '../../store/parties.js';
import { BacklinksReply, DirectoryReply, HealthReply, PersonReply, ReassignReply, ReportReply, ReviewReply, StatusReply, TeamsReply } from './schemas.js';
import { LIST_DEFAULT, LIST_MAX, ListAfter, listAnswer, ListLimit, ListPaging } from './list-paging.js';

/** Per answer of the directory and of a page's backlinks: more than most wikis have, so existing callers still get them all at once. */
const DIRECTORY_MAX = 1000;
const BACKLINKS_MAX = 1000;

const Report = { response: { 200: ReportReply } };
/** Overdue pages per answer of GET /api/reports/stale: the house default, and its most. */
const STALE_PAGE = 100;
const STALE_MAX = 1000;
const StaleReply = Type.Object(
  {
    as_of: Type.String(),
    count: Type.Integer({ description: 'Overdue pages this reader may see (the same as total).' }),
    ...ListPaging,
    pages: Type.Array(Type.Object({ slug: Type.String(), due_at: Type.Union([Type.String(), Type.Null()]), days_overdue: Type.Integer() }, { additionalProperties: true }), { description: 'This answer\'s overdue pages, oldest due first.' }),
    by_owner: Type.Array(Type.Object({ handle: Type.String(), name: Type.String(), count: Type.Integer({ description: 'All this owner\'s overdue pages.' }), pages: Type.Array(Type.String(), { description: 'Those in this answer, by slug.' }) }, { additionalProperties: true })),
  },
  { additionalProperties: true },
);

const SlugParams = Type.Object({ slug: Slug });
const HandleParams = Type.Object({ handle: Type.String({ maxLength: 100 }) });
const Text = (max: number) => Type.String({ maxLength: max });

/** The reports' knowledge snapshot for this viewer (the knowledge plugin caches it). */
export function currentKnowledge(app: FastifyInstance, hidden: Set<string> = new Set()) {
  return app.knowledge(hidden);
}

/**
 * A report over the whole snapshot for this viewer, remembered until the snapshot or (`version`) the store
 * moves, so repeated views of a 50,000-page wiki do not walk every page again.
 */
export function snapshotReport<T>(app: FastifyInstance, hidden: Set<string>, name: string, compute: (k: Knowledge) => T): T {
  return perSnapshot(app.knowledge(), hidden, `${name}\u0000${app.store.version()}`, () => currentKnowledge(app, hidden), compute);
}

/** The health report for this viewer (its weekly edits are read from the store, hence the store version in the key). */
export function healthFor(app: FastifyInstance, hidden: Set<string>) {
  return snapshotReport(app, hidden, 'health', (k) => healthReport(app.store, k, app.config.systems, hidden));
}

export function today(app: FastifyInstance): string {
  return app.clock().toISOString().slice(0, 10);
}


export async function turnoverApiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  const personJson = (p: PartyRow) => {
    const base = { handle: p.handle, kind: p.kind, name: p.name, status: p.status };
    if (p.kind === 'team') return { ...base, members: app.store.parties.members(p.handle).map((m) => ({ handle: m.handle, name: m.name, status: m.status })) };
    return {
      ...base,
      title: p.title,
      email: p.email,
      departed_on: p.departed_on,
      successor: p.successor,
      departure_reason: p.departure_reason,
      teams: app.store.parties.teamsOf(p.handle).map((t) => t.handle),
    };
  };

  r.get('/api/reports/orphans', { config: { access: 'read' }, schema: Report }, async (request) => orphansReport(currentKnowledge(app, request.hidden)));
  r.get(
    '/api/reports/stale',
    {
      config: { access: 'read' },
      schema: {
        description: `Pages past their review date, oldest due first, at most \`limit\` (default ${STALE_PAGE}, at most ${STALE_MAX}) per answer. While more remain, \`next\` (and a \`Link: <…>; rel="next"\` header) is the address of the rest. \`by_owner\` lists every owner with overdue pages, most first, with their whole \`count\` and, in \`pages\`, those of this answer.`,
        querystring: Type.Object({ limit: ListLimit(STALE_PAGE, STALE_MAX), after: ListAfter }),
        response: { 200: StaleReply },
      },
    },
    async (request, reply) => {
      // The ordered list is kept per snapshot: an answer builds rows for its own pages only.
      const view = staleView(app.knowledge(), request.hidden);
      const limit = request.query.limit ?? STALE_PAGE;
      const answer = listAnswer(reply, view.pages(), (p) => p.slug, { limit, after: request.query.after }, (last) => `/api/reports/stale?${new URLSearchParams({ limit: String(limit), after: last }).toString()}`);
      return {
        as_of: app.knowledge().now.toISOString(),
        count: view.count,
        total: answer.total,
        limit: answer.limit,
        ...(answer.next ? { next: answer.next } : {}),
        pages: answer.items.map(staleRow),
        by_owner: view.owners.map((o) => ({ ...o.owner, count: o.count, pages: answer.items.filter((p) => p.owners.some((x) => x.handle === o.owner.handle)).map((p) => p.slug) })),
      };
    },
  );
  r.get('/api/reports/health', { config: { access: 'read' }, schema: { response: { 200: HealthReply } } }, async (request) => healthFor(app, request.hidden));
  r.get('/api/reports/broken-links', { config: { access: 'read' }, schema: Report }, async (request) => brokenLinksReport(app.store, request.hidden));

  r.get(
    '/api/people',
    {
      config: { access: 'read' },
      schema: {
        description: `People, then teams, each by name, at most \`limit\` (default and maximum ${DIRECTORY_MAX}) together per answer. While more remain, \`next\` (and a \`Link: <…>; rel="next"\` header) is the address of the rest.`,
        querystring: Type.Object({ q: Type.Optional(Text(100)), limit: ListLimit(DIRECTORY_MAX, DIRECTORY_MAX), after: ListAfter }),
        response: { 200: DirectoryReply },
      },
    },
    async (request, reply) => {
      const q = (request.query.q ?? '').trim().toLowerCase();
      const all = app.store.parties.all().filter((p) => !q || `${p.handle} ${p.name} ${p.title ?? ''}`.toLowerCase().includes(q));
      const limit = request.query.limit ?? DIRECTORY_MAX;
      const params: Record<string, string> = request.query.q ? { q: request.query.q } : {};
      const answer = listAnswer(reply, all, (p) => p.handle, { limit, after: request.query.after }, (last) => `/api/people?${new URLSearchParams({ ...params, limit: String(limit), after: last }).toString()}`);
      return {
        total: answer.total,
        limit: answer.limit,
        ...(answer.next ? { next: answer.next } : {}),
        people: answer.items.filter((p) => p.kind === 'person').map(personJson),
        teams: answer.items.filter((p) => p.kind === 'team').map(personJson),
      };
    },
  );

  r.post(
    '/api/people',
    {
      config: { access: 'admin' },
      schema: { body: Type.Object({ handle: Text(40), name: Text(120), email: Type.Optional(Text(254)), title: Type.Optional(Text(120)), team: Type.Optional(Text(40)), teams: Type.Optional(Type.Array(Text(40), { maxItems: 50 })) }, { additionalProperties: false }), response: { 201: PersonReply } },
    },
    async (request, reply) => {
      const person = addPerson(commandContext(app, request), request.body);
      return reply.status(201).header('Location', `/api/people/${person.handle}`).send(personJson(person));
    },
  );

  r.get('/api/people/:handle', { config: { access: 'read' }, schema: { params: HandleParams, response: { 200: PersonReply } } }, async (request) => {
    const p = app.store.parties.get(request.params.handle);
    if (!p || p.kind !== 'person') throw new NotFoundError(`There is no person "${request.params.handle}".`);
    const k = currentKnowledge(app, request.hidden);
    const account = app.store.users.byPerson(p.handle)?.username;
    return {
      ...personJson(p),
      owns: withoutHidden(request.hidden, app.store.pages.ownedBy(p.handle)).map((x) => ({ slug: x.slug, title: x.title, system: x.system, module: x.module, status: x.status })),
      owns_through_teams: app.store.parties.teamsOf(p.handle).map((t) => ({ team: t.handle, pages: withoutHidden(request.hidden, app.store.pages.ownedBy(t.handle)).map((x) => x.slug) })).filter((t) => t.pages.length > 0),
      review_queue: pagesOf(k, p.handle).filter((x) => x.review.overdue || x.review.dueSoon).map((x) => ({ slug: x.slug, title: x.title, due_at: x.review.dueAt, overdue: x.review.overdue })),
      recent_edits: withoutHidden(request.hidden, app.store.pages.recentBy([p.handle, ...(account ? [account] : [])], 20)).map((v) => ({ slug: v.slug, title: v.title, version: v.version, summary: redactText(v.summary, request.hidden), created_at: v.created_at })),
    };
  });

  r.patch(
    '/api/people/:handle',
    {
      config: { access: 'admin' },
      schema: { params: HandleParams, body: Type.Object({ name: Type.Optional(Text(120)), email: Type.Optional(Text(254)), title: Type.Optional(Text(120)), teams: Type.Optional(Type.Array(Text(40), { maxItems: 50 })) }, { additionalProperties: false }), response: { 200: PersonReply } },
    },
    async (request) => personJson(editPerson(commandContext(app, request), { ...request.body, handle: request.params.handle })),
  );

  r.post(
    '/api/people/:handle/depart',
    {
      config: { access: 'admin' },
      schema: { params: HandleParams, body: Type.Object({ date: Type.Optional(Text(20)), successor: Type.Optional(Type.Union([Text(40), Type.Null()])), reason: Text(400) }, { additionalProperties: false }), response: { 200: PersonReply } },
    },
    async (request) => {
      const person = departPerson(commandContext(app, request), { ...request.body, handle: request.params.handle, today: today(app) });
      const k = currentKnowledge(app, request.hidden);
      return { ...personJson(person), orphaned_pages: orphansReport(k).pages.filter((p) => p.owners.some((o) => o.handle === person.handle || o.state === 'no-active-members')).map((p) => p.slug) };
    },
  );

  r.get(
    '/api/teams',
    {
      config: { access: 'read' },
      schema: {
        description: `Teams by name, at most \`limit\` (default ${LIST_DEFAULT}, at most ${LIST_MAX}) per answer; \`after\` is a team handle. While more remain, \`next\` (and a \`Link: <…>; rel="next"\` header) is the address of the rest.`,
        querystring: Type.Object({ limit: ListLimit(LIST_DEFAULT, LIST_MAX), after: ListAfter }),
        response: { 200: TeamsReply },
      },
    },
    async (request, reply) => {
      const limit = request.query.limit ?? LIST_DEFAULT;
      const teams = app.store.parties.all().filter((p) => p.kind === 'team');
      const answer = listAnswer(reply, teams, (p) => p.handle, { limit, after: request.query.after }, (after) => `/api/teams?${new URLSearchParams({ limit: String(limit), after }).toString()}`);
      return { total: answer.total, limit: answer.limit, ...(answer.next ? { next: answer.next } : {}), teams: answer.items.map(personJson) };
    },
  );

  r.get('/api/teams/:handle', { config: { access: 'read' }, schema: { params: HandleParams, response: { 200: PersonReply } } }, async (request) => {
    const t = app.store.parties.get(request.params.handle);
    if (!t || t.kind !== 'team') throw new NotFoundError(`There is no team "${request.params.handle}".`);
    return { ...personJson(t), owns: withoutHidden(request.hidden, app.store.pages.ownedBy(t.handle)).map((x) => ({ slug: x.slug, title: x.title, status: x.status })) };
  });

  r.post(
    '/api/teams',
    { config: { access: 'admin' }, schema: { body: Type.Object({ handle: Text(40), name: Text(120), members: Type.Optional(Type.Array(Text(40), { maxItems: 500 })) }, { additionalProperties: false }), response: { 201: PersonReply } } },
    async (request, reply) => {
      const team = addTeam(commandContext(app, request), request.body);
      return reply.status(201).header('Location', `/api/teams/${team.handle}`).send(personJson(team));
    },
  );

  r.patch(
    '/api/teams/:handle',
    { config: { access: 'admin' }, schema: { params: HandleParams, body: Type.Object({ name: Type.Optional(Text(120)), members: Type.Optional(Type.Array(Text(40), { maxItems: 500 })) }, { additionalProperties: false }), response: { 200: PersonReply } } },
    async (request) => personJson(editTeam(commandContext(app, request), { ...request.body, handle: request.params.handle })),
  );

  r.post(
    '/api/reassign',
    { config: { access: 'admin' }, schema: { body: Type.Object({ from: Text(40), to: Text(40), summary: Text(400) }, { additionalProperties: false }), response: { 200: ReassignReply } } },
    async (request) => {
      const moved = reassignAllOwned(commandContext(app, request), { from: request.body.from.trim().toLowerCase(), to: request.body.to.trim().toLowerCase(), reason: request.body.summary });
      return { from: request.body.from, to: request.body.to, moved: moved.map((p) => ({ slug: p.slug, version: p.version, owners: p.frontMatter.owners })) };
    },
  );

  r.post(
    '/api/pages/:slug/review',
    { config: { access: 'read' }, schema: { params: SlugParams, body: Type.Optional(Type.Object({ note: Type.Optional(Text(1000)) }, { additionalProperties: false })), response: { 200: ReviewReply } } },
    async (request, reply) => {
      const r = markReviewed(commandContext(app, request), { slug: request.params.slug, note: request.body?.note });
      return { slug: request.params.slug, version: r.version, reviewed_at: r.reviewedAt, reviewed_by: request.user!.username };
    },
  );

  r.post(
    '/api/pages/:slug/status',
    { config: { access: 'write' }, schema: { params: SlugParams, body: Type.Object({ status: Text(20), reason: Type.Optional(Text(400)), superseded_by: Type.Optional(Text(80)) }, { additionalProperties: false }), response: { 200: StatusReply } } },
    async (request) => {
      const { page } = changeStatus(commandContext(app, request), { slug: request.params.slug, status: request.body.status, reason: request.body.reason ?? '', supersededBy: request.body.superseded_by });
      const shown = redactVersion(page, request.hidden);
      return { slug: page.slug, version: page.version, status: page.frontMatter.status, superseded_by: shown.frontMatter.superseded_by ?? [], summary: shown.summary };
    },
  );

  r.get(
    '/api/pages/:slug/backlinks',
    {
      config: { access: 'read' },
      schema: {
        description: `Pages that link to this one, by title, at most \`limit\` (default and maximum ${BACKLINKS_MAX}) per answer. While more remain, \`next\` (and a \`Link: <…>; rel="next"\` header) is the address of the rest.`,
        params: SlugParams,
        querystring: Type.Object({ limit: ListLimit(BACKLINKS_MAX, BACKLINKS_MAX), after: ListAfter }),
        response: { 200: BacklinksReply },
      },
    },
    async (request, reply) => {
      const { slug } = request.params;
      if (!app.store.pages.head(slug)) throw new NotFoundError(`There is no page "${slug}".`);
      const limit = request.query.limit ?? BACKLINKS_MAX;
      // Hidden pages are left out before counting and paging.
      const answer = listAnswer(reply, withoutHidden(request.hidden, backlinks(app.store, slug)), (p) => p.slug, { limit, after: request.query.after }, (last) => `/api/pages/${slug}/backlinks?${new URLSearchParams({ limit: String(limit), after: last }).toString()}`);
      return { slug, total: answer.total, limit: answer.limit, ...(answer.next ? { next: answer.next } : {}), backlinks: answer.items.map((p) => ({ slug: p.slug, title: p.title, system: p.system, status: p.status })) };
    },
  );
}
