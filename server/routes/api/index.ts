import type { FastifyInstance } from 'fastify';
import { withoutHidden } from '../../auth/visibility.js';
import { Type, type Static } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createPage, restorePage, savePage, setArchived } from '../../pages/commands.js';
import { blame, diffVersions } from '../../pages/history.js';
import { DiffQuery, defaultRange } from '../html/history.js';
import { ConflictError, PayloadTooLargeError } from '../../pages/errors.js';
import { getCurrentPage, getPageVersion, listPages, listVersions, pageAsOf } from '../../pages/queries.js';
import { parseAsOf } from '../html/as-of.js';
import { diffBody, diffFrontMatter } from '../../pages/diff.js';
import { FrontMatterSchema, Slug } from '../../pages/schema.js';
import type { PageVersion } from '../../pages/model.js';
import { checkRenders, commandContext, phiOverrideOf } from '../html/pages.js';
import { toErrorBody } from '../errors.js';

const SlugParams = Type.Object({ slug: Slug });
const VersionParams = Type.Object({ slug: Slug, n: Type.Integer({ minimum: 1 }) });

/** A page write: the front matter fields, flat, plus the markdown body and the change summary. */
const PageWrite = Type.Composite(
  [
    FrontMatterSchema,
    Type.Object({
      body: Type.String(),
      summary: Type.Optional(Type.String({ maxLength: 500 })),
      /** Admins only: why what the PHI guard found is not patient information. */
      phi_override_reason: Type.Optional(Type.String({ maxLength: 500 })),
    }),
  ],
  { additionalProperties: false },
);
const PageCreate = Type.Composite([PageWrite, Type.Object({ slug: Type.Optional(Type.String({ maxLength: 80 })) })], { additionalProperties: false });
const PageUpdate = Type.Composite([PageWrite, Type.Object({ summary: Type.String({ minLength: 1, maxLength: 500 }), base_version: Type.Integer({ minimum: 1 }) })], { additionalProperties: false });

const ErrorReply = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    message: Type.String(),
    field: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
const PageReply = Type.Object({ slug: Type.String(), version: Type.Integer(), author: Type.String(), updated_at: Type.String(), summary: Type.String(), hash: Type.String(), body: Type.String(), html: Type.String() }, { additionalProperties: true });

function splitWrite(input: Static<typeof PageWrite>) {
  const { body, summary, ...frontMatter } = input as Static<typeof PageWrite> & { slug?: string; base_version?: number };
  delete (frontMatter as Record<string, unknown>).slug;
  delete (frontMatter as Record<string, unknown>).base_version;
  delete (frontMatter as Record<string, unknown>).phi_override_reason;
  return { body, summary, frontMatter };
}

export async function apiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  /**
   * A page in JSON is flat: its front matter, its body, and what version this is. It is also the answer
   * to a committed write, so the rendering never fails it: a version that cannot be rendered (or a
   * renderer that fails) comes back with a notice in `html`, and the write still reads as done.
   */
  const pageJson = async (page: PageVersion) => ({
    slug: page.slug,
    ...page.frontMatter,
    body: page.body,
    version: page.version,
    author: page.author,
    updated_at: page.createdAt,
    summary: page.summary,
    hash: page.hash,
    archived: page.archived,
    html: await app.renderer.render(page.hash, 'body', page.body).then(
      (r) => r.html,
      (e: unknown) => {
        app.log.error({ err: e, slug: page.slug, version: page.version }, 'rendering a page failed');
        return '<p class="notice render-refused">This version was saved but cannot be displayed right now.</p>';
      },
    ),
  });

  r.get('/healthz', { config: { access: 'public' }, schema: { response: { 200: Type.Object({ status: Type.Literal('ok'), pages: Type.Integer() }) } } }, async () => ({
    status: 'ok' as const,
    pages: app.store.pages.count(),
  }));

  r.get(
    '/api/pages',
    {
      config: { access: 'read' },
      schema: { querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })), offset: Type.Optional(Type.Integer({ minimum: 0 })) }) },
    },
    async (request) => {
      const limit = request.query.limit ?? 1_000_000;
      const offset = request.query.offset ?? 0;
      let { total, pages } = request.hidden.size ? listPages(app.store, 1_000_000, 0) : listPages(app.store, limit, offset);
      if (request.hidden.size) {
        // Restricted pages this reader may not see are not counted either.
        const seen = withoutHidden(request.hidden, pages);
        total = seen.length;
        pages = seen.slice(offset, offset + limit);
      }
      return {
        total,
        limit: request.query.limit ?? null,
        offset,
        pages: pages.map((p) => ({ slug: p.slug, ...p.frontMatter, version: p.version, updated_at: p.updatedAt })),
      };
    },
  );

  r.get(
    '/api/pages/:slug',
    { config: { access: 'read' }, schema: { params: SlugParams, querystring: Type.Object({ as_of: Type.Optional(Type.String({ maxLength: 40 })) }), response: { 200: PageReply, 404: ErrorReply } } },
    async (request) =>
      pageJson(request.query.as_of === undefined ? getCurrentPage(app.store, request.params.slug) : pageAsOf(app.store, request.params.slug, parseAsOf(request.query.as_of))),
  );

  r.post('/api/pages', { config: { access: 'write' }, schema: { body: PageCreate, response: { 201: PageReply, 400: ErrorReply, 409: ErrorReply } } }, async (request, reply) => {
    const slug = (request.body as { slug?: string }).slug;
    const rendered = await checkRenders(app, request.body);
    const page = createPage(commandContext(app, request, { ...rendered, phiOverride: phiOverrideOf(request, request.body.phi_override_reason) }), { ...splitWrite(request.body), slug });
    reply.status(201).header('Location', `/api/pages/${page.slug}`);
    return pageJson(page);
  });

  r.put('/api/pages/:slug', { config: { access: 'write' }, schema: { params: SlugParams, body: PageUpdate } }, async (request, reply) => {
    const rendered = await checkRenders(app, request.body);
    try {
      const result = savePage(commandContext(app, request, { ...rendered, phiOverride: phiOverrideOf(request, request.body.phi_override_reason) }), request.params.slug, { ...splitWrite(request.body), baseVersion: request.body.base_version });
      return { ...(await pageJson(result.page)), unchanged: result.unchanged };
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
      // The refused draft is not stored anywhere, so the answer tells the client exactly what moved.
      const base = getPageVersion(app.store, request.params.slug, e.baseVersion);
      const current = getCurrentPage(app.store, request.params.slug);
      return reply.status(409).send({
        ...toErrorBody(e),
        changes: { fields: diffFrontMatter(base.frontMatter, current.frontMatter), body: diffBody(base.body, current.body).filter((l) => l.kind !== 'same') },
        current: await pageJson(current),
      });
    }
  });

  r.get('/api/pages/:slug/versions', { config: { access: 'read' }, schema: { params: SlugParams } }, async (request) => ({
    slug: request.params.slug,
    versions: listVersions(app.store, request.params.slug).map((v) => ({
      version: v.version,
      author: v.author,
      created_at: v.createdAt,
      summary: v.summary,
      hash: v.hash,
      prev_hash: v.prevHash,
    })),
  }));

  r.get('/api/pages/:slug/versions/:n', { config: { access: 'read' }, schema: { params: VersionParams, response: { 200: PageReply, 404: ErrorReply } } }, async (request) =>
    pageJson(getPageVersion(app.store, request.params.slug, request.params.n)),
  );

  r.get('/api/pages/:slug/diff', { config: { access: 'read' }, schema: { params: SlugParams, querystring: DiffQuery } }, async (request) => {
    const current = getCurrentPage(app.store, request.params.slug);
    const { from, to } = defaultRange(current.version, request.query.from, request.query.to);
    const diff = diffVersions(app.store, current.slug, from, to);
    return { slug: diff.slug, from: diff.from, to: diff.to, fields: diff.fields, body: diff.lines, stats: diff.stats };
  });

  r.get('/api/pages/:slug/blame', { config: { access: 'read' }, schema: { params: SlugParams } }, async (request) => {
    const current = getCurrentPage(app.store, request.params.slug);
    return {
      slug: current.slug,
      version: current.version,
      lines: blame(app.store, current.slug).map((l) => ({ number: l.number, text: l.text, version: l.version, author: l.author, created_at: l.createdAt, summary: l.summary })),
    };
  });

  r.post(
    '/api/pages/:slug/restore',
    {
      config: { access: 'write' },
      schema: { params: SlugParams, body: Type.Object({ version: Type.Integer({ minimum: 1 }), summary: Type.String({ maxLength: 400 }) }, { additionalProperties: false }) },
    },
    async (request) => pageJson(restorePage(commandContext(app, request), request.params.slug, request.body).page),
  );

  for (const action of ['archive', 'unarchive'] as const) {
    r.post(
      `/api/pages/:slug/${action}`,
      { config: { access: 'write' }, schema: { params: SlugParams, body: Type.Object({ summary: Type.String({ maxLength: 500 }) }, { additionalProperties: false }) } },
      async (request) => pageJson(setArchived(commandContext(app, request), request.params.slug, action === 'archive', request.body.summary)),
    );
  }

  r.post(
    '/api/preview',
    {
      config: { access: 'write' },
      schema: { body: Type.Object({ body: Type.String() }, { additionalProperties: false }) },
    },
    async (request, reply) => {
      if (Buffer.byteLength(request.body.body, 'utf8') > app.config.maxBodyBytes) {
        throw new PayloadTooLargeError('The text is larger than the page size limit.');
      }
      return reply.send({ html: (await app.renderer.renderDraft(request.body.body)).html });
    },
  );
}
