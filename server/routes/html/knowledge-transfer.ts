import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NotFoundError } from '../../core/errors.js';
import { reshowForm, type FormProblem } from './form-reshow.js';
import { handoverOf } from '../../knowledge-transfer/handover.js';
import { listPaths, pathView } from '../../knowledge-transfer/paths.js';
import { openHandover } from '../../knowledge-transfer/commands/open-handover.js';
import { updateHandoverPage } from '../../knowledge-transfer/commands/update-handover-page.js';
import { savePath } from '../../knowledge-transfer/commands/save-path.js';
import { assignPath } from '../../knowledge-transfer/commands/assign-path.js';
import { markStepRead } from '../../knowledge-transfer/commands/mark-step-read.js';
import { Slug } from '../../pages/schema.js';
import { commandContext } from '../command-context.js';
import { personOf } from '../api/knowledge-transfer.js';
import { today } from '../api/turnover.js';
import { pager, PageParam } from './paging.js';

/** Reading paths per screen of /paths. */
const PATHS_PAGE_SIZE = 100;

const HandleParams = Type.Object({ handle: Type.String({ maxLength: 100 }) });
const HandoverPageParams = Type.Object({ handle: Type.String({ maxLength: 100 }), slug: Slug });
const Field = (max: number) => Type.Optional(Type.String({ maxLength: max }));
const HandoverForm = Type.Object({ _csrf: Field(200), date: Field(20), successor: Field(40), state: Field(20), note: Field(2000) }, { additionalProperties: false });

const PathParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const PathForm = Type.Object({ _csrf: Field(200), title: Field(200), description: Field(2000), steps: Field(20000), slug: Field(80), people: Field(2000) }, { additionalProperties: false });

/** "slug | note" per line, as typed in the path form. */
function parseSteps(text: string): { slug: string; note?: string }[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).map((l) => {
    const bar = l.indexOf('|');
    return bar < 0 ? { slug: l } : { slug: l.slice(0, bar).trim(), note: l.slice(bar + 1).trim() };
  });
}

/** The handover page form's fields: what was typed when a save was refused (nothing lost), else what is stored. */
function pageFormValues(p: { state: string; successor: string | null; note: string | null }, typed?: Record<string, string | undefined>) {
  return typed
    ? { typed: true, formState: typed.state ?? p.state, formSuccessor: typed.successor ?? '', formNote: typed.note ?? '' }
    : { typed: false, formState: p.state, formSuccessor: p.successor ?? '', formNote: p.note ?? '' };
}

const STATE_LABEL = { not_started: 'not started', walked_through: 'walked through', accepted: 'accepted' } as const;

/** The handover screen: the plan, each page's checklist, and the successor's "I can maintain this". */
export async function knowledgeTransferRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  const screen = (request: FastifyRequest, reply: FastifyReply, handle: string, extra: { values?: Record<string, string>; problem?: FormProblem; pageError?: { slug: string; message: string; typed: Record<string, string | undefined> } } = {}) => {
    const person = app.store.parties.get(handle);
    if (!person || person.kind !== 'person') throw new NotFoundError(`There is no person "${handle}".`);
    const handover = handoverOf(app.store, handle, app.clock(), request.hidden);
    const me = personOf(request);
    const parties = app.store.parties.all().filter((p) => p.status === 'active' && p.handle !== handle);
    return reply.view('handover', {
      title: `Handover: ${person.name}`,
      person,
      handover,
      values: extra.values ?? {},
      errors: extra.problem?.errors ?? {},
      problem: extra.problem,
      people: parties.filter((p) => p.kind === 'person'),
      teams: parties.filter((p) => p.kind === 'team'),
      pages: handover.pages.map((p) => {
        const heir = p.successor ? app.store.parties.get(p.successor) : undefined;
        const mayAccept = !!heir && me !== null && (heir.kind === 'person' ? heir.handle === me : app.store.parties.members(heir.handle).some((m) => m.handle === me && m.status === 'active'));
        return {
          ...p,
          stateLabel: STATE_LABEL[p.state],
          accepted: p.state === 'accepted',
          open: !handover.closed && p.state !== 'accepted',
          viaTeam: p.via !== handle,
          successorIsTeam: heir?.kind === 'team',
          mayAccept,
          error: extra.pageError?.slug === p.slug ? extra.pageError.message : undefined,
          // The page's form: what was typed into it when it was refused, else what is stored.
          ...pageFormValues(p, extra.pageError?.slug === p.slug ? extra.pageError.typed : undefined),
        };
      }),
    });
  };

  r.get('/people/:handle/handover', { config: { access: 'read' }, schema: { params: HandleParams } }, async (request, reply) => screen(request, reply, request.params.handle, { values: { date: today(app) } }));

  r.post('/people/:handle/handover', { config: { access: 'admin' }, schema: { params: HandleParams, body: HandoverForm } }, async (request, reply) => {
    const values = { date: request.body.date ?? '', successor: request.body.successor ?? '' };
    try {
      openHandover(commandContext(app, request), { ...values, handle: request.params.handle, today: today(app) });
      return reply.redirect(`/people/${request.params.handle}/handover`, 303);
    } catch (e) {
      return reshowForm(reply, e, (problem) => screen(request, reply, request.params.handle, { values, problem }));
    }
  });

  r.post('/people/:handle/handover/:slug', { config: { access: 'write' }, schema: { params: HandoverPageParams, body: HandoverForm } }, async (request, reply) => {
    const { handle, slug } = request.params;
    if (request.hidden.has(slug)) throw new NotFoundError(`There is no page "${slug}".`);
    try {
      updateHandoverPage(commandContext(app, request), { handle, slug, state: request.body.state, successor: request.body.successor, note: request.body.note });
      return reply.redirect(`/people/${handle}/handover#page-${slug}`, 303);
    } catch (e) {
      const typed = { state: request.body.state, successor: request.body.successor, note: request.body.note };
      return reshowForm(reply, e, (problem) => screen(request, reply, handle, { pageError: { slug, message: problem.text, typed } }));
    }
  });

  // ---- reading paths ----
  const pathsScreen = (request: FastifyRequest, reply: FastifyReply, values: Record<string, string> = {}, problem?: FormProblem, page = 1) => {
    const all = listPaths(app.store, request.hidden);
    const paged = pager('/paths', {}, all.length, page, PATHS_PAGE_SIZE);
    return reply.view('paths', { title: 'Reading paths', paths: all.slice(paged.offset, paged.offset + paged.size), pager: paged, values, errors: problem?.errors ?? {}, problem });
  };

  r.get('/paths', { config: { access: 'read' }, schema: { querystring: Type.Object({ page: PageParam }) } }, async (request, reply) => pathsScreen(request, reply, {}, undefined, request.query.page ?? 1));

  r.post('/paths', { config: { access: 'write' }, schema: { body: PathForm } }, async (request, reply) => {
    const values = { title: request.body.title ?? '', description: request.body.description ?? '', steps: request.body.steps ?? '' };
    try {
      const { id } = savePath(commandContext(app, request), { ...values, steps: parseSteps(values.steps) });
      return reply.redirect(`/paths/${id}`, 303);
    } catch (e) {
      return reshowForm(reply, e, (problem) => pathsScreen(request, reply, values, problem));
    }
  });

  const pathScreen = (request: FastifyRequest, reply: FastifyReply, id: number, error?: string, people?: string) =>
    reply.view('path', { title: 'Reading path', path: pathView(app.store, id, request.hidden, personOf(request)), me: personOf(request), error, people });

  r.get('/paths/:id', { config: { access: 'read' }, schema: { params: PathParams } }, async (request, reply) => pathScreen(request, reply, request.params.id));

  r.post('/paths/:id/read', { config: { access: 'read' }, schema: { params: PathParams, body: PathForm } }, async (request, reply) => {
    const slug = request.body.slug ?? '';
    if (request.hidden.has(slug)) throw new NotFoundError(`There is no page "${slug}".`);
    try {
      markStepRead(commandContext(app, request), { id: request.params.id, slug });
      return reply.redirect(`/paths/${request.params.id}#step-${slug}`, 303);
    } catch (e) {
      return reshowForm(reply, e, (problem) => pathScreen(request, reply, request.params.id, problem.text));
    }
  });

  r.post('/paths/:id/assign', { config: { access: 'write' }, schema: { params: PathParams, body: PathForm } }, async (request, reply) => {
    try {
      assignPath(commandContext(app, request), { id: request.params.id, people: (request.body.people ?? '').split(/[\s,]+/) });
      return reply.redirect(`/paths/${request.params.id}`, 303);
    } catch (e) {
      return reshowForm(reply, e, (problem) => pathScreen(request, reply, request.params.id, problem.text, request.body.people));
    }
  });
}
