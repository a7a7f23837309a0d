import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TOptional, type TString } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { changeStatus, createPage, PhiRefused, savePage } from '../../pages/commands.js';
import { commandContext, phiOverrideOf } from '../command-context.js';
import { markReviewed } from '../../pages/review.js';
import { pagesOf } from '../../reports/knowledge.js';
import { currentKnowledge } from '../api/turnover.js';
import { withoutHidden } from '../../auth/visibility.js';
import { sendError } from '../errors.js';
import { STATUS_TRANSITIONS } from '../../pages/lifecycle.js';
import { FRONT_MATTER_FIELDS, type PageStatus } from '../../pages/schema.js';
import { ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError, ValidationError } from '../../core/errors.js';
import { headReviewInput, mayReview, reviewState } from '../../pages/review.js';
import type { PageHeadRow } from '../../store/pages.js';
import type { SessionUser } from '../../auth/accounts.js';
import { backlinks, getCurrentPage, getPageVersion, listPages, recentChanges } from '../../pages/queries.js';
import { diffBody, diffFrontMatter } from '../../pages/diff.js';
import type { PageVersion } from '../../pages/model.js';
import { Slug } from '../../pages/schema.js';
import { PageHtmlCache, PERSONAL_PLACEHOLDERS } from './page-cache.js';
import { closedForm } from './forms.js';
import { withFormUpload } from '../files.js';
import { draftFromValues, formChoices, valuesFromForm, valuesFromFrontMatter, type FormValues, type PageFormBody } from './page-form.js';

const SlugParams = Type.Object({ slug: Slug });
/** The page form: every field it has, as text, and nothing else (an unknown field is refused with its name). */
const FormBody = Type.Object(
  {
    ...(Object.fromEntries(
      [...FRONT_MATTER_FIELDS, 'body', 'summary', 'slug', 'base_version', '_csrf', 'phi_override_reason', 'file_alt'].map((f) => [f, Type.Optional(Type.String({ maxLength: f === 'body' ? 4 * 1024 * 1024 : 40_000 }))]),
    ) as Record<string, TOptional<TString>>),
    // The form is multipart so that, without JavaScript, a file can be added with the save.
    file: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

// Kept here too so older imports of these from the page routes still resolve.
export { commandContext, phiOverrideOf } from '../command-context.js';

/** Everything a page view shows besides the raw version: rendered why and body, owners, links. */
export function pageViewModel(app: FastifyInstance, page: PageVersion, hidden: Set<string>) {
  const why = app.renderer.render(page.hash, 'why', page.frontMatter.why);
  const body = app.renderer.render(page.hash, 'body', page.body);
  const owners = page.frontMatter.owners.map((handle) => {
    const party = app.store.parties.get(handle);
    return {
      handle,
      name: party?.name ?? handle,
      href: party?.kind === 'team' ? `/teams/${handle}` : `/people/${handle}`,
      departed: party?.status === 'departed',
      kind: party?.kind ?? 'person',
    };
  });
  const author = app.store.parties.get(page.author);
  // requested_by and sponsor may be a handle or free text; a handle becomes a link to that person.
  const personRef = (value: string | undefined) => {
    if (!value) return null;
    const party = app.store.parties.get(value);
    return party ? { name: party.name, href: party.kind === 'team' ? `/teams/${party.handle}` : `/people/${party.handle}` } : { name: value, href: null };
  };
  return {
    ...page,
    fm: page.frontMatter,
    whyHtml: why.html,
    bodyHtml: body.html,
    toc: body.toc,
    owners,
    authorName: author?.name ?? page.author,
    requestedBy: personRef(page.frontMatter.requested_by),
    sponsor: personRef(page.frontMatter.sponsor),
    backlinks: withoutHidden(hidden, backlinks(app.store, page.slug)),
    successors: linkedPages(app, page.frontMatter.superseded_by?.filter((s) => !hidden.has(s))),
    predecessors: linkedPages(app, page.frontMatter.supersedes?.filter((s) => !hidden.has(s))),
  };
}

function linkedPages(app: FastifyInstance, slugs: string[] | undefined) {
  return (slugs ?? []).map((slug) => ({ slug, title: app.store.pages.head(slug)?.title ?? slug, missing: !app.store.pages.head(slug) }));
}

/** Review facts for the current version of a page: due date, overdue banner, who may mark it reviewed. */
export function pageReview(app: FastifyInstance, head: PageHeadRow, page: PageVersion, user: SessionUser) {
  const state = reviewState(headReviewInput(head, page.frontMatter), app.config.reviewDefaults, app.clock());
  const last = head.last_reviewed_by ? app.store.parties.get(head.last_reviewed_by)?.name ?? head.last_reviewed_by : null;
  return { ...state, lastReviewedByName: last, canReview: !page.archived && mayReview(app.store, user, page.frontMatter.owners) };
}

function renderForm(reply: FastifyReply, app: FastifyInstance, view: { mode: 'new' | 'edit'; values: FormValues; errors?: Record<string, string>; slug?: string; message?: string; conflict?: unknown; title: string; phi?: boolean }) {
  return reply.view('page-form', {
    ...view,
    teams: app.store.parties.all().filter((p) => p.kind === 'team'),
    ...formChoices(app.config.systems, view.values),
    errors: view.errors ?? {},
    action: view.mode === 'new' ? '/new' : `/p/${view.slug}/edit`,
    maxAttachmentMb: Math.round(app.config.maxAttachmentBytes / (1024 * 1024)),
    people: app.store.parties.all(),
  });
}

/** A refused save comes back as the same form with each message beside its field. */
function formError(error: unknown): { status: number; errors: Record<string, string>; message: string; phi?: boolean } | null {
  if (error instanceof PhiRefused) return { status: 422, errors: error.byField(), message: 'Nothing was saved: the PHI guard found what looks like patient information. Each finding is shown beside its field.', phi: true };
  if (error instanceof ValidationError) return { status: error.statusCode, errors: error.byField(), message: 'Some fields need attention; nothing was saved yet.' };
  if (error instanceof PayloadTooLargeError) return { status: 413, errors: { body: error.message }, message: error.message };
  return null;
}

export async function pageRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/', { config: { access: 'read' } }, async (request, reply) => {
    const pages = withoutHidden(request.hidden, listPages(app.store, 100_000, 0).pages);
    const systems = app.config.systems.map((system) => {
      const inSystem = pages.filter((p) => p.frontMatter.system === system);
      const modules = new Map<string, typeof inSystem>();
      for (const p of inSystem) {
        const key = p.frontMatter.module ?? 'General';
        modules.set(key, [...(modules.get(key) ?? []), p]);
      }
      return {
        system,
        count: inSystem.length,
        modules: [...modules.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([module, list]) => ({ module, pages: list.sort((a, b) => a.title.localeCompare(b.title)) })),
      };
    });
    const recent = withoutHidden(request.hidden, recentChanges(app.store, 30)).slice(0, 15).map((c) => ({ ...c, authorName: app.store.parties.get(c.author)?.name ?? c.author }));
    // A signed-in person sees the pages they answer for that are overdue or due within 30 days.
    const person = request.user?.person;
    const queue = person
      ? pagesOf(currentKnowledge(app, request.hidden), person)
          .filter((p) => p.review.overdue || p.review.dueSoon)
          .sort((a, b) => a.review.dueAt!.localeCompare(b.review.dueAt!))
      : null;
    return reply.view('home', { title: 'Home', recent, systems, pageCount: pages.length, queue });
  });

  r.get('/p/:slug', { config: { access: 'read' }, schema: { params: SlugParams } }, async (request, reply) => {
    const user = request.user!;
    const canEdit = user.role === 'editor' || user.role === 'admin';
    const locals = reply.locals ?? {};
    const head = app.store.pages.head(request.params.slug);
    if (!head) throw new NotFoundError(`There is no page "${request.params.slug}".`);
    // Whether this person may mark the page reviewed, and the minute (overdue banners appear on time).
    const reviewer = mayReview(app.store, user, app.store.pages.ownersOf(head.id)) ? 1 : 0;
    // Backlinks and links leave out pages this viewer may not see, so viewers who see different pages get different copies.
    const key = `${head.slug}\u0000${head.current_version}\u0000${user.role}\u0000${user.source}\u0000${reviewer}\u0000${[...request.hidden].sort().join(',')}\u0000${Math.floor(app.clock().getTime() / 60_000)}`;
    let html = app.pageHtml.get(key);
    if (!html) {
      const page = getCurrentPage(app.store, request.params.slug);
      const review = pageReview(app, head, page, user);
      html = await reply.viewAsync('page', { ...locals, ...PERSONAL_PLACEHOLDERS, user: { ...PERSONAL_PLACEHOLDERS.user, source: user.source }, title: page.frontMatter.title, page: pageViewModel(app, page, request.hidden), review, canEdit });
      if (page.version === head.current_version) app.pageHtml.set(key, html);
    }
    return reply.type('text/html; charset=utf-8').send(PageHtmlCache.personalize(html, user, String(locals.csrfToken ?? ''), String(locals.displayName ?? user.username)));
  });

  r.get('/p/:slug/v/:version', { config: { access: 'read' }, schema: { params: Type.Object({ slug: Slug, version: Type.Integer({ minimum: 1 }) }) } }, async (request, reply) => {
    const current = getCurrentPage(app.store, request.params.slug);
    const page = getPageVersion(app.store, request.params.slug, request.params.version);
    return reply.view('page', { title: `${page.frontMatter.title} (version ${page.version})`, page: pageViewModel(app, page, request.hidden), old: page.version !== current.version, currentVersion: current.version });
  });

  r.get('/new', { config: { access: 'write' }, schema: { querystring: Type.Object({ slug: Type.Optional(Type.String({ maxLength: 200 })) }) } }, async (request, reply) => {
    const slug = request.query.slug && new RegExp(Slug.pattern!).test(request.query.slug) ? request.query.slug : '';
    const title = slug ? slug.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ') : '';
    return renderForm(reply, app, { mode: 'new', title: 'New page', values: { slug, title, status: 'live' } });
  });

  r.post('/new', { config: { access: 'write' }, schema: { body: FormBody } }, async (request, reply) => {
    const values = valuesFromForm(request.body as PageFormBody);
    try {
      await withFormUpload(app, request, values, values.slug);
      const page = createPage(commandContext(app, request, { phiOverride: phiOverrideOf(request, (request.body as PageFormBody).phi_override_reason) }), { ...draftFromValues(values), slug: values.slug });
      return reply.redirect(`/p/${page.slug}`, 303);
    } catch (e) {
      const problem = formError(e);
      if (!problem) throw e;
      reply.status(problem.status);
      return renderForm(reply, app, { mode: 'new', title: 'New page', values, errors: problem.errors, message: problem.message, phi: problem.phi });
    }
  });

  r.get('/p/:slug/edit', { config: { access: 'write' }, schema: { params: SlugParams } }, async (request, reply) => {
    const page = getCurrentPage(app.store, request.params.slug);
    const values = { ...valuesFromFrontMatter(page.frontMatter, page.body), base_version: String(page.version) };
    return renderForm(reply, app, { mode: 'edit', title: `Edit ${page.frontMatter.title}`, slug: page.slug, values });
  });

  r.post('/p/:slug/edit', { config: { access: 'write' }, schema: { params: SlugParams, body: FormBody } }, async (request, reply) => {
    const slug = request.params.slug;
    const values = valuesFromForm(request.body as PageFormBody);
    try {
      await withFormUpload(app, request, values, slug);
      savePage(commandContext(app, request, { phiOverride: phiOverrideOf(request, (request.body as PageFormBody).phi_override_reason) }), slug, { ...draftFromValues(values), baseVersion: Number(values.base_version) });
      return reply.redirect(`/p/${slug}`, 303);
    } catch (e) {
      if (e instanceof ConflictError) {
        // Show what others changed since the edit began, beside the person's own text, and let them
        // save again on top of the new version once they have merged.
        const base = getPageVersion(app.store, slug, e.baseVersion);
        const current = getCurrentPage(app.store, slug);
        reply.status(409);
        return renderForm(reply, app, {
          mode: 'edit',
          title: `Edit ${current.frontMatter.title}`,
          slug,
          values: { ...values, base_version: String(current.version) },
          message: e.message,
          conflict: {
            base: base.version,
            current: current.version,
            author: current.author,
            summary: current.summary,
            fields: diffFrontMatter(base.frontMatter, current.frontMatter),
            body: diffBody(base.body, current.body).filter((l) => l.kind !== 'same'),
          },
        });
      }
      const problem = formError(e);
      if (!problem) throw e;
      reply.status(problem.status);
      return renderForm(reply, app, { mode: 'edit', title: 'Edit page', slug, values, errors: problem.errors, message: problem.message, phi: problem.phi });
    }
  });

  r.post('/p/:slug/review', { config: { access: 'read' }, schema: { params: SlugParams, body: closedForm({ note: Type.Optional(Type.String({ maxLength: 1000 })) }) } }, async (request, reply) => {
    const head = app.store.pages.head(request.params.slug);
    if (!head) throw new NotFoundError(`There is no page "${request.params.slug}".`);
    if (!mayReview(app.store, request.user!, app.store.pages.ownersOf(head.id))) {
      return sendError(request, reply, { statusCode: 403, error: 'Forbidden', message: 'Only the page\'s owners, editors and admins can mark it reviewed.' });
    }
    markReviewed(commandContext(app, request), head.slug, request.body.note);
    return reply.redirect(`/p/${head.slug}#review`, 303);
  });

  const statusForm = (reply: FastifyReply, slug: string, values: Record<string, string>, errors: Record<string, string> = {}) => {
    const page = getCurrentPage(app.store, slug);
    const from = page.frontMatter.status;
    return reply.view('status-form', {
      title: `Change status: ${page.frontMatter.title}`,
      page,
      from,
      choices: STATUS_TRANSITIONS[from].map((s) => ({ value: s, selected: values.status === s })),
      values,
      errors,
      pages: app.store.pages.liveSlugs().filter((s) => s !== slug).sort(),
    });
  };

  r.get('/p/:slug/status', { config: { access: 'write' }, schema: { params: SlugParams } }, async (request, reply) => statusForm(reply, request.params.slug, {}));

  const StatusBody = closedForm({ status: Type.Optional(Type.String({ maxLength: 20 })), reason: Type.Optional(Type.String({ maxLength: 2000 })), superseded_by: Type.Optional(Type.String({ maxLength: 200 })) });
  r.post('/p/:slug/status', { config: { access: 'write' }, schema: { params: SlugParams, body: StatusBody } }, async (request, reply) => {
    const values = request.body as Record<string, string>;
    try {
      changeStatus(commandContext(app, request), request.params.slug, { status: values.status ?? '', reason: values.reason ?? '', supersededBy: values.superseded_by });
      return reply.redirect(`/p/${request.params.slug}`, 303);
    } catch (e) {
      const problem = formError(e);
      if (!problem) throw e;
      reply.status(problem.status);
      return statusForm(reply, request.params.slug, values, problem.errors);
    }
  });
}
