import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createTemplate, getTemplate, listTemplates, updateTemplate, type Template, type TemplateInput } from '../../pages/templates.js';
import { renamePage } from '../../pages/commands.js';
import { getCurrentPage } from '../../pages/queries.js';
import { Slug, STATUSES } from '../../pages/schema.js';
import { reshowForm, type FormProblem } from './form-reshow.js';
import { commandContext } from '../command-context.js';
import { closedForm } from './forms.js';

const TemplateForm = closedForm({
  name: Type.Optional(Type.String({ maxLength: 200 })),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  system: Type.Optional(Type.String({ maxLength: 100 })),
  module: Type.Optional(Type.String({ maxLength: 200 })),
  status: Type.Optional(Type.String({ maxLength: 40 })),
  review_every: Type.Optional(Type.String({ maxLength: 40 })),
  tags: Type.Optional(Type.String({ maxLength: 4000 })),
  body: Type.Optional(Type.String({ maxLength: 4 * 1024 * 1024 })),
});
type TemplateFormBody = Partial<Record<'name' | 'description' | 'system' | 'module' | 'status' | 'review_every' | 'tags' | 'body', string>>;

const valuesOf = (t: Template): Record<string, string> => ({
  name: t.name,
  description: t.description,
  system: t.frontMatter.system ?? '',
  module: t.frontMatter.module ?? '',
  status: t.frontMatter.status ?? '',
  review_every: t.frontMatter.review_every ?? '',
  tags: (t.frontMatter.tags ?? []).join(', '),
  body: t.body,
});

function inputOf(form: TemplateFormBody): TemplateInput {
  const frontMatter: Record<string, unknown> = {};
  for (const k of ['system', 'module', 'status', 'review_every', 'tags'] as const) if (form[k]?.trim()) frontMatter[k] = form[k];
  return { name: form.name ?? '', description: form.description, frontMatter, body: form.body ?? '' };
}

/** Admin screens for page templates, and the rename form. */
export async function writingRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const admin = { access: 'admin' as const };

  const showTemplates = (reply: FastifyReply, extra: { values?: Record<string, string>; problem?: FormProblem; editing?: number; done?: string } = {}) => {
    const values = extra.values ?? {};
    return reply.view('templates', {
      title: 'Page templates',
      templates: listTemplates({ store: app.store }),
      systems: app.config.systems.map((s) => ({ value: s, selected: s === values.system })),
      statuses: STATUSES.map((s) => ({ value: s, selected: s === values.status })),
      values,
      errors: extra.problem?.errors ?? {},
      problem: extra.problem,
      editing: extra.editing,
      done: extra.done,
    });
  };

  r.get('/admin/templates', { config: admin }, async (_request, reply) => showTemplates(reply));

  r.post('/admin/templates', { config: admin, schema: { body: TemplateForm } }, async (request, reply) => {
    const form = request.body as TemplateFormBody;
    try {
      const t = createTemplate(commandContext(app, request), inputOf(form));
      return showTemplates(reply, { done: `Template “${t.name}” added.` });
    } catch (e) {
      return reshowForm(reply, e, (p) => showTemplates(reply, { values: form as Record<string, string>, problem: p }));
    }
  });

  const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
  r.get('/admin/templates/:id', { config: admin, schema: { params: IdParams } }, async (request, reply) => {
    const t = getTemplate({ store: app.store }, request.params.id);
    return showTemplates(reply, { values: valuesOf(t), editing: t.id });
  });

  r.post('/admin/templates/:id', { config: admin, schema: { params: IdParams, body: TemplateForm } }, async (request, reply) => {
    const form = request.body as TemplateFormBody;
    try {
      const t = updateTemplate(commandContext(app, request), request.params.id, inputOf(form));
      return showTemplates(reply, { done: `Template “${t.name}” saved.` });
    } catch (e) {
      return reshowForm(reply, e, (p) => showTemplates(reply, { values: form as Record<string, string>, problem: p, editing: request.params.id }));
    }
  });

  const SlugParams = Type.Object({ slug: Slug });
  const renameForm = (slug: string, reply: FastifyReply, values: Record<string, string>, problem?: FormProblem) => {
    const page = getCurrentPage(app.store, slug);
    return reply.view('rename', { title: `Rename ${page.frontMatter.title}`, page, values, errors: problem?.errors ?? {}, problem });
  };

  r.get('/p/:slug/rename', { config: { access: 'write' }, schema: { params: SlugParams } }, async (request, reply) => renameForm(request.params.slug, reply, { slug: request.params.slug }));

  r.post(
    '/p/:slug/rename',
    { config: { access: 'write' }, schema: { params: SlugParams, body: closedForm({ slug: Type.Optional(Type.String({ maxLength: 200 })), summary: Type.Optional(Type.String({ maxLength: 500 })) }) } },
    async (request, reply) => {
      const values = { slug: request.body.slug ?? '', summary: request.body.summary ?? '' };
      try {
        const page = renamePage(commandContext(app, request), { slug: request.params.slug, to: values.slug, summary: values.summary });
        return reply.redirect(`/p/${page.slug}`, 303);
      } catch (e) {
        return reshowForm(reply, e, (p) => renameForm(request.params.slug, reply, values, p));
      }
    },
  );
}
