import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { partyProfile } from '../../pages/queries.js';

const HandleParams = Type.Object({ handle: Type.String({ maxLength: 100 }) });

export async function peopleRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/people', { config: { access: 'read' } }, async (_request, reply) => {
    const all = app.store.parties.all();
    return reply.view('people', {
      title: 'People and teams',
      people: all.filter((p) => p.kind === 'person').map((p) => ({ ...p, owned: app.store.pages.ownedBy(p.handle).length })),
      teams: all.filter((p) => p.kind === 'team').map((t) => ({ ...t, owned: app.store.pages.ownedBy(t.handle).length, members: app.store.parties.members(t.handle) })),
    });
  });

  r.get('/people/:handle', { config: { access: 'read' }, schema: { params: HandleParams } }, async (request, reply) => {
    const profile = partyProfile(app.store, request.params.handle, 'person');
    return reply.view('party', { title: profile.party.name, profile, isTeam: false });
  });

  r.get('/teams/:handle', { config: { access: 'read' }, schema: { params: HandleParams } }, async (request, reply) => {
    const profile = partyProfile(app.store, request.params.handle, 'team');
    return reply.view('party', { title: profile.party.name, profile, isTeam: true });
  });
}
