import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { keyPersonReport } from '../../reports/key-person.js';
import { currentKnowledge } from './turnover.js';

const Open = { additionalProperties: true } as const;

export const KeyPersonReply = Type.Object(
  {
    people: Type.Array(Type.Object({ handle: Type.String(), name: Type.String(), pages: Type.Array(Type.String()) }), { description: 'Active people, most pages first: the pages orphaned if they left tomorrow.' }),
    by_system: Type.Array(Type.Object({ system: Type.String(), module: Type.Union([Type.String(), Type.Null()]), pages: Type.Integer(), one_person: Type.Integer() }), { description: 'Per system (module null) and module: pages that depend on one person.' }),
  },
  Open,
);

/** Knowledge transfer: key-person risk, handover plans and reading paths. */
export async function knowledgeTransferApiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/api/reports/key-person', { config: { access: 'read' }, schema: { response: { 200: KeyPersonReply } } }, async (request) => keyPersonReport(currentKnowledge(app, request.hidden)));
}
