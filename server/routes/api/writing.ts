import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { DRAFT_FIELDS, getDraft, listDrafts, type Draft } from '../../pages/drafts.js';
import { saveDraft } from '../../pages/commands/save-draft.js';
import { discardDraft } from '../../pages/commands/discard-draft.js';
import { createTemplate, listTemplates, TEMPLATE_FIELDS, updateTemplate, type Template } from '../../pages/templates.js';
import { getCurrentPage } from '../../pages/queries.js';
import { diffBody } from '../../pages/diff.js';
import { Slug } from '../../pages/schema.js';
import { commandContext } from '../command-context.js';
import { valuesFromFrontMatter } from '../html/page-form.js';
import { ErrorReply } from './schemas.js';

const SlugParams = Type.Object({ slug: Slug });
// Null first: the app's validator coerces types, and would otherwise read null as the integer 0.
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([Type.Null(), t]);

const DraftFields = Type.Record(Type.String(), Type.String({ maxLength: 4 * 1024 * 1024 }), { description: `The page form's fields as typed: ${DRAFT_FIELDS.join(', ')}.` });
const DraftWrite = Type.Object(
  {
    base_version: Type.Optional(Nullable(Type.Integer({ description: 'The version the edit started from; leave out (or null) for a new page.' }))),
    fields: DraftFields,
  },
  { additionalProperties: false },
);
const DraftSummary = Type.Object({
  slug: Type.String({ description: "The page's slug, or a new page's draft key (new-…)." }),
  new: Type.Boolean({ description: 'True for a page not yet created.' }),
  title: Type.String(),
  base_version: Nullable(Type.Integer()),
  updated_at: Type.String({ format: 'date-time' }),
});
const DraftReply = Type.Composite([
  DraftSummary,
  Type.Object({
    fields: Type.Record(Type.String(), Type.String()),
    current_version: Nullable(Type.Integer({ description: 'The version the page is at now; null for a new page.' })),
    moved_on: Type.Boolean({ description: 'True when the page was saved again after the version the draft started from.' }),
    changes: Type.Object({
      fields: Type.Array(Type.Object({ field: Type.String(), from: Type.String(), to: Type.String() })),
      body: Type.Array(Type.Object({ kind: Type.String(), text: Type.String() }, { additionalProperties: true })),
    }, { description: 'How the draft differs from the current version (for a new page: from an empty one).' }),
  }),
]);
const TemplateFrontMatter = Type.Object(
  {
    system: Type.Optional(Type.String()),
    module: Type.Optional(Type.String()),
    status: Type.Optional(Type.String()),
    review_every: Type.Optional(Type.String()),
    tags: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])),
  },
  { additionalProperties: true, description: `Prefilled page fields: ${TEMPLATE_FIELDS.join(', ')}.` },
);
const TemplateWrite = Type.Object(
  {
    name: Type.String({ maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    front_matter: Type.Optional(TemplateFrontMatter),
    body: Type.String({ maxLength: 4 * 1024 * 1024 }),
  },
  { additionalProperties: false },
);
const TemplateReply = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  description: Type.String(),
  front_matter: TemplateFrontMatter,
  body: Type.String(),
  updated_at: Type.String({ format: 'date-time' }),
  updated_by: Type.String(),
  new_page_url: Type.String({ description: 'Where the editor starts a page from this template.' }),
});

const templateJson = (t: Template) => ({ id: t.id, name: t.name, description: t.description, front_matter: t.frontMatter, body: t.body, updated_at: t.updatedAt, updated_by: t.updatedBy, new_page_url: `/new?template=${t.id}` });

/** Drafts (private to their author) and page templates, as JSON. */
export async function writingApiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  const summaryOf = (d: Draft) => ({ slug: d.slug, new: d.isNew, title: d.fields.title?.trim() || (d.isNew ? 'Untitled new page' : app.store.pages.head(d.slug)?.title ?? d.slug), base_version: d.baseVersion, updated_at: d.updatedAt });
  /** The draft with how it differs from the page as it is now, so the editor can offer it knowingly. */
  const draftJson = (d: Draft) => {
    const current = d.isNew ? null : getCurrentPage(app.store, d.slug);
    const now: Record<string, string> = current ? valuesFromFrontMatter(current.frontMatter, current.body) : {};
    const fields = DRAFT_FIELDS.filter((f) => f !== 'body' && f !== 'summary')
      .map((field) => ({ field, from: (now[field] ?? '').trim(), to: (d.fields[field] ?? '').trim() }))
      .filter((c) => c.from !== c.to && d.fields[c.field] !== undefined);
    return {
      ...summaryOf(d),
      fields: d.fields,
      current_version: current?.version ?? null,
      moved_on: current !== null && d.baseVersion !== null && d.baseVersion < current.version,
      changes: { fields, body: diffBody(current?.body ?? '', d.fields.body ?? '').filter((l) => l.kind !== 'same') },
    };
  };

  r.get('/api/drafts', { config: { access: 'write' }, schema: { description: "The signed-in person's drafts, newest first, new pages included.", response: { 200: Type.Object({ drafts: Type.Array(DraftSummary) }) } } }, async (request) => ({
    drafts: listDrafts(commandContext(app, request)).filter((d) => !request.hidden.has(d.slug)).map(summaryOf),
  }));

  r.get('/api/pages/:slug/draft', { config: { access: 'write' }, schema: { description: "The signed-in person's draft of this page; 404 when they have none.", params: SlugParams, response: { 200: DraftReply, 404: ErrorReply } } }, async (request) =>
    draftJson(getDraft(commandContext(app, request), request.params.slug)),
  );

  r.put(
    '/api/pages/:slug/draft',
    {
      config: { access: 'write' },
      schema: {
        description: 'Keeps the signed-in person\'s draft of this page (or of a new page, under a key "new-" and 8 to 40 letters or digits), replacing the earlier one. A draft that looks like it holds patient information is not stored: 422 with each finding.',
        params: SlugParams,
        body: DraftWrite,
        response: { 200: DraftReply, 400: ErrorReply, 404: ErrorReply, 413: ErrorReply, 422: ErrorReply },
      },
    },
    async (request) => draftJson(saveDraft(commandContext(app, request), { slug: request.params.slug, baseVersion: request.body.base_version ?? null, fields: request.body.fields })),
  );

  r.delete('/api/pages/:slug/draft', { config: { access: 'write' }, schema: { description: 'Discards the signed-in person\'s draft of this page.', params: SlugParams, response: { 200: Type.Object({ slug: Type.String(), discarded: Type.Literal(true) }), 404: ErrorReply } } }, async (request) => {
    discardDraft(commandContext(app, request), { slug: request.params.slug });
    return { slug: request.params.slug, discarded: true as const };
  });

  r.get('/api/templates', { config: { access: 'read' }, schema: { response: { 200: Type.Object({ templates: Type.Array(TemplateReply) }) } } }, async () => ({
    templates: listTemplates({ store: app.store }).map(templateJson),
  }));

  const input = (b: { name: string; description?: string; front_matter?: Record<string, unknown>; body: string }) => ({ name: b.name, description: b.description, frontMatter: b.front_matter ?? {}, body: b.body });

  r.post('/api/templates', { config: { access: 'admin' }, schema: { body: TemplateWrite, response: { 201: TemplateReply, 400: ErrorReply, 409: ErrorReply, 422: ErrorReply } } }, async (request, reply) => {
    const t = createTemplate(commandContext(app, request), input(request.body));
    reply.status(201).header('Location', `/api/templates/${t.id}`);
    return templateJson(t);
  });

  r.put(
    '/api/templates/:id',
    { config: { access: 'admin' }, schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), body: TemplateWrite, response: { 200: TemplateReply, 400: ErrorReply, 404: ErrorReply, 409: ErrorReply, 422: ErrorReply } } },
    async (request) => templateJson(updateTemplate(commandContext(app, request), request.params.id, input(request.body))),
  );
}
