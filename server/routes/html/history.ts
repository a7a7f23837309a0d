import type { FastifyInstance } from 'fastify';
import { Slug } from '../../pages/schema.js';
import { closedForm } from './forms.js';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { restorePage, setArchived } from '../../pages/commands.js';
import { ValidationError } from '../../core/errors.js';
import { SUMMARY_MAX } from '../../core/rules.js';
import { blame, diffVersions, pageHistory } from '../../pages/history.js';
import { getCurrentPage } from '../../pages/queries.js';
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

  r.get('/p/:slug/history', { config: { access: 'read' }, schema: { params: SlugParams } }, async (request, reply) => {
    const page = getCurrentPage(app.store, request.params.slug);
    const signed = pageSignatures(app.store, page.slug);
    const versions = pageHistory(app.store, page.slug, request.hidden).map((v, i, all) => ({ ...v, authorName: partyName(v.author), previous: all[i + 1]?.version, signatures: signed.filter((s) => s.version === v.version) }));
    return reply.view('history', { title: `History of ${page.frontMatter.title}`, page, versions });
  });

  r.get('/p/:slug/diff', { config: { access: 'read' }, schema: { params: SlugParams, querystring: DiffQuery } }, async (request, reply) => {
    const page = getCurrentPage(app.store, request.params.slug);
    const { from, to } = defaultRange(page.version, request.query.from, request.query.to);
    const diff = diffVersions(app.store, page.slug, from, to, request.hidden);
    const view = request.query.view ?? 'unified';
    return reply.view('diff', { title: `${page.frontMatter.title}: version ${from} → ${to}`, page, diff, split: view === 'split', versions: pageHistory(app.store, page.slug).map((v) => v.version) });
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
        if (!(e instanceof ValidationError)) throw e;
        reply.status(e.statusCode);
        return reply.view('error', { title: 'Not restored', status: e.statusCode, reason: 'Not restored', message: e.errors.map((x) => x.message).join(' '), back: `/p/${slug}/v/${version}`, typed: request.body.summary });
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
          if (!(e instanceof ValidationError)) throw e;
          reply.status(e.statusCode);
          return reply.view('error', { title: `Not ${action}d`, status: e.statusCode, reason: `Not ${action}d`, message: e.errors.map((x) => x.message).join(' '), back: `/p/${slug}`, typed: request.body.summary });
        }
      },
    );
  }
}
