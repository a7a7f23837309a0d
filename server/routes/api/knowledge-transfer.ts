import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { keyPersonReport } from '../../reports/key-person.js';
import { handoverOf } from '../../knowledge-transfer/handover.js';
import { openHandover } from '../../knowledge-transfer/commands/open-handover.js';
import { settleDueHandovers } from '../../knowledge-transfer/commands/settle-due-handovers.js';
import { updateHandoverPage } from '../../knowledge-transfer/commands/update-handover-page.js';
import { savePath } from '../../knowledge-transfer/commands/save-path.js';
import { assignPath } from '../../knowledge-transfer/commands/assign-path.js';
import { markStepRead } from '../../knowledge-transfer/commands/mark-step-read.js';
import { Slug } from '../../pages/schema.js';
import { NotFoundError } from '../../core/errors.js';
import { commandContext } from '../command-context.js';
import { snapshotReport, today } from './turnover.js';
import { phiGuardFor } from '../../phi/guard.js';
import { listPaths, pathsOf, pathView } from '../../knowledge-transfer/paths.js';
import { LIST_DEFAULT, LIST_MAX, ListAfter, listAnswer, ListLimit, ListPaging } from './list-paging.js';

const Open = { additionalProperties: true } as const;
/** (person, page) pairs per answer of the key-person report: the house default, and its most. */
const KEY_PERSON_PAGE = 100;
const KEY_PERSON_MAX = 1000;
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const Text = (max: number) => Type.String({ maxLength: max });
const HandleParams = Type.Object({ handle: Type.String({ maxLength: 100 }) });
const HandoverPageParams = Type.Object({ handle: Type.String({ maxLength: 100 }), slug: Slug });

export const KeyPersonReply = Type.Object(
  {
    as_of: Type.String(),
    ...ListPaging,
    people: Type.Array(Type.Object({ handle: Type.String(), name: Type.String(), count: Type.Integer({ description: 'All the pages orphaned if this person left, in all answers together.' }), pages: Type.Array(Type.String(), { description: 'Those of this answer, by slug.' }) }), { description: 'Active people, most pages first: the pages orphaned if they left tomorrow. A person whose list runs past one answer appears again at the top of the next with the rest.' }),
    by_system: Type.Array(Type.Object({ system: Type.String(), module: Type.Union([Type.String(), Type.Null()]), pages: Type.Integer(), one_person: Type.Integer() }), { description: 'Per system (module null) and module: pages that depend on one person.' }),
  },
  Open,
);

const Gap = Type.Object({ kind: Type.String(), message: Type.String() });
const HandoverPage = Type.Object(
  {
    slug: Type.String(),
    successor: Nullable(Type.String()),
    state: Type.Union([Type.Literal('not_started'), Type.Literal('walked_through'), Type.Literal('accepted')]),
    note: Nullable(Type.String()),
    checklist: Type.Array(Gap, { description: 'The capture checklist: gaps in the page to fill while the person is still here.' }),
  },
  Open,
);
export const HandoverReply = Type.Object(
  {
    date: Nullable(Type.String({ description: 'The leaving date; null when the person has no handover plan.' })),
    pages: Type.Array(HandoverPage),
    done: Type.Integer({ description: 'Pages accepted by their successor.' }),
    total: Type.Integer(),
    closed: Type.Boolean({ description: 'True once the leaving date passed: the plan stays as a record.' }),
  },
  Open,
);
const HandoverPageReply = Type.Composite([HandoverPage, Type.Object({ version: Type.Optional(Type.Integer({ description: 'The page version written when accepted.' })) })], Open);

const PathParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const PathBody = Type.Object(
  {
    title: Text(200),
    description: Type.Optional(Text(2000)),
    steps: Type.Array(Type.Object({ slug: Text(80), note: Type.Optional(Type.Union([Text(500), Type.Null()])) }, { additionalProperties: false }), { maxItems: 100 }),
  },
  { additionalProperties: false },
);
const Step = Type.Object({ slug: Type.String(), title: Type.String(), note: Nullable(Type.String()), current_version: Type.Integer(), read_version: Type.Union([Type.Integer(), Type.Null()]), changed: Type.Boolean() }, Open);
export const PathReply = Type.Object(
  {
    id: Type.Integer(),
    version: Type.Integer({ description: 'Each save of the path is a new version.' }),
    title: Type.String(),
    description: Type.String(),
    steps: Type.Array(Step, { description: 'Steps on pages the viewer may see, in reading order, with the viewer\'s own reading.' }),
    assignees: Type.Array(Type.Object({ handle: Type.String(), name: Type.String(), done: Type.Integer(), total: Type.Integer() }, Open)),
  },
  Open,
);
const PathListReply = Type.Object({ ...ListPaging, paths: Type.Array(Type.Object({ id: Type.Integer(), version: Type.Integer(), title: Type.String(), description: Type.String(), steps: Type.Integer(), assigned: Type.Integer() })) });
const PersonPathsReply = Type.Object({
  paths: Type.Array(Type.Object({ id: Type.Integer(), title: Type.String(), done: Type.Integer(), total: Type.Integer(), changed_since_read: Type.Array(Type.String(), { description: 'Steps whose page changed after the person read it.' }) }, Open)),
});

/** The person an account belongs to: who is accepting, who is reading. */
export function personOf(request: FastifyRequest): string | null {
  return request.user?.person ?? null;
}

/**
 * The leaving dates that passed become departures before anything is answered, at the app's clock, so a
 * report read on the day already shows what was not accepted as orphaned. One indexed query when none is due.
 */
export function settleHandovers(app: FastifyInstance): void {
  const day = today(app);
  if (app.store.transfer.dueHandovers(day).length === 0) return;
  settleDueHandovers({ store: app.store, systems: app.config.systems, maxBodyBytes: app.config.maxBodyBytes, events: app.events, actor: { username: 'whywiki' }, client: 'handover', at: app.clock(), phi: phiGuardFor(app.store, app.config.mrnPatterns) }, { today: day });
}

/** Knowledge transfer: key-person risk, handover plans and reading paths. */
export async function knowledgeTransferApiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/reports/key-person',
    {
      config: { access: 'read' },
      schema: {
        description: `Key-person risk: per active person, the pages nobody else stands behind, paged by (person, page) pair, at most \`limit\` (default ${KEY_PERSON_PAGE}, at most ${KEY_PERSON_MAX}) pairs per answer. While more remain, \`next\` (and a \`Link: <…>; rel="next"\` header) is the address of the rest; \`after\` is \`<handle>/<slug>\`. \`by_system\` is whole in every answer.`,
        querystring: Type.Object({ limit: ListLimit(KEY_PERSON_PAGE, KEY_PERSON_MAX), after: ListAfter }),
        response: { 200: KeyPersonReply },
      },
    },
    async (request, reply) => {
      // Worked out once per snapshot and viewer; each answer then costs only its own pairs.
      const { report, pairs } = snapshotReport(app, request.hidden, 'key-person', (k) => {
        const report = keyPersonReport(k);
        return { report, pairs: report.people.flatMap((p) => p.pages.map((slug) => ({ person: p, slug, key: `${p.handle}/${slug}` }))) };
      });
      const limit = request.query.limit ?? KEY_PERSON_PAGE;
      const answer = listAnswer(reply, pairs, (x) => x.key, { limit, after: request.query.after }, (last) => `/api/reports/key-person?${new URLSearchParams({ limit: String(limit), after: last }).toString()}`);
      const people: { handle: string; name: string; count: number; pages: string[] }[] = [];
      for (const { person, slug } of answer.items) {
        const last = people[people.length - 1];
        if (last?.handle === person.handle) last.pages.push(slug);
        else people.push({ handle: person.handle, name: person.name, count: person.pages.length, pages: [slug] });
      }
      return { as_of: report.as_of, total: answer.total, limit: answer.limit, ...(answer.next ? { next: answer.next } : {}), people, by_system: report.by_system };
    },
  );

  r.post(
    '/api/people/:handle/handover',
    { config: { access: 'admin' }, schema: { params: HandleParams, body: Type.Object({ date: Text(20), successor: Type.Optional(Type.Union([Text(40), Type.Null()])) }, { additionalProperties: false }), response: { 201: HandoverReply } } },
    async (request, reply) => {
      openHandover(commandContext(app, request), { ...request.body, handle: request.params.handle, today: today(app) });
      return reply.status(201).header('Location', `/api/people/${request.params.handle}/handover`).send(handoverOf(app.store, request.params.handle, app.clock(), request.hidden));
    },
  );

  r.get('/api/people/:handle/handover', { config: { access: 'read' }, schema: { params: HandleParams, response: { 200: HandoverReply } } }, async (request) => handoverOf(app.store, request.params.handle, app.clock(), request.hidden));

  r.post(
    '/api/people/:handle/handover/:slug',
    {
      config: { access: 'write' },
      schema: {
        params: HandoverPageParams,
        body: Type.Object({ state: Text(20), successor: Type.Optional(Type.Union([Text(40), Type.Null()])), note: Type.Optional(Type.Union([Text(2000), Type.Null()])) }, { additionalProperties: false }),
        response: { 200: HandoverPageReply },
      },
    },
    async (request) => {
      if (request.hidden.has(request.params.slug)) throw new NotFoundError(`There is no page "${request.params.slug}".`);
      updateHandoverPage(commandContext(app, request), { ...request.body, handle: request.params.handle, slug: request.params.slug });
      const page = handoverOf(app.store, request.params.handle, app.clock(), request.hidden).pages.find((p) => p.slug === request.params.slug)!;
      return { ...page, ...(page.state === 'accepted' ? { version: app.store.pages.head(page.slug)?.current_version } : {}) };
    },
  );

  r.get(
    '/api/paths',
    {
      config: { access: 'read' },
      schema: {
        description: `Reading paths, at most \`limit\` (default ${LIST_DEFAULT}, at most ${LIST_MAX}) per answer; \`after\` is a path id. While more remain, \`next\` (and a \`Link: <…>; rel="next"\` header) is the address of the rest.`,
        querystring: Type.Object({ limit: ListLimit(LIST_DEFAULT, LIST_MAX), after: ListAfter }),
        response: { 200: PathListReply },
      },
    },
    async (request, reply) => {
      const limit = request.query.limit ?? LIST_DEFAULT;
      const answer = listAnswer(reply, listPaths(app.store, request.hidden), (p) => String(p.id), { limit, after: request.query.after }, (after) => `/api/paths?${new URLSearchParams({ limit: String(limit), after }).toString()}`);
      return { total: answer.total, limit: answer.limit, ...(answer.next ? { next: answer.next } : {}), paths: answer.items };
    },
  );

  r.post('/api/paths', { config: { access: 'write' }, schema: { body: PathBody, response: { 201: PathReply } } }, async (request, reply) => {
    const { id } = savePath(commandContext(app, request), request.body);
    return reply.status(201).header('Location', `/api/paths/${id}`).send(pathView(app.store, id, request.hidden, personOf(request)));
  });

  r.get('/api/paths/:id', { config: { access: 'read' }, schema: { params: PathParams, response: { 200: PathReply } } }, async (request) => pathView(app.store, request.params.id, request.hidden, personOf(request)));

  r.put('/api/paths/:id', { config: { access: 'write' }, schema: { params: PathParams, body: PathBody, response: { 200: PathReply } } }, async (request) => {
    savePath(commandContext(app, request), { ...request.body, id: request.params.id });
    return pathView(app.store, request.params.id, request.hidden, personOf(request));
  });

  r.post(
    '/api/paths/:id/assign',
    { config: { access: 'write' }, schema: { params: PathParams, body: Type.Object({ people: Type.Array(Text(40), { maxItems: 200 }) }, { additionalProperties: false }), response: { 200: PathReply } } },
    async (request) => {
      assignPath(commandContext(app, request), { id: request.params.id, people: request.body.people });
      return pathView(app.store, request.params.id, request.hidden, personOf(request));
    },
  );

  r.post(
    '/api/paths/:id/read',
    {
      config: { access: 'read' },
      schema: { params: PathParams, body: Type.Object({ slug: Slug }, { additionalProperties: false }), response: { 200: Type.Object({ slug: Type.String(), version: Type.Integer({ description: 'The page version read.' }), self_study: Type.Boolean({ description: 'True when the path is not assigned to the reader.' }) }) } },
    },
    async (request) => {
      if (request.hidden.has(request.body.slug)) throw new NotFoundError(`There is no page "${request.body.slug}".`);
      return markStepRead(commandContext(app, request), { id: request.params.id, slug: request.body.slug });
    },
  );

  r.get('/api/people/:handle/paths', { config: { access: 'read' }, schema: { params: HandleParams, response: { 200: PersonPathsReply } } }, async (request) => pathsOf(app.store, request.params.handle, request.hidden));
}
