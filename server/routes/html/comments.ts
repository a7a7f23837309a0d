import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { checkCommentBody, type CommentKind } from '../../comments/comments.js';
import { addComment } from '../../comments/commands/add-comment.js';
import { setCommentResolved } from '../../comments/commands/set-comment-resolved.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { redactText } from '../../auth/visibility.js';
import { Slug } from '../../pages/schema.js';
import { checkRenders, commandContext } from '../command-context.js';
import { accountName, excerpt } from '../comments-view.js';
import { closedForm } from './forms.js';
import { reshowForm } from './form-reshow.js';
import { setFlash } from './flash.js';
import { pageScreen } from './pages.js';
import { pager, PageParam } from './paging.js';
import { REPORT_PAGE_SIZE } from './reports.js';

const CommentForm = closedForm({
  body: Type.Optional(Type.String({ maxLength: 1_000_000 })),
  kind: Type.Optional(Type.String({ maxLength: 20 })),
  reply_to: Type.Optional(Type.String({ maxLength: 20 })),
});
const ResolveParams = Type.Object({ slug: Slug, id: Type.Integer({ minimum: 1 }) });

/** The comments section's form (add, reply) and buttons (resolve, reopen), and the report of pages flagged as wrong. */
export async function commentRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/p/:slug/comments', { config: { access: 'read' }, schema: { params: Type.Object({ slug: Slug }), body: CommentForm } }, async (request, reply) => {
    const slug = request.params.slug;
    const values = { body: request.body.body ?? '', kind: request.body.kind || 'comment', reply_to: request.body.reply_to ?? '' };
    try {
      const replyTo = values.reply_to.trim() === '' ? null : Number(values.reply_to);
      if (replyTo !== null && !(Number.isInteger(replyTo) && replyTo > 0)) throw new ValidationError([{ field: 'reply_to', message: 'reply_to names a comment by its number.' }]);
      const body = checkCommentBody(values.body);
      await checkRenders(app, { body });
      const comment = addComment(commandContext(app, request), { slug, body, replyTo, kind: values.kind as CommentKind });
      setFlash(request, slug, comment.kind === 'wrong' ? "Flagged: the page's owners will see it in their queue." : 'Comment added.');
      return reply.redirect(`/p/${slug}#comment-${comment.id}`, 303);
    } catch (e) {
      // A refused comment comes back on the page with its text and the reason; nothing was saved.
      return reshowForm(reply, e, (problem) => pageScreen(app, request, reply, { values, error: problem.text, status: problem.status }));
    }
  });

  for (const [action, resolved] of [['resolve', true], ['reopen', false]] as const) {
    r.post(`/p/:slug/comments/:id/${action}`, { config: { access: 'read' }, schema: { params: ResolveParams, body: closedForm({}) } }, async (request, reply) => {
      const { slug, id } = request.params;
      // The comment must be on the page the address names: any other reads as missing.
      if (app.store.comments.get(id)?.slug !== slug) throw new NotFoundError(`There is no comment ${id}.`);
      setCommentResolved(commandContext(app, request), { id, resolved });
      setFlash(request, slug, resolved ? 'Thread resolved.' : 'Thread reopened.');
      return reply.redirect(`/p/${slug}#comment-${id}`, 303);
    });
  }

  r.get('/reports/flagged', { config: { access: 'read' }, schema: { querystring: Type.Object({ page: PageParam }) } }, async (request, reply) => {
    // Hidden pages' flags are left out before counting, so the total and the pages agree with what is shown.
    const visible = app.store.comments.openFlags().filter((f) => !request.hidden.has(f.slug));
    const paged = pager('/reports/flagged', {}, visible.length, request.query.page ?? 1, REPORT_PAGE_SIZE);
    const flags = visible
      .slice(paged.offset, paged.offset + paged.size)
      .map((f) => ({ ...f, author_name: accountName(app, f.author), excerpt: excerpt(redactText(f.body, request.hidden)), outdated: f.version !== f.current_version }));
    return reply.view('reports-flagged', { title: 'Flagged as wrong', flags, total: visible.length, pager: paged });
  });
}
