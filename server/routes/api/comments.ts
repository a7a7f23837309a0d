import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { checkCommentBody } from '../../comments/comments.js';
import { addComment } from '../../comments/commands/add-comment.js';
import { setCommentResolved } from '../../comments/commands/set-comment-resolved.js';
import { NotFoundError } from '../../core/errors.js';
import { Slug } from '../../pages/schema.js';
import { checkRenders, commandContext } from '../command-context.js';
import { commentView } from '../comments-view.js';
import { ErrorReply } from './schemas.js';

const SlugParams = Type.Object({ slug: Slug });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
// Null first: the app's validator coerces types, and would otherwise read null as the integer 0.
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([Type.Null(), t]);

export const CommentReply = Type.Object(
  {
    id: Type.Integer(),
    slug: Type.String({ description: 'The page the comment is on.' }),
    kind: Type.Union([Type.Literal('comment'), Type.Literal('wrong')], { description: '"wrong": the page is wrong or out of date; shown at the top of the page until resolved.' }),
    body: Type.String({ description: 'The Markdown text.' }),
    html: Type.String({ description: 'The text rendered and sanitized as page bodies are; known @handles link to their person or team.' }),
    author: Type.String({ description: 'Username of the author.' }),
    author_name: Type.String({ description: "The author's name in the directory, or the username." }),
    version: Type.Integer({ description: 'The page version the comment was written against.' }),
    created_at: Type.String({ format: 'date-time' }),
    reply_to: Nullable(Type.Integer({ description: "The thread's root comment; null for a root." })),
    resolved_at: Nullable(Type.String({ format: 'date-time' })),
    resolved_by: Nullable(Type.String()),
  },
  { title: 'Comment', additionalProperties: false },
);
const CommentsReply = Type.Object({ slug: Type.String(), comments: Type.Array(CommentReply, { description: 'Oldest first; replies name their thread in reply_to.' }) });
const CommentWrite = Type.Object(
  {
    body: Type.String({ maxLength: 1_000_000, description: 'Markdown, at most 20,000 characters. Passes the PHI guard.' }),
    reply_to: Type.Optional(Nullable(Type.Integer({ minimum: 1, description: 'A comment on the same page: the reply joins its thread.' }))),
    kind: Type.Optional(Type.Union([Type.Literal('comment'), Type.Literal('wrong')], { description: 'Default "comment". "wrong" flags the page as wrong or out of date (not on a reply).' })),
  },
  { additionalProperties: false },
);
const NoBody = Type.Optional(Type.Object({}, { additionalProperties: false }));
const errors = { 400: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply, 422: ErrorReply };

/** Comments on pages, as JSON: list and add per page; resolve and reopen a thread by its root's id. */
export async function commentApiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/api/pages/:slug/comments', { config: { access: 'read' }, schema: { params: SlugParams, response: { 200: CommentsReply, 404: ErrorReply } } }, async (request) => {
    const head = app.store.pages.head(request.params.slug);
    if (!head) throw new NotFoundError(`There is no page "${request.params.slug}".`);
    const comments = await Promise.all(app.store.comments.ofPage(head.id).map((c) => commentView(app, c, request.hidden)));
    return { slug: head.slug, comments };
  });

  r.post('/api/pages/:slug/comments', { config: { access: 'read' }, schema: { params: SlugParams, body: CommentWrite, response: { 201: CommentReply, ...errors } } }, async (request, reply) => {
    const body = checkCommentBody(request.body.body);
    await checkRenders(app, { body });
    const comment = addComment(commandContext(app, request), { slug: request.params.slug, body, replyTo: request.body.reply_to ?? null, kind: request.body.kind });
    return reply.status(201).header('Location', `/api/pages/${comment.slug}/comments`).send(await commentView(app, comment, request.hidden));
  });

  for (const [action, resolved] of [['resolve', true], ['reopen', false]] as const) {
    // A bare POST (no body) is how most clients call an action; it reads as an empty object.
    r.post(`/api/comments/:id/${action}`, { config: { access: 'read' }, preValidation: async (request) => { request.body ??= {}; }, schema: { params: IdParams, body: NoBody, response: { 200: CommentReply, ...errors } } }, async (request) => {
      const { comment } = setCommentResolved(commandContext(app, request), { id: request.params.id, resolved });
      return commentView(app, comment, request.hidden);
    });
  }
}
