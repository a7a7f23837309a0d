import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { integrationView, INTEGRATION_EVENTS, type IntegrationInput } from '../../integrations/manage.js';
import { connectIntegration } from '../../integrations/commands/connect-integration.js';
import { removeIntegration } from '../../integrations/commands/remove-integration.js';
import { reshowForm } from './form-reshow.js';
import { commandContext } from '../command-context.js';
import { closedForm } from './forms.js';
import { pager, PageParam } from './paging.js';

const DELIVERIES_PAGE_SIZE = 100;

const KIND_NAMES = { webhook: 'Webhook', slack: 'Slack', teams: 'Teams' } as const;

/** Admin screen: connected webhooks and Teams/Slack channels, a form to connect one, and the delivery log. */
export async function integrationRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = { access: 'admin' as const };

  const show = (reply: FastifyReply, extra: { errors?: Record<string, string>; values?: Partial<IntegrationInput>; done?: string; secret?: string | null; problem?: string } = {}, page = 1) => {
    const values = extra.values ?? { kind: 'webhook', events: ['page.created', 'page.saved', 'page.status_changed'] };
    const integrations = app.store.integrations.active().map((row) => ({ ...integrationView(row), kindName: KIND_NAMES[row.kind] }));
    const paged = pager('/admin/integrations', {}, app.store.integrations.deliveryCount(), page, DELIVERIES_PAGE_SIZE);
    const deliveries = app.store.integrations.deliveriesPage(paged.size, paged.offset).map((d) => ({
      ...d,
      kindName: KIND_NAMES[d.kind],
      ok: d.state === 'delivered',
      pending: d.state === 'pending',
    }));
    return reply.view('integrations', {
      title: 'Integrations',
      integrations,
      deliveries,
      pager: paged,
      kinds: (['webhook', 'slack', 'teams'] as const).map((k) => ({ value: k, name: KIND_NAMES[k], selected: values.kind === k })),
      events: INTEGRATION_EVENTS.map((e) => ({ value: e, checked: values.events?.includes(e) ?? false })),
      teams: app.store.parties.all().filter((p) => p.kind === 'team').map((t) => ({ value: t.handle, name: t.name, selected: values.team === t.handle })),
      systems: app.config.systems.map((s) => ({ value: s, selected: values.system === s })),
      publicUrl: app.config.publicUrl,
      values,
      ...extra,
    });
  };

  r.get('/admin/integrations', { config, schema: { querystring: Type.Object({ page: PageParam }) } }, async (request, reply) => show(reply, {}, request.query.page ?? 1));

  r.post(
    '/admin/integrations',
    {
      config,
      schema: {
        body: closedForm({
          kind: Type.Union([Type.Literal('webhook'), Type.Literal('slack'), Type.Literal('teams')]),
          label: Type.Optional(Type.String({ maxLength: 200 })),
          url: Type.String({ maxLength: 2048 }),
          events: Type.Optional(Type.Array(Type.String({ maxLength: 60 }), { maxItems: 20 })),
          secret: Type.Optional(Type.String({ maxLength: 256 })),
          team: Type.Optional(Type.String({ maxLength: 80 })),
          system: Type.Optional(Type.String({ maxLength: 80 })),
        }),
      },
    },
    async (request, reply) => {
      const { _csrf: _, ...input } = request.body;
      try {
        const { integration, secret } = connectIntegration(commandContext(app, request), input);
        return show(reply, { done: `Connected ${integration.label}.`, secret });
      } catch (e) {
        // What was typed comes back, except the secret: it is not echoed into a page.
        return reshowForm(reply, e, (problem) => show(reply, { errors: problem.errors, problem: problem.list.length ? undefined : problem.text, values: { ...input, secret: undefined } }));
      }
    },
  );

  r.post('/admin/integrations/:id/remove', { config, schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), body: closedForm({}) } }, async (request, reply) => {
    try {
      const removed = removeIntegration(commandContext(app, request), { id: request.params.id });
      return show(reply, { done: `Disconnected ${removed.label}: nothing more is sent to it.` });
    } catch (e) {
      return reshowForm(reply, e, (problem) => show(reply, { problem: problem.text }), { missingToo: true });
    }
  });
}
