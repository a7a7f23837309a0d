import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Slug } from '../../pages/schema.js';
import { getPageVersion } from '../../pages/queries.js';
import { approvePurge, purgeView, requestPurge, versionFiles, PURGE_REASON_MAX, PURGE_TEXT_MAX, REMOVED_MARKER } from '../../purge/commands.js';
import { fileSize } from '../../render/files.js';
import { reshowForm } from './form-reshow.js';
import { confirmOrRefuse, forgetPurgedText } from '../api/purges.js';
import { commandContext } from '../command-context.js';
import { closedForm } from './forms.js';
import { pager, PageParam } from './paging.js';

const PURGES_PAGE_SIZE = 100;

const VersionParams = Type.Object({ slug: Slug, version: Type.Integer({ minimum: 1 }) });

/** The purge screens: an admin asks from a version, a second admin approves on /admin/purges. */
export async function purgeRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = { access: 'admin' as const };

  /** The files the version shows, to choose one to remove, with every page that shows it (it goes from all). */
  const versionFileChoices = (slug: string, version: number, chosen: unknown) => {
    const head = app.store.pages.head(slug);
    const row = head ? app.store.pages.version(head.id, version) : undefined;
    if (!row) return [];
    const names = new Map(app.store.files.forPage(slug).map((f) => [f.sha256, f.name]));
    return versionFiles(row).flatMap((sha) => {
      const meta = app.store.files.meta(sha);
      if (!meta) return [];
      const others = app.store.files.pagesWith(sha).filter((s) => s !== slug);
      return [{ sha256: sha, short: sha.slice(0, 12), name: names.get(sha) ?? sha.slice(0, 12), type: meta.type, size: fileSize(meta.size), removed: meta.purged_by !== null, others: others.join(', '), checked: chosen === sha }];
    });
  };

  const requestForm = (reply: FastifyReply, slug: string, version: number, extra: Record<string, unknown> = {}) => {
    const page = getPageVersion(app.store, slug, version);
    const values = (extra.values ?? {}) as Record<string, unknown>;
    return reply.view('purge-form', { title: `Remove patient information from ${page.frontMatter.title} (version ${version})`, page, marker: REMOVED_MARKER, reasonMax: PURGE_REASON_MAX, textMax: PURGE_TEXT_MAX, values: {}, errors: {}, files: versionFileChoices(slug, version, values.file), ...extra });
  };

  const list = (reply: FastifyReply, extra: Record<string, unknown> = {}, page = 1) => {
    const paged = pager('/admin/purges', {}, app.store.purges.count(), page, PURGES_PAGE_SIZE);
    const awaitingTotal = app.store.purges.awaitingCount();
    const purges = app.store.purges.screen(paged.size, paged.offset).map((p) => {
      const v = purgeView(p);
      const fieldList = v.file
        ? `the file ${v.file.slice(0, 12)}… on ${app.store.files.pagesWith(v.file).join(', ')} (removed from every page that shows it)`
        : Object.entries(v.fields).map(([f, n]) => `${f.replace('_', ' ')} (${n})`).join(', ');
      return { ...v, awaiting: v.status === 'awaiting approval', fieldList };
    });
    const awaiting = purges.filter((p) => p.awaiting);
    const done = purges.filter((p) => !p.awaiting);
    // Requests awaiting approval come first in the list, so a screen past them shows none: say where they are.
    return reply.view('purges', { title: 'Purges', awaiting, done, awaitingTotal, awaitingElsewhere: awaiting.length === 0 && awaitingTotal > 0, doneTotal: paged.total - awaitingTotal, pager: paged, ...extra });
  };

  r.get('/p/:slug/v/:version/purge', { config, schema: { params: VersionParams } }, async (request, reply) => requestForm(reply, request.params.slug, request.params.version));

  r.post(
    '/p/:slug/v/:version/purge',
    { config, schema: { params: VersionParams, body: closedForm({ reason: Type.String({ maxLength: PURGE_REASON_MAX * 2 }), text: Type.Optional(Type.String({ maxLength: PURGE_TEXT_MAX * 2 })), file: Type.Optional(Type.String({ maxLength: 128 })) }) } },
    async (request, reply) => {
      const { slug, version } = request.params;
      try {
        const purge = requestPurge(commandContext(app, request), { ...request.body, slug, version });
        reply.status(202);
        const what = purge.file ? `the file (from ${purge.file_pages?.join(', ') ?? slug})` : 'the text';
        return list(reply, { message: `Purge ${purge.id} requested. A second admin must approve it with their password before ${what} is removed.` });
      } catch (e) {
        // PHI found in the reason is refused too, named by field.
        return reshowForm(reply, e, (problem) => requestForm(reply, slug, version, { values: request.body, errors: problem.errors, problem, fileMode: request.body.file !== undefined }));
      }
    },
  );

  r.get('/admin/purges', { config, schema: { querystring: Type.Object({ page: PageParam }) } }, async (request, reply) => list(reply, {}, request.query.page ?? 1));

  r.post(
    '/admin/purges/:id/approve',
    { config, schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }), body: closedForm({ password: Type.String({ maxLength: 1024 }) }) } },
    async (request, reply) => {
      try {
        await confirmOrRefuse(app, request, reply, request.body.password);
        const { purge } = approvePurge(commandContext(app, request), { id: request.params.id });
        await forgetPurgedText(app);
        const gone = purge.file ? `the file is gone from ${purge.file_pages?.join(', ') ?? purge.slug}` : `the text is gone from version ${purge.version} of ${purge.slug}`;
        return list(reply, { message: `Purge ${purge.id} applied: ${gone}.` });
      } catch (e) {
        return reshowForm(reply, e, (problem) => list(reply, { problem: problem.text, problemId: request.params.id }));
      }
    },
  );
}
