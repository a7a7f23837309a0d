import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { handoverOf, openHandover, updateHandoverPage } from '../../knowledge-transfer/handover.js';
import { Slug } from '../../pages/schema.js';
import { commandContext } from '../command-context.js';
import { personOf } from '../api/knowledge-transfer.js';
import { today } from '../api/turnover.js';

const HandleParams = Type.Object({ handle: Type.String({ maxLength: 100 }) });
const HandoverPageParams = Type.Object({ handle: Type.String({ maxLength: 100 }), slug: Slug });
const Field = (max: number) => Type.Optional(Type.String({ maxLength: max }));
const HandoverForm = Type.Object({ _csrf: Field(200), date: Field(20), successor: Field(40), state: Field(20), note: Field(2000) }, { additionalProperties: false });

const STATE_LABEL = { not_started: 'not started', walked_through: 'walked through', accepted: 'accepted' } as const;

/** The handover screen: the plan, each page's checklist, and the successor's "I can maintain this". */
export async function knowledgeTransferRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  const screen = (request: FastifyRequest, reply: FastifyReply, handle: string, extra: { values?: Record<string, string>; errors?: Record<string, string>; pageError?: { slug: string; message: string } } = {}) => {
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
      errors: extra.errors ?? {},
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
        };
      }),
    });
  };

  r.get('/people/:handle/handover', { config: { access: 'read' }, schema: { params: HandleParams } }, async (request, reply) => screen(request, reply, request.params.handle, { values: { date: today(app) } }));

  r.post('/people/:handle/handover', { config: { access: 'admin' }, schema: { params: HandleParams, body: HandoverForm } }, async (request, reply) => {
    const values = { date: request.body.date ?? '', successor: request.body.successor ?? '' };
    try {
      openHandover(commandContext(app, request), request.params.handle, values, today(app));
      return reply.redirect(`/people/${request.params.handle}/handover`, 303);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      reply.status(e.statusCode);
      const errors = e.byField();
      return screen(request, reply, request.params.handle, { values, errors: errors.handle ? { ...errors, form: errors.handle } : errors });
    }
  });

  r.post('/people/:handle/handover/:slug', { config: { access: 'write' }, schema: { params: HandoverPageParams, body: HandoverForm } }, async (request, reply) => {
    const { handle, slug } = request.params;
    if (request.hidden.has(slug)) throw new NotFoundError(`There is no page "${slug}".`);
    try {
      updateHandoverPage(commandContext(app, request), handle, slug, { state: request.body.state, successor: request.body.successor, note: request.body.note }, personOf(request));
      return reply.redirect(`/people/${handle}/handover#page-${slug}`, 303);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      reply.status(e.statusCode);
      return screen(request, reply, handle, { pageError: { slug, message: e.errors.map((x) => x.message).join(' ') } });
    }
  });
}
