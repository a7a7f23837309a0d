import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Slug } from '../../pages/schema.js';
import { MEANINGS, COMMENT_MAX, pageSignatures } from '../../signoff/signatures.js';
import { signAccessReview } from '../../signoff/commands/sign-access-review.js';
import { signVersion } from '../../signoff/commands/sign-version.js';
import { requestApproval } from '../../signoff/commands/request-approval.js';
import { accessReport, accessReviews } from '../../signoff/access-review.js';
import { ValidationError } from '../../core/errors.js';
import { commandContext } from '../command-context.js';
import { reauthenticate, ReauthRefused, sendReauthRefused } from '../reauth.js';
import { ListAfter, listAnswer, ListLimit, ListPaging } from './list-paging.js';
import { ErrorReply } from './schemas.js';

const SlugParams = Type.Object({ slug: Slug });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const SignatureReply = Type.Object(
  {
    version: Type.Union([Type.Integer(), Type.Null()], { description: 'The version signed (null for an access review).' }),
    meaning: Type.String({ description: 'approved, reviewed, verified or authored.' }),
    signer: Type.String({ description: "The signer's username." }),
    name: Type.String({ description: "The signer's full name as recorded." }),
    signed_at: Type.String({ description: 'UTC time of signing (ISO 8601).' }),
    version_hash: Type.String({ description: 'The hash of what was signed: the version (or the access report).' }),
    comment: Nullable(Type.String()),
    hash: Type.String({ description: "The signature's own hash, also recorded in its audit event." }),
    text: Type.String({ description: 'As the page and the printout show it.' }),
  },
  { additionalProperties: true, title: 'Signature' },
);
const SignaturesReply = Type.Object({ slug: Type.String(), current_version: Type.Integer(), signatures: Type.Array(SignatureReply) }, { additionalProperties: true });
const ApprovalRequestReply = Type.Object({ slug: Type.String(), version: Type.Integer(), approvers: Type.Array(Type.String()) });
const AccessUser = Type.Object({ username: Type.String(), role: Type.String(), active: Type.Boolean(), dormant: Type.Boolean(), departed_but_active: Type.Boolean() }, { additionalProperties: true });
const AccessReply = Type.Object(
  {
    generated_at: Type.String(),
    dormant_days: Type.Integer(),
    hash: Type.String({ description: 'sha256 of every account of the report (not only those in this answer): what a review signs.' }),
    ...ListPaging,
    users: Type.Array(AccessUser),
    reviews: Type.Array(SignatureReply),
  },
  { additionalProperties: true },
);
/** Accounts per answer of GET /api/reports/access when no limit is given, and the most one answer holds. */
const ACCESS_DEFAULT = 100;
const ACCESS_MAX = 1000;

const SignBody = Type.Object(
  {
    version: Type.Integer({ minimum: 1, description: 'The version to sign.' }),
    meaning: Type.Union(MEANINGS.map((m) => Type.Literal(m))),
    password: Type.String({ maxLength: 1024, description: "The signer's password, checked again now." }),
    comment: Type.Optional(Type.String({ maxLength: COMMENT_MAX })),
  },
  { additionalProperties: false },
);
const ReviewBody = Type.Object(
  {
    password: Type.String({ maxLength: 1024 }),
    comment: Type.Optional(Type.String({ maxLength: COMMENT_MAX })),
    hash: Type.Optional(Type.String({ maxLength: 64, description: 'The report hash that was reviewed; refused (409) if the report changed since.' })),
  },
  { additionalProperties: false },
);

/** Electronic signatures on versions, approval requests and the access review, as JSON. */
export async function signoffApiRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/api/pages/:slug/signatures', { config: { access: 'read' }, schema: { params: SlugParams, response: { 200: SignaturesReply, 404: ErrorReply } } }, async (request) => {
    const signatures = pageSignatures(app.store, request.params.slug);
    return { slug: request.params.slug, current_version: app.store.pages.head(request.params.slug)!.current_version, signatures };
  });

  r.post(
    '/api/pages/:slug/signatures',
    {
      config: { access: 'read' },
      schema: {
        description: 'Signs a version of the page. The signer re-enters their password (a wrong one answers 401 and counts toward the sign-in limit). The author of a version cannot sign it as approved (409).',
        params: SlugParams,
        body: SignBody,
        response: { 201: SignatureReply, 401: ErrorReply, 404: ErrorReply, 409: ErrorReply, 422: ErrorReply, 429: ErrorReply },
      },
    },
    async (request, reply) => {
      // The page must exist (and be visible) before a password is checked, as it would for a missing one.
      if (!app.store.pages.head(request.params.slug)) pageSignatures(app.store, request.params.slug);
      try {
        await reauthenticate(app, request, request.body.password);
      } catch (e) {
        if (e instanceof ReauthRefused) return sendReauthRefused(reply, e);
        throw e;
      }
      const signature = signVersion(commandContext(app, request), { ...request.body, slug: request.params.slug });
      return reply.status(201).send(signature);
    },
  );

  r.post(
    '/api/pages/:slug/approval-requests',
    {
      config: { access: 'write' },
      schema: {
        description: 'Asks the people who may approve the page (admins and members of its owners\' teams, other than its author and you) to sign its current version: records `approval.requested`.',
        params: SlugParams,
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: { 201: ApprovalRequestReply, 404: ErrorReply, 409: ErrorReply },
      },
    },
    async (request, reply) => reply.status(201).send(requestApproval(commandContext(app, request), { slug: request.params.slug })),
  );

  r.get(
    '/api/reports/access',
    {
      config: { access: 'audit' },
      schema: {
        description:
          `Every account for an access review, in username order, at most \`limit\` (default ${ACCESS_DEFAULT}, at most ${ACCESS_MAX}) per answer; while more remain, \`next\` (and a \`Link: <…>; rel="next"\` header) is the address of the rest. ` +
          '`hash` is always that of the whole report. /reports/access.csv has every account in one file.',
        querystring: Type.Object({ limit: ListLimit(ACCESS_DEFAULT, ACCESS_MAX), after: ListAfter }),
        response: { 200: AccessReply, 400: ErrorReply },
      },
    },
    async (request, reply) => {
      const report = accessReport(app.store, app.clock());
      const limit = request.query.limit ?? ACCESS_DEFAULT;
      const answer = listAnswer(reply, report.users, (u) => u.username, { limit, after: request.query.after }, (last) => `/api/reports/access?${new URLSearchParams({ limit: String(limit), after: last }).toString()}`);
      return { generated_at: report.generated_at, dormant_days: report.dormant_days, hash: report.hash, total: answer.total, limit: answer.limit, ...(answer.next ? { next: answer.next } : {}), users: answer.items, reviews: accessReviews(app.store) };
    },
  );

  r.post(
    '/api/reports/access/reviews',
    {
      config: { access: 'admin' },
      schema: {
        description: 'Signs the access review as reviewed, bound to the hash of the report as it stands now. The admin re-enters their password.',
        body: ReviewBody,
        response: { 201: SignatureReply, 401: ErrorReply, 409: ErrorReply, 422: ErrorReply, 429: ErrorReply },
      },
    },
    async (request, reply) => {
      const report = accessReport(app.store, app.clock());
      if (request.body.hash !== undefined && request.body.hash !== report.hash) {
        throw new ValidationError([{ field: 'hash', message: 'The access report changed since it was read: read it again and review what it says now.' }], 'conflict');
      }
      try {
        await reauthenticate(app, request, request.body.password);
      } catch (e) {
        if (e instanceof ReauthRefused) return sendReauthRefused(reply, e);
        throw e;
      }
      return reply.status(201).send(signAccessReview(commandContext(app, request), { reportHash: report.hash, comment: request.body.comment }));
    },
  );
}
