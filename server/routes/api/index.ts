import type { FastifyInstance, FastifyRequest } from 'fastify';
import { redactHtml, redactText, redactValue, redactVersion, RESTRICTED_PAGE } from '../../auth/visibility.js';
import { Type, type Static } from '@sinclair/typebox';
import { listAnswer, ListLimit } from './list-paging.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createPage, renamePage, restorePage, savePage, setArchived } from '../../pages/commands.js';
import { blame, diffVersions } from '../../pages/history.js';
import { DiffQuery, defaultRange } from '../html/history.js';
import { ConflictError, PayloadTooLargeError } from '../../core/errors.js';
import { getCurrentPage, getPageVersion, listVersions, pageAsOf } from '../../pages/queries.js';
import { parseAsOf } from '../html/as-of.js';
import { diffBody, diffFrontMatter } from '../../pages/diff.js';
import { FrontMatterInput, Slug, type FrontMatter } from '../../pages/schema.js';
import type { PageVersion } from '../../pages/model.js';
import { commandContext, phiOverrideOf, checkRenders } from '../command-context.js';
import { toErrorBody } from '../errors.js';
import { ValidationError, type FieldError } from '../../pages/errors.js';
import {
  BlameReply,
  ConflictReply,
  DiffReply,
  ErrorReply,
  HealthzReply,
  PageListReply,
  PageReply,
  PreviewReply,
  SavedPageReply,
  VersionsReply,
} from './schemas.js';

/** Pages per answer of GET /api/pages when no limit is given, and the most one answer holds. */
const API_PAGE_DEFAULT = 100;
const API_PAGE_MAX = 1000;
/** A page's versions per answer: more than most pages ever have, so existing callers still get them all at once. */
const VERSIONS_MAX = 1000;

const SlugParams = Type.Object({ slug: Slug });
const VersionParams = Type.Object({ slug: Slug, n: Type.Integer({ minimum: 1 }) });

/**
 * A page write: the front matter fields, flat, plus the markdown body and the change summary. The fields
 * are only typed here: they are normalized and checked once, by the page commands, as the form's are.
 */
const PageWrite = Type.Composite(
  [
    FrontMatterInput,
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
/**
 * A save: the page as GET returned it, changed. Its read-only fields may come back as they were read; the
 * summary and base_version are required, and checked (with every other field) by the save itself.
 */
const PageUpdate = Type.Composite(
  [
    PageWrite,
    Type.Object({
      summary: Type.Optional(Type.String({ description: 'Required: what changed and why.' })),
      base_version: Type.Optional(Type.Integer({ description: 'The version the edit started from; `version`, as read, does as well.' })),
      slug: Type.Optional(Type.String({ description: 'Read-only; must be this page\'s slug.' })),
      version: Type.Optional(Type.Integer({ description: 'The version read: stands for base_version.' })),
      author: Type.Optional(Type.String({ description: 'Read-only.' })),
      updated_at: Type.Optional(Type.String({ description: 'Read-only.' })),
      hash: Type.Optional(Type.String({ description: 'Read-only.' })),
      html: Type.Optional(Type.String({ description: 'Read-only: rendered from body.' })),
      archived: Type.Optional(Type.Boolean({ description: 'Read-only: use the archive and unarchive routes.' })),
    }),
  ],
  { additionalProperties: false },
);
type PageUpdate = Static<typeof PageUpdate>;

/** Fields a page read has that a save sets by itself: sent back as read they are ignored, changed they are refused. */
const READ_ONLY = ['author', 'updated_at', 'hash', 'html', 'archived'] as const;
const READ_ONLY_HOW: Record<(typeof READ_ONLY)[number], string> = {
  author: 'is set to whoever saves',
  updated_at: 'is set when the page is saved',
  hash: "is computed from the saved version and the page's chain",
  html: 'is rendered from body: change body instead',
  archived: 'cannot change by saving: use POST /api/pages/{slug}/archive or /unarchive',
};

/**
 * Whether two renderings of a page say the same. A wiki link's markup depends on whether its target exists
 * yet, and its text on the target's title, both of which can change after a page was read: each link is
 * compared by its target alone.
 */
const WIKILINK = /<a href="(?:\/p\/|\/new\?slug=)([^"]+)"(?: title="[^"]*")? class="wikilink(?: missing)?">[^<]*<\/a>/g;
const sameHtml = (a: string, b: string) => a.replace(WIKILINK, '<a data-wikilink="$1"></a>') === b.replace(WIKILINK, '<a data-wikilink="$1"></a>');

function splitWrite(input: Static<typeof PageWrite>) {
  const { body, summary, ...frontMatter } = input as Static<typeof PageWrite> & { slug?: string; base_version?: number };
  for (const key of ['slug', 'base_version', 'phi_override_reason', 'version', ...READ_ONLY]) delete (frontMatter as Record<string, unknown>)[key];
  return { body, summary, frontMatter };
}

/**
 * A page read from this API names pages the reader may not see as "a restricted page"; sent back as it
 * was read, that placeholder is not a slug to save. It is dropped, and the save keeps the real references.
 */
async function dropRestrictedPlaceholders(request: FastifyRequest): Promise<void> {
  const body = request.body as Record<string, unknown> | null;
  if (!body || typeof body !== 'object') return;
  for (const field of ['supersedes', 'superseded_by']) {
    const list = body[field];
    if (Array.isArray(list) && list.includes(RESTRICTED_PAGE)) body[field] = list.filter((s) => s !== RESTRICTED_PAGE);
  }
}

export async function apiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  /**
   * A page in JSON is flat: its front matter, its body, and what version this is. Pages this reader may
   * not see are named "a restricted page" wherever this one refers to them. It is also the answer to a
   * committed write, so the rendering never fails it: a version that cannot be rendered (or a renderer
   * that fails) comes back with a notice in `html`, and the write still reads as done.
   */
  const pageJson = async (page: PageVersion, hidden: ReadonlySet<string>) => {
    const shown = redactVersion(page, hidden);
    const html = await app.renderer.render(page.hash, 'body', page.body, page.slug).then(
      (r) => redactHtml(r.html, hidden),
      (e: unknown) => {
        app.log.error({ err: e, slug: page.slug, version: page.version }, 'rendering a page failed');
        return '<p class="notice render-refused">This version was saved but cannot be displayed right now.</p>';
      },
    );
    return {
      slug: page.slug,
      ...shown.frontMatter,
      body: shown.body,
      version: page.version,
      author: page.author,
      updated_at: page.createdAt,
      summary: shown.summary,
      hash: page.hash,
      archived: page.archived,
      html,
    };
  };

  /**
   * The version a save starts from, after checking the read-only fields against the version that was read:
   * the same values are ignored, a different one is refused by name (a different slug says how to rename).
   */
  const baseOfSave = async (slug: string, input: PageUpdate, hidden: Set<string>): Promise<number> => {
    const errors: FieldError[] = [];
    if (input.slug !== undefined && input.slug !== slug) {
      errors.push({
        field: 'slug',
        message:
          `slug cannot change by saving: this is "${slug}". To rename it, POST /api/pages/${slug}/rename with "slug": "${input.slug}" ` +
          `(old links and URLs keep working). If it is a different decision, create it under the new slug and mark this one superseded.`,
      });
    }
    if (input.version !== undefined && input.base_version !== undefined && input.version !== input.base_version) {
      errors.push({ field: 'version', message: `version (${input.version}) and base_version (${input.base_version}) disagree: send the version you read, as either one.` });
    }
    const base = input.base_version ?? input.version;
    const sent = READ_ONLY.filter((f) => input[f] !== undefined);
    const head = app.store.pages.head(slug);
    if (errors.length === 0 && base !== undefined && sent.length > 0 && head && base >= 1 && base <= head.current_version) {
      const read = await pageJson(getPageVersion(app.store, slug, base), hidden);
      for (const f of sent) {
        const same = f === 'html' ? sameHtml(input.html ?? '', read.html) : input[f] === read[f];
        if (!same) errors.push({ field: f, message: `${f} is read-only: it ${READ_ONLY_HOW[f]}. Send it as read from version ${base}, or leave it out.` });
      }
    }
    if (errors.length > 0) throw new ValidationError(errors);
    return base ?? Number.NaN;
  };

  r.get('/healthz', { config: { access: 'public' }, schema: { response: { 200: HealthzReply } } }, async () => ({
    status: 'ok' as const,
    // Anyone may ask, signed in or not: restricted pages are not counted, so their number is not given away.
    pages: app.store.pages.openCount(),
    // A monitor alerts on a growing backlog: the SIEM is missing events. Counts only, no addresses or errors.
    ...(app.syslog ? { siem: { connected: app.syslog.status().connected, backlog: app.syslog.status().backlog } } : {}),
  }));

  r.get(
    '/api/pages',
    {
      config: { access: 'read' },
      schema: {
        description:
          `Listed pages in slug order, at most \`limit\` (default ${API_PAGE_DEFAULT}, at most ${API_PAGE_MAX}) per answer. While more remain, \`next\` ` +
          '(and a `Link: <…>; rel="next"` header) is the address of the rest: following it reads every page once, also while pages are being added, ' +
          'since it continues after the last slug given rather than at a count. `offset` still works for scripts that count.',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: API_PAGE_MAX, description: `How many pages per answer; ${API_PAGE_DEFAULT} when left out.` })),
          offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000_000 })),
          after: Type.Optional(Type.String({ maxLength: 200, description: 'Continue after this slug (as `next` does).' })),
        }),
        response: { 200: PageListReply },
      },
    },
    async (request, reply) => {
      const limit = request.query.limit ?? API_PAGE_DEFAULT;
      const offset = request.query.offset ?? 0;
      if (request.query.after !== undefined && request.query.offset !== undefined) {
        throw new ValidationError([{ field: 'after', message: 'Send either after (from a next link) or offset, not both.' }]);
      }
      // Restricted pages this reader may not see are left out in the query, before counting and paging.
      const rows = request.query.after !== undefined ? app.store.pages.listAfter(request.query.after, request.hidden, limit + 1) : app.store.pages.listPage(request.hidden, limit + 1, offset);
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      const next = more ? `/api/pages?${new URLSearchParams({ limit: String(limit), after: page[page.length - 1]!.slug }).toString()}` : undefined;
      if (next) reply.header('Link', `<${next}>; rel="next"`);
      return {
        total: app.store.pages.visibleCount(request.hidden),
        limit,
        offset,
        ...(next ? { next } : {}),
        pages: page.map((p) => ({ slug: p.slug, ...redactValue(JSON.parse(p.front_matter) as FrontMatter, request.hidden), version: p.current_version, updated_at: p.updated_at })),
      };
    },
  );

  r.get(
    '/api/pages/:slug',
    {
      config: { access: 'read' },
      schema: { params: SlugParams, querystring: Type.Object({ as_of: Type.Optional(Type.String({ maxLength: 40 })) }), response: { 200: PageReply, 404: ErrorReply } },
      // The date is checked before the page is looked for, for a page someone may not see as for a missing one.
      preHandler: async (request) => void (request.query.as_of === undefined || parseAsOf(request.query.as_of)),
    },
    async (request) =>
      pageJson(request.query.as_of === undefined ? getCurrentPage(app.store, request.params.slug) : pageAsOf(app.store, request.params.slug, parseAsOf(request.query.as_of)), request.hidden),
  );

  r.post('/api/pages', { config: { access: 'write' }, schema: { body: PageCreate, response: { 201: PageReply, 400: ErrorReply, 409: ErrorReply, 413: ErrorReply, 422: ErrorReply } } }, async (request, reply) => {
    const slug = (request.body as { slug?: string }).slug;
    const rendered = await checkRenders(app, request.body);
    const page = createPage(commandContext(app, request, { ...rendered, phiOverride: phiOverrideOf(request.body.phi_override_reason) }), { ...splitWrite(request.body), slug });
    reply.status(201).header('Location', `/api/pages/${page.slug}`);
    return pageJson(page, request.hidden);
  });

  r.put(
    '/api/pages/:slug',
    {
      config: { access: 'write' },
      schema: {
        description: 'Saves a new version. Send the page as GET returned it, changed, with a `summary` of this change (the one read describes the version read: replace it). Read-only fields sent back as read are ignored, and `version` stands for `base_version`.',
        params: SlugParams,
        body: PageUpdate,
        response: { 200: SavedPageReply, 400: ErrorReply, 409: ConflictReply, 413: ErrorReply, 422: ErrorReply },
      },
      preValidation: dropRestrictedPlaceholders,
    },
    async (request, reply) => {
      const baseVersion = await baseOfSave(request.params.slug, request.body, request.hidden);
      const rendered = await checkRenders(app, request.body);
      try {
        const result = savePage(commandContext(app, request, { ...rendered, phiOverride: phiOverrideOf(request.body.phi_override_reason) }), { slug: request.params.slug, ...splitWrite(request.body), baseVersion });
        return { ...(await pageJson(result.page, request.hidden)), unchanged: result.unchanged };
      } catch (e) {
        if (!(e instanceof ConflictError)) throw e;
        // The refused draft is not stored anywhere, so the answer tells the client exactly what moved.
        const base = redactVersion(getPageVersion(app.store, request.params.slug, e.baseVersion), request.hidden);
        const current = getCurrentPage(app.store, request.params.slug);
        const shown = redactVersion(current, request.hidden);
        return reply.status(409).send({
          ...toErrorBody(e),
          changes: { fields: diffFrontMatter(base.frontMatter, shown.frontMatter), body: diffBody(base.body, shown.body).filter((l) => l.kind !== 'same') },
          current: await pageJson(current, request.hidden),
        });
      }
    },
  );

  r.get(
    '/api/pages/:slug/versions',
    {
      config: { access: 'read' },
      schema: {
        description: `A page's versions, newest first, at most \`limit\` (default and maximum ${VERSIONS_MAX}) per answer. While more remain, \`next\` (and a \`Link: <…>; rel="next"\` header) is the address of the older ones.`,
        params: SlugParams,
        querystring: Type.Object({
          limit: ListLimit(VERSIONS_MAX, VERSIONS_MAX),
          after: Type.Optional(Type.Integer({ minimum: 1, description: 'Continue with the versions older than this one (as `next` does).' })),
        }),
        response: { 200: VersionsReply },
      },
    },
    async (request, reply) => {
      const { slug } = request.params;
      const limit = request.query.limit ?? VERSIONS_MAX;
      const after = request.query.after === undefined ? undefined : String(request.query.after);
      const answer = listAnswer(reply, listVersions(app.store, slug), (v) => String(v.version), { limit, after }, (last) => `/api/pages/${slug}/versions?${new URLSearchParams({ limit: String(limit), after: last }).toString()}`);
      return {
        slug,
        total: answer.total,
        limit: answer.limit,
        ...(answer.next ? { next: answer.next } : {}),
        versions: answer.items.map((v) => ({
          version: v.version,
          author: v.author,
          created_at: v.createdAt,
          summary: redactText(v.summary, request.hidden),
          hash: v.hash,
          prev_hash: v.prevHash,
        })),
      };
    },
  );

  r.get('/api/pages/:slug/versions/:n', { config: { access: 'read' }, schema: { params: VersionParams, response: { 200: PageReply, 404: ErrorReply } } }, async (request) =>
    pageJson(getPageVersion(app.store, request.params.slug, request.params.n), request.hidden),
  );

  r.get('/api/pages/:slug/diff', { config: { access: 'read' }, schema: { params: SlugParams, querystring: DiffQuery, response: { 200: DiffReply } } }, async (request) => {
    const current = getCurrentPage(app.store, request.params.slug);
    const { from, to } = defaultRange(current.version, request.query.from, request.query.to);
    const diff = diffVersions(app.store, current.slug, from, to, request.hidden);
    return { slug: diff.slug, from: diff.from, to: diff.to, fields: diff.fields, body: diff.lines, stats: diff.stats };
  });

  r.get('/api/pages/:slug/blame', { config: { access: 'read' }, schema: { params: SlugParams, response: { 200: BlameReply } } }, async (request) => {
    const current = getCurrentPage(app.store, request.params.slug);
    return {
      slug: current.slug,
      version: current.version,
      lines: blame(app.store, current.slug, request.hidden).map((l) => ({ number: l.number, text: l.text, version: l.version, author: l.author, created_at: l.createdAt, summary: l.summary })),
    };
  });

  r.post(
    '/api/pages/:slug/restore',
    {
      config: { access: 'write' },
      schema: { params: SlugParams, body: Type.Object({ version: Type.Integer({ minimum: 1 }), summary: Type.String({ maxLength: 400 }) }, { additionalProperties: false }), response: { 200: PageReply } },
    },
    async (request) => pageJson(restorePage(commandContext(app, request), { ...request.body, slug: request.params.slug }).page, request.hidden),
  );

  for (const action of ['archive', 'unarchive'] as const) {
    r.post(
      `/api/pages/:slug/${action}`,
      { config: { access: 'write' }, schema: { params: SlugParams, body: Type.Object({ summary: Type.String({ maxLength: 500 }) }, { additionalProperties: false }), response: { 200: PageReply } } },
      async (request) => pageJson(setArchived(commandContext(app, request), { slug: request.params.slug, archived: action === 'archive', summary: request.body.summary }), request.hidden),
    );
  }

  r.post(
    '/api/pages/:slug/rename',
    {
      config: { access: 'write' },
      schema: {
        description: 'Moves the page to a new slug: a new version and an audit event. The old URLs answer 301 to the new ones and [[old-slug]] links keep leading to the page. A slug any page has or had is refused (409).',
        params: SlugParams,
        body: Type.Object({ slug: Type.String({ maxLength: 200 }), summary: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
        response: { 200: PageReply, 400: ErrorReply, 404: ErrorReply, 409: ErrorReply },
      },
    },
    async (request, reply) => {
      const page = renamePage(commandContext(app, request), { slug: request.params.slug, to: request.body.slug, summary: request.body.summary });
      reply.header('Location', `/api/pages/${page.slug}`);
      return pageJson(page, request.hidden);
    },
  );

  r.post(
    '/api/preview',
    {
      config: { access: 'write' },
      schema: {
        body: Type.Object({ body: Type.String(), slug: Type.Optional({ ...Slug, description: "The page being edited, so that its own screenshots show in the preview." }) }, { additionalProperties: false }),
        response: { 200: PreviewReply, 413: ErrorReply },
      },
    },
    async (request, reply) => {
      if (Buffer.byteLength(request.body.body, 'utf8') > app.config.maxBodyBytes) {
        throw new PayloadTooLargeError('The text is larger than the page size limit.');
      }
      // A page the editor may not see lends the preview none of its files.
      const slug = request.body.slug && !request.hidden.has(request.body.slug) ? request.body.slug : undefined;
      return reply.send({ html: redactHtml((await app.renderer.renderDraft(request.body.body, slug)).html, request.hidden) });
    },
  );
}
