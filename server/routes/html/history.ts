import type { FastifyInstance } from 'fastify';
import { Slug } from '../../pages/schema.js';
import { closedForm } from './forms.js';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { restorePage, setArchived } from '../../pages/commands.js';
import { refusalPage, reshowForm } from './form-reshow.js';
import { SUMMARY_MAX } from '../../core/rules.js';
import { blame, diffVersions, pageHistory } from '../../pages/history.js';
import { getCurrentPage, listVersions } from '../../pages/queries.js';
import { pager, PageParam } from './paging.js';

/** Versions per page of a page's history. */
const HISTORY_PAGE_SIZE = 100;
import { commandContext } from '../command-context.js';
import { pageSignatures } from '../../signoff/signatures.js';

const SlugParams = Type.Object({ slug: Slug });
export const DiffQuery = Type.Object({
  from: Type.Optional(Type.Integer({ minimum: 1 })),
  to: Type.Optional(Type.Integer({ minimum: 1 })),
  view: Type.Optional(Type.Union([Type.Literal('unified'), Type.Literal('split')])),
});

/** The versions to compare when the query leaves them out: the latest change. */
export function defaultRange(current: number, from?: number, to?: number): { from: number; to: number } {
  const t = to ?? current;
  return { from: from ?? Math.max(1, t - 1), to: t };
}

export async function historyRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const partyName = (handle: string) => app.store.parties.get(handle)?.name ?? handle;

  r.get('/p/:slug/history', { config: { access: 'read' }, schema: { params: SlugParams, querystring: Type.Object({ page: PageParam }) } }, async (request, reply) => {
    const page = getCurrentPage(app.store, request.params.slug);
    const signed = pageSignatures(app.store, page.slug);
    // Newest first, a hundred versions per page; versions run 1..current, so the count is the current version.
    const nav = pager(`/p/${page.slug}/history`, {}, page.version, request.query.page ?? 1, HISTORY_PAGE_SIZE);
    const versions = pageHistory(app.store, page.slug, request.hidden, { limit: HISTORY_PAGE_SIZE, offset: nav.offset }).map((v) => ({ ...v, authorName: partyName(v.author), previous: v.version > 1 ? v.version - 1 : undefined, signatures: signed.filter((s) => s.version === v.version) }));
    return reply.view('history', { title: `History of ${page.frontMatter.title}`, page, versions, pager: nav });
  });

  r.get('/p/:slug/diff', { config: { access: 'read' }, schema: { params: SlugParams, querystring: DiffQuery } }, async (request, reply) => {
    const page = getCurrentPage(app.store, request.params.slug);
    const { from, to } = defaultRange(page.version, request.query.from, request.query.to);
    const diff = diffVersions(app.store, page.slug, from, to, request.hidden);
    const view = request.query.view ?? 'unified';
    return reply.view('diff', { title: `${page.frontMatter.title}: version ${from} → ${to}`, page, diff, split: view === 'split', versions: listVersions(app.store, page.slug).map((v) => v.version) });
  });

  r.get('/p/:slug/blame', { config: { access: 'read' }, schema: { params: SlugParams } }, async (request, reply) => {
    const page = getCurrentPage(app.store, request.params.slug);
    const lines = blame(app.store, page.slug, request.hidden).map((l, i, all) => ({ ...l, authorName: partyName(l.author), first: i === 0 || all[i - 1]!.version !== l.version }));
    return reply.view('blame', { title: `Blame: ${page.frontMatter.title}`, page, lines });
  });

  r.post(
    '/p/:slug/restore',
    { config: { access: 'write' }, schema: { params: SlugParams, body: closedForm({ version: Type.String({ maxLength: 12 }), summary: Type.Optional(Type.String({ maxLength: SUMMARY_MAX })) }) } },
    async (request, reply) => {
      const slug = request.params.slug;
      const version = Number(request.body.version);
      try {
        restorePage(commandContext(app, request), { slug, version, summary: request.body.summary ?? '' });
        return reply.redirect(`/p/${slug}`, 303);
      } catch (e) {
        return reshowForm(reply, e, refusalPage(reply, 'Not restored', `/p/${slug}/v/${version}`, request.body.summary));
      }
    },
  );

  for (const action of ['archive', 'unarchive'] as const) {
    r.post(
      `/p/:slug/${action}`,
      { config: { access: 'write' }, schema: { params: SlugParams, body: closedForm({ summary: Type.Optional(Type.String({ maxLength: SUMMARY_MAX })) }) } },
      async (request, reply) => {
        const slug = request.params.slug;
        try {
          setArchived(commandContext(app, request), { slug, archived: action === 'archive', summary: request.body.summary ?? '' });
          return reply.redirect(`/p/${slug}`, 303);
        } catch (e) {
          return reshowForm(reply, e, refusalPage(reply, `Not ${action}d`, `/p/${slug}`, request.body.summary));
        }
      },
    );
  }
}
