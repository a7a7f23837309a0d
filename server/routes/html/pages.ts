import { purgesOf } from '../../purge/commands.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TOptional, type TString } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { changeStatus, createPage, savePage } from '../../pages/commands.js';
import { checkRenders, commandContext, phiOverrideOf } from '../command-context.js';
import { markReviewed } from '../../pages/commands/mark-reviewed.js';
import { pagesOf } from '../../reports/knowledge.js';
import { redactHtml, redactText, redactValue, redactVersion, RESTRICTED_PAGE, withoutHidden } from '../../auth/visibility.js';
import { pathsOf } from '../../knowledge-transfer/paths.js';
import { sendError } from '../errors.js';
import { STATUS_TRANSITIONS } from '../../pages/lifecycle.js';
import { FRONT_MATTER_FIELDS, type PageStatus } from '../../pages/schema.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { refusalPage, reshowForm, type FormProblem } from './form-reshow.js';
import { headReviewInput, mayReview, reviewState } from '../../pages/review.js';
import type { PageHeadRow } from '../../store/pages.js';
import { Store } from '../../store/index.js';
import type { SessionUser } from '../../auth/accounts.js';
import { backlinks, getCurrentPage, getPageVersion } from '../../pages/queries.js';
import { diffBody, diffFrontMatter } from '../../pages/diff.js';
import type { PageVersion } from '../../pages/model.js';
import { Slug } from '../../pages/schema.js';
import { PageHtmlCache, PERSONAL_PLACEHOLDERS, setKey } from './page-cache.js';
import { isWatching, unreadCount } from '../../notify/inbox.js';
import { inboxBadgeHtml } from '../../view-helpers.js';
import { closedForm } from './forms.js';
import lunr from 'lunr';
import type { PageHit } from '../../search/engine.js';
import { MAX_CLAUSES } from '../../search/query.js';
import { setFlash, takeFlash } from './flash.js';
import { withFormUpload } from '../files.js';
import { getTemplate, listTemplates, type Template } from '../../pages/templates.js';
import { NEW_DRAFT_KEY } from '../../pages/drafts.js';
import { draftFromValues, errorSummary, formChoices, valuesFromForm, valuesFromFrontMatter, type FormValues, type PageFormBody } from './page-form.js';
import { roleAllows } from '../../core/permissions.js';
import { excerpt, pageComments } from '../comments-view.js';
import { signoffModel } from './signoff.js';
import { pageHref, pager, PageParam } from './paging.js';

/** Pages listed per page of the home page. */
const HOME_PAGE_SIZE = 100;

const SlugParams = Type.Object({ slug: Slug });
/** The page form: every field it has, as text, and nothing else (an unknown field is refused with its name). */
const FormBody = Type.Object(
  {
    ...(Object.fromEntries(
      [...FRONT_MATTER_FIELDS, 'body', 'summary', 'slug', 'base_version', '_csrf', 'phi_override_reason', 'file_alt', 'draft_key'].map((f) => [f, Type.Optional(Type.String({ maxLength: f === 'body' ? 4 * 1024 * 1024 : 40_000 }))]),
    ) as Record<string, TOptional<TString>>),
    // The form is multipart so that, without JavaScript, a file can be added with the save.
    file: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

// Kept here too so older imports of these from the page routes still resolve.
export { commandContext, phiOverrideOf } from '../command-context.js';


/** Everything a page view shows besides the raw version: rendered why and body, owners, links. */
export async function pageViewModel(app: FastifyInstance, raw: PageVersion, hidden: ReadonlySet<string>) {
  const [why, body] = await Promise.all([app.renderer.render(raw.hash, 'why', raw.frontMatter.why, raw.slug), app.renderer.render(raw.hash, 'body', raw.body, raw.slug)]);
  // Pages this viewer may not see are named "a restricted page" wherever this one refers to them.
  const page = redactVersion(raw, hidden);
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
    // Text purged from this version: the page says when, by whom and why.
    purges: purgesOf(app, raw.slug, raw.version),
    whyHtml: redactHtml(why.html, hidden),
    bodyHtml: redactHtml(body.html, hidden),
    toc: body.toc,
    owners,
    authorName: author?.name ?? page.author,
    requestedBy: personRef(page.frontMatter.requested_by),
    sponsor: personRef(page.frontMatter.sponsor),
    backlinks: withoutHidden(hidden as Set<string>, backlinks(app.store, page.slug)),
    successors: linkedPages(app, raw.frontMatter.superseded_by, hidden),
    predecessors: linkedPages(app, raw.frontMatter.supersedes, hidden),
  };
}

const RELATED_LIMIT = 5;

/**
 * Pages the search engine finds for this page's title and tags, any word counting (Lunr's optional
 * terms), without the page itself. The engine applies the viewer's restrictions. A search that is not
 * ready or fails leaves the list out: the page itself must always show.
 */
export async function relatedDecisions(app: FastifyInstance, request: FastifyRequest, page: PageVersion): Promise<PageHit[]> {
  const words = [...new Set(`${page.frontMatter.title} ${(page.frontMatter.tags ?? []).join(' ')}`.toLowerCase().split(/[^\p{L}\p{N}]+/u))]
    .filter((w) => w.length >= 3 && lunr.stopWordFilter(new lunr.Token(w, {})) !== undefined)
    .slice(0, MAX_CLAUSES);
  if (words.length === 0) return [];
  try {
    const res = await app.searchIndex.search({ q: words.map((w) => `${w}^1`).join(' '), viewer: request.viewer, limit: RELATED_LIMIT + 1 }, request.user?.username ?? request.ip);
    return (res.hits as PageHit[]).filter((h) => h.slug !== page.slug).slice(0, RELATED_LIMIT);
  } catch (e) {
    request.log.debug({ err: e }, 'related decisions unavailable');
    return [];
  }
}

/** Pages named by slug, under the slug they have now (a page named before its rename is found); hidden ones only as "a restricted page". */
function linkedPages(app: FastifyInstance, slugs: string[] | undefined, hidden: ReadonlySet<string>) {
  return (slugs ?? []).map((named) => {
    const slug = app.store.pages.head(named) ? named : app.store.renames.current(named) ?? named;
    if (hidden.has(slug)) return { slug: null, title: RESTRICTED_PAGE, missing: false, restricted: true };
    const head = app.store.pages.head(slug);
    return { slug, title: head?.title ?? slug, missing: !head, restricted: false };
  });
}

/** Review facts for the current version of a page: due date, overdue banner, who may mark it reviewed. */
export function pageReview(app: FastifyInstance, head: PageHeadRow, page: PageVersion, user: SessionUser) {
  const state = reviewState(headReviewInput(head, page.frontMatter), app.config.reviewDefaults, app.clock());
  const last = head.last_reviewed_by ? app.store.parties.get(head.last_reviewed_by)?.name ?? head.last_reviewed_by : null;
  return { ...state, lastReviewedByName: last, canReview: !page.archived && mayReview(app.store, user, page.frontMatter.owners) };
}

function renderForm(
  reply: FastifyReply,
  app: FastifyInstance,
  view: { mode: 'new' | 'edit'; values: FormValues; problem?: FormProblem; slug?: string; message?: string; conflict?: unknown; title: string; templates?: Template[]; template?: { id: number; name: string }; copiedFrom?: { slug: string; title: string } },
) {
  const { problem, ...rest } = view;
  const errors = problem?.errors ?? {};
  return reply.view('page-form', {
    ...rest,
    message: problem?.message ?? view.message,
    phi: problem?.phi,
    teams: app.store.parties.all().filter((p) => p.kind === 'team'),
    ...formChoices(app.config.systems, view.values),
    errors,
    errorList: errorSummary(errors),
    action: view.mode === 'new' ? '/new' : `/p/${view.slug}/edit`,
    maxAttachmentMb: Math.round(app.config.maxAttachmentBytes / (1024 * 1024)),
    people: app.store.parties.all(),
  });
}

/**
 * An edit that lost a race: what others changed since the edit began, beside the person's own text, so
 * they can save again on top of the new version once they have merged.
 */
function conflictForm(reply: FastifyReply, app: FastifyInstance, hidden: ReadonlySet<string>, slug: string, values: FormValues, e: ConflictError) {
  const base = redactVersion(getPageVersion(app.store, slug, e.baseVersion), hidden);
  const current = redactVersion(getCurrentPage(app.store, slug), hidden);
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

/** A comment form handed back with its text and what was wrong (nothing was saved). */
export interface CommentFormState {
  values: { body: string; kind: string; reply_to: string };
  error: string;
  status: number;
}

/**
 * The current page screen. It is cached whole per viewer kind; a comment form handed back after a refusal
 * is this person's alone, so that screen is rendered afresh and not kept.
 */
export async function pageScreen(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, commentForm?: CommentFormState) {
  const user = request.user!;
  const slug = (request.params as { slug: string }).slug;
  const canEdit = roleAllows(user.role, 'write');
  const locals = reply.locals ?? {};
  const hiddenKey = setKey(request.hidden);
  // Nothing here is read from the store again until something was written (Store.version()).
  const version = request.storeVersion();
  const facts = app.viewFacts.get(`${slug}\u0000${user.id}\u0000${user.role}\u0000${user.person ?? ''}\u0000${hiddenKey}`, version, () => {
    const head = app.store.pages.head(slug);
    if (!head) return null;
    return {
      head,
      reviewer: mayReview(app.store, user, app.store.pages.ownersOf(head.id)) ? 1 : 0,
      authored: app.store.comments.authoredBy(head.id, user.username).join(','),
      watching: isWatching(app.store, user.id, head.slug) ? 1 : 0,
    };
  });
  if (!facts) throw new NotFoundError(`There is no page "${slug}".`);
  const { head, reviewer, authored, watching } = facts;
  // Whether this person may mark the page reviewed, and the minute (overdue banners appear on time).
  // Authors may resolve their own threads: their comments' ids are part of which copy they get.
  // Backlinks and links leave out pages this viewer may not see, so viewers who see different pages get different copies.
  const key = `${head.slug}\u0000${head.current_version}\u0000${user.role}\u0000${user.source}\u0000${reviewer}\u0000${authored}\u0000${watching}\u0000${hiddenKey}\u0000${Math.floor(app.clock().getTime() / 60_000)}`;
  let view = commentForm ? undefined : app.pageHtml.get(key, Store.externalPart(version));
  if (!view) {
    const page = getCurrentPage(app.store, slug);
    const review = pageReview(app, head, page, user);
    const related = await relatedDecisions(app, request, page);
    const comments = { ...(await pageComments(app, request, head)), form: commentForm ?? { values: { kind: 'comment' } } };
    if (commentForm) reply.status(commentForm.status);
    const html = await reply.viewAsync('page', { ...locals, ...PERSONAL_PLACEHOLDERS, user: { ...PERSONAL_PLACEHOLDERS.user, source: user.source }, title: page.frontMatter.title, page: await pageViewModel(app, page, request.hidden), review, canEdit, related, comments, watching, signoff: signoffModel(app, head.slug, page.version, user) });
    view = PageHtmlCache.compile(html);
    if (page.version === head.current_version && !commentForm) app.pageHtml.set(key, view);
  }
  // The header's unread count was read for the view's locals already (viewLocals).
  const inboxBadge = locals.inboxBadge === undefined ? inboxBadgeHtml(unreadCount(app.store, user.id, request.hidden)) : String(locals.inboxBadge);
  return reply
    .type('text/html; charset=utf-8')
    .send(PageHtmlCache.personalize(view, { username: user.username, role: user.role, csrfToken: String(locals.csrfToken ?? ''), flash: takeFlash(request, head.slug), displayName: String(locals.displayName ?? user.username), inboxBadge }));
}

export async function pageRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/', { config: { access: 'read' }, schema: { querystring: Type.Object({ page: PageParam }) } }, async (request, reply) => {
    // The pages, a page at a time: each system's heading keeps its whole count, and only the slice of
    // pages that falls on this page is read (from the pages_home index), whatever the size of the wiki.
    const counts = app.store.pages.moduleCounts(request.hidden);
    let start = 0;
    const bySystem = app.config.systems.map((system) => {
      const modules = counts.filter((c) => c.system === system);
      const count = modules.reduce((n, c) => n + c.n, 0);
      const at = start;
      start += count;
      return { system, count, at, moduleCounts: new Map(modules.map((c) => [c.module.toLowerCase(), c])) };
    });
    const total = start;
    const nav = pager('/', {}, total, request.query.page ?? 1, HOME_PAGE_SIZE);
    const end = nav.offset + HOME_PAGE_SIZE;
    const systems = bySystem.map(({ system, count, at, moduleCounts }) => {
      const from = Math.max(nav.offset, at);
      const to = Math.min(end, at + count);
      const rows = to > from ? app.store.pages.inSystem(system, request.hidden, to - from, from - at) : [];
      const modules = new Map<string, { module: string; count: number; continued: boolean; pages: typeof rows }>();
      for (const row of rows) {
        const key = (row.module ?? 'General').toLowerCase();
        const counted = moduleCounts.get(key);
        const group = modules.get(key) ?? { module: counted?.module ?? row.module ?? 'General', count: counted?.n ?? 0, continued: modules.size === 0 && from > at, pages: [] };
        group.pages.push(row);
        modules.set(key, group);
      }
      // A system with no pages on this page says on which page its list begins.
      const startsOn = count > 0 && rows.length === 0 ? Math.floor(at / HOME_PAGE_SIZE) + 1 : null;
      return { system, count, modules: [...modules.values()], startsOn, startsHref: startsOn ? pageHref('/', {}, startsOn) : null };
    });
    const recent = app.store.pages.recentVisible(request.hidden, 15).map((c) => ({ slug: c.slug, title: c.title, system: c.system, version: c.version, summary: c.summary, author: c.author, createdAt: c.created_at })).map((c) => ({ ...c, summary: redactText(c.summary, request.hidden), authorName: app.store.parties.get(c.author)?.name ?? c.author }));
    // A signed-in person sees the pages they answer for that are overdue or due within 30 days.
    const person = request.user?.person;
    const mine = person ? pagesOf(app.knowledge(request.hidden, person), person) : null;
    const queue = mine
      ? mine
          .filter((p) => p.review.overdue || p.review.dueSoon)
          .sort((a, b) => a.review.dueAt!.localeCompare(b.review.dueAt!))
      : null;
    const paths = person ? pathsOf(app.store, person, request.hidden).paths : [];
    // Pages this person answers for that a reader flagged as wrong or out of date, oldest flag first.
    const owned = mine ? new Set(mine.map((p) => p.slug)) : null;
    const flagged = owned
      ? app.store.comments.openFlags().filter((f) => owned.has(f.slug) && !request.hidden.has(f.slug)).map((f) => ({ id: f.id, slug: f.slug, title: f.title, created_at: f.created_at, excerpt: excerpt(redactText(f.body, request.hidden), 100) }))
      : null;
    // Versions someone asked this person to approve that they have not signed yet.
    const awaiting = request.user ? app.store.signatures.awaiting(request.user.username).filter((a) => !request.hidden.has(a.slug)) : [];
    return reply.view('home', { title: nav.page > 1 ? `Home, page ${nav.page} of ${nav.pages}` : 'Home', recent, systems, pageCount: total, pager: nav, queue, paths, flagged, awaiting });
  });

  r.get('/p/:slug', { config: { access: 'read', readOnlySession: true }, schema: { params: SlugParams } }, async (request, reply) => pageScreen(app, request, reply));

  r.get('/p/:slug/v/:version', { config: { access: 'read' }, schema: { params: Type.Object({ slug: Slug, version: Type.Integer({ minimum: 1 }) }) } }, async (request, reply) => {
    const current = getCurrentPage(app.store, request.params.slug);
    const page = getPageVersion(app.store, request.params.slug, request.params.version);
    return reply.view('page', { title: `${page.frontMatter.title} (version ${page.version})`, page: await pageViewModel(app, page, request.hidden), old: page.version !== current.version, currentVersion: current.version, signoff: signoffModel(app, current.slug, page.version, request.user!) });
  });

  const NewQuery = Type.Object({
    slug: Type.Optional(Type.String({ maxLength: 200 })),
    template: Type.Optional(Type.Integer({ minimum: 1 })),
    from: Type.Optional(Slug),
  });
  r.get('/new', { config: { access: 'write' }, schema: { querystring: NewQuery } }, async (request, reply) => {
    const slug = request.query.slug && new RegExp(Slug.pattern!).test(request.query.slug) ? request.query.slug : '';
    const title = slug ? slug.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ') : '';
    if (request.query.from !== undefined) {
      // A copy: the same fields and body, no slug (it comes from the new title), and no supersession, which
      // would change the other pages it names.
      if (request.hidden.has(request.query.from)) throw new NotFoundError(`There is no page "${request.query.from}".`);
      const source = getCurrentPage(app.store, request.query.from);
      const values = valuesFromFrontMatter({ ...source.frontMatter, title: `Copy of ${source.frontMatter.title}`, supersedes: undefined, superseded_by: undefined }, source.body);
      return renderForm(reply, app, { mode: 'new', title: 'New page', values: { ...values, slug }, copiedFrom: { slug: source.slug, title: source.frontMatter.title } });
    }
    if (request.query.template !== undefined) {
      const t = getTemplate({ store: app.store }, request.query.template);
      const values: FormValues = { slug, title, status: t.frontMatter.status ?? 'live', body: t.body };
      for (const k of ['system', 'module', 'review_every'] as const) if (t.frontMatter[k]) values[k] = t.frontMatter[k]!;
      if (t.frontMatter.tags?.length) values.tags = t.frontMatter.tags.join(', ');
      return renderForm(reply, app, { mode: 'new', title: 'New page', values, template: { id: t.id, name: t.name } });
    }
    return renderForm(reply, app, { mode: 'new', title: 'New page', values: { slug, title, status: 'live' }, templates: listTemplates({ store: app.store }) });
  });

  r.post('/new', { config: { access: 'write' }, schema: { body: FormBody } }, async (request, reply) => {
    const values = valuesFromForm(request.body as PageFormBody);
    try {
      await withFormUpload(app, request, values, undefined);
      const rendered = await checkRenders(app, values);
      const ctx = commandContext(app, request, { ...rendered, phiOverride: phiOverrideOf((request.body as PageFormBody).phi_override_reason) });
      const page = createPage(ctx, { ...draftFromValues(values), slug: values.slug });
      // The new page's draft was kept under the editor's key; the page replaces it.
      const draftKey = (request.body as PageFormBody).draft_key;
      if (draftKey && NEW_DRAFT_KEY.test(draftKey)) app.store.drafts.remove(ctx.actor.username, draftKey);
      setFlash(request, page.slug, 'Page created as version 1.');
      return reply.redirect(`/p/${page.slug}`, 303);
    } catch (e) {
      return reshowForm(reply, e, (problem) => renderForm(reply, app, { mode: 'new', title: 'New page', values, problem }));
    }
  });

  r.get('/p/:slug/edit', { config: { access: 'write' }, schema: { params: SlugParams } }, async (request, reply) => {
    const page = getCurrentPage(app.store, request.params.slug);
    // Restricted pages this editor may not see are left out of the lists and unnamed in the text; saving keeps them as they were.
    const fm = { ...page.frontMatter };
    for (const field of ['supersedes', 'superseded_by'] as const) if (fm[field]) fm[field] = fm[field].filter((s) => !request.hidden.has(s));
    const values = { ...valuesFromFrontMatter(redactValue(fm, request.hidden), redactText(page.body, request.hidden)), base_version: String(page.version) };
    return renderForm(reply, app, { mode: 'edit', title: `Edit ${page.frontMatter.title}`, slug: page.slug, values });
  });

  r.post('/p/:slug/edit', { config: { access: 'write' }, schema: { params: SlugParams, body: FormBody } }, async (request, reply) => {
    const slug = request.params.slug;
    const values = valuesFromForm(request.body as PageFormBody);
    try {
      await withFormUpload(app, request, values, slug);
      const rendered = await checkRenders(app, values);
      const saved = savePage(commandContext(app, request, { ...rendered, phiOverride: phiOverrideOf((request.body as PageFormBody).phi_override_reason) }), { slug, ...draftFromValues(values), baseVersion: Number(values.base_version) });
      setFlash(request, slug, saved.unchanged ? `Nothing changed: the page is still at version ${saved.page.version}.` : `Saved as version ${saved.page.version}.`);
      return reply.redirect(`/p/${slug}`, 303);
    } catch (e) {
      return reshowForm(reply, e, (problem, error) => (error instanceof ConflictError ? conflictForm(reply, app, request.hidden, slug, values, error) : renderForm(reply, app, { mode: 'edit', title: 'Edit page', slug, values, problem })));
    }
  });

  r.post('/p/:slug/review', { config: { access: 'read' }, schema: { params: SlugParams, body: closedForm({ note: Type.Optional(Type.String({ maxLength: 1000 })) }) } }, async (request, reply) => {
    const slug = request.params.slug;
    try {
      markReviewed(commandContext(app, request), { slug, note: request.body.note });
    } catch (e) {
      return reshowForm(reply, e, refusalPage(reply, 'Not marked reviewed', `/p/${slug}#review`, request.body.note));
    }
    setFlash(request, slug, 'Marked reviewed.');
    return reply.redirect(`/p/${slug}#review`, 303);
  });

  const statusForm = (reply: FastifyReply, slug: string, values: Record<string, string>, hidden: ReadonlySet<string>, problem?: FormProblem) => {
    const page = getCurrentPage(app.store, slug);
    const from = page.frontMatter.status;
    return reply.view('status-form', {
      title: `Change status: ${page.frontMatter.title}`,
      page,
      from,
      choices: STATUS_TRANSITIONS[from].map((s) => ({ value: s, selected: values.status === s })),
      values,
      errors: problem?.errors ?? {},
      problem,
      // Only pages this editor may see are offered; a restricted one could not be named anyway.
      pages: app.store.pages.liveSlugs().filter((s) => s !== slug && !hidden.has(s)).sort(),
    });
  };

  r.get('/p/:slug/status', { config: { access: 'write' }, schema: { params: SlugParams } }, async (request, reply) => statusForm(reply, request.params.slug, {}, request.hidden));

  const StatusBody = closedForm({ status: Type.Optional(Type.String({ maxLength: 20 })), reason: Type.Optional(Type.String({ maxLength: 2000 })), superseded_by: Type.Optional(Type.String({ maxLength: 200 })) });
  r.post('/p/:slug/status', { config: { access: 'write' }, schema: { params: SlugParams, body: StatusBody } }, async (request, reply) => {
    const values = request.body as Record<string, string>;
    try {
      changeStatus(commandContext(app, request), { slug: request.params.slug, status: values.status ?? '', reason: values.reason ?? '', supersededBy: values.superseded_by });
      return reply.redirect(`/p/${request.params.slug}`, 303);
    } catch (e) {
      return reshowForm(reply, e, (problem) => statusForm(reply, request.params.slug, values, request.hidden, problem));
    }
  });
}
