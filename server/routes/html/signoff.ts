import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { stringify } from 'csv-stringify/sync';
import { Slug } from '../../pages/schema.js';
import { closedForm } from './forms.js';
import { setFlash } from './flash.js';
import { commandContext } from '../command-context.js';
import { reauthenticate, ReauthRefused } from '../reauth.js';
import { COMMENT_MAX, MEANINGS, toSignatureView } from '../../signoff/signatures.js';
import { signAccessReview } from '../../signoff/commands/sign-access-review.js';
import { signVersion } from '../../signoff/commands/sign-version.js';
import { approvalState } from '../../signoff/approvals.js';
import { requestApproval } from '../../signoff/commands/request-approval.js';
import { accessReport, accessReviews } from '../../signoff/access-review.js';
import { ValidationError } from '../../core/errors.js';
import { refusalPage, reshowForm } from './form-reshow.js';
import { pager, PageParam } from './paging.js';

/** Accounts per screen of the access review. */
const ACCESS_PAGE_SIZE = 100;
import type { SessionUser } from '../../auth/accounts.js';

const SlugParams = Type.Object({ slug: Slug });

/**
 * What the page, its history and its printout show of signatures: each one's line, and whether it is
 * for another version than the one shown; the approvals the current version has and needs.
 */
export function signoffModel(app: FastifyInstance, slug: string, shownVersion: number, user: SessionUser) {
  const head = app.store.pages.head(slug)!;
  const signatures = app.store.signatures.forPage(head.id).map((row) => ({
    ...toSignatureView(row),
    other: row.version !== shownVersion,
    note: row.version === head.current_version ? `for version ${row.version}, the current one` : `for version ${row.version}, not the current one`,
  }));
  const approval = approvalState(app.store, app.config.approvals, head);
  return {
    signatures,
    approval: approval.required > 0 ? { ...approval, count: approval.approvedBy.length, system: head.system } : null,
    meanings: MEANINGS,
    shownVersion,
    currentVersion: head.current_version,
    sso: user.source !== 'local',
  };
}

/** Signing on the page, asking for approval, and the access review screen. */
export async function signoffRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  const SignForm = closedForm({
    version: Type.String({ pattern: '^[1-9][0-9]{0,8}$' }),
    meaning: Type.String({ maxLength: 20 }),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    comment: Type.Optional(Type.String({ maxLength: COMMENT_MAX })),
  });
  r.post('/p/:slug/signatures', { config: { access: 'read' }, schema: { params: SlugParams, body: SignForm } }, async (request, reply) => {
    const slug = request.params.slug;
    const back = `/p/${slug}#signatures`;
    try {
      await reauthenticate(app, request, request.body.password);
      const signed = signVersion(commandContext(app, request), { slug, version: Number(request.body.version), meaning: request.body.meaning, comment: request.body.comment });
      setFlash(request, slug, `Signed: ${signed.text}`);
      return reply.redirect(back, 303);
    } catch (e) {
      // A single-sign-on signer is offered a fresh sign-in that comes back here.
      const again = e instanceof ReauthRefused && e.freshSignin ? { href: `${e.freshSignin}&next=${encodeURIComponent(back)}`, label: 'Sign in again' } : undefined;
      return reshowForm(reply, e, refusalPage(reply, 'Not signed', back, request.body.comment, again));
    }
  });

  r.post('/p/:slug/approval-requests', { config: { access: 'write' }, schema: { params: SlugParams, body: closedForm({}) } }, async (request, reply) => {
    const slug = request.params.slug;
    try {
      const asked = requestApproval(commandContext(app, request), { slug });
      setFlash(request, slug, `Asked ${asked.approvers.join(', ')} to approve version ${asked.version}.`);
      return reply.redirect(`/p/${slug}#signatures`, 303);
    } catch (e) {
      return reshowForm(reply, e, refusalPage(reply, 'Approval not requested', `/p/${slug}#signatures`));
    }
  });

  const accessView = (reply: FastifyReply, extra: Record<string, unknown> = {}, page = 1) => {
    const report = accessReport(app.store, app.clock());
    // The signature binds the whole report (its hash); the screen shows it a page of accounts at a time.
    const paged = pager('/reports/access', {}, report.users.length, page, ACCESS_PAGE_SIZE);
    const users = report.users.slice(paged.offset, paged.offset + paged.size).map((u) => ({ ...u, flagged: u.dormant || u.departed_but_active }));
    return reply.view('reports-access', {
      title: 'Access review',
      report,
      users,
      total: report.users.length,
      pager: paged,
      dormant: report.users.filter((u) => u.dormant).length,
      departed: report.users.filter((u) => u.departed_but_active).length,
      reviews: accessReviews(app.store),
      ...extra,
    });
  };

  r.get('/reports/access', { config: { access: 'audit' }, schema: { querystring: Type.Object({ page: PageParam }) } }, async (request, reply) => accessView(reply, {}, request.query.page ?? 1));

  r.get('/reports/access.csv', { config: { access: 'audit' } }, async (_request, reply) => {
    const report = accessReport(app.store, app.clock());
    const header = ['username', 'role', 'active', 'person', 'person_name', 'person_status', 'sign_in', 'last_signed_in_at', 'last_active_at', 'api_tokens', 'dormant', 'departed_but_active', 'restricted_teams'];
    const rows = report.users.map((u) => [
      u.username, u.role, u.active ? 'yes' : 'no', u.person?.handle ?? '', u.person?.name ?? '', u.person?.status ?? '', u.sign_in, u.last_signed_in_at ?? '', u.last_active_at ?? '',
      u.tokens.map((t) => `${t.label ?? `token ${t.id}`} (last used ${t.last_used_at ?? 'never'})`).join('; '),
      u.dormant ? 'yes' : 'no', u.departed_but_active ? 'yes' : 'no', u.restricted_teams.join(' '),
    ]);
    // A cell that starts like a formula is quoted, so a spreadsheet shows it instead of running it.
    const csv = stringify([header, ...rows], { cast: { string: (v) => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v) } });
    return reply
      .type('text/csv; charset=utf-8')
      .header('Content-Disposition', `attachment; filename="whywiki-access-review-${report.generated_at.slice(0, 10)}.csv"`)
      .send(csv);
  });

  const ReviewForm = closedForm({ password: Type.Optional(Type.String({ maxLength: 1024 })), comment: Type.Optional(Type.String({ maxLength: COMMENT_MAX })), hash: Type.Optional(Type.String({ maxLength: 64 })) });
  r.post('/reports/access/review', { config: { access: 'admin' }, schema: { body: ReviewForm } }, async (request, reply) => {
    const report = accessReport(app.store, app.clock());
    try {
      if (request.body.hash !== report.hash) throw new ValidationError([{ field: 'hash', message: 'The report changed since you opened it: read it again as it stands now, then sign.' }], 'conflict');
      await reauthenticate(app, request, request.body.password);
      const signed = signAccessReview(commandContext(app, request), { reportHash: report.hash, comment: request.body.comment });
      return accessView(reply, { done: `Signed: ${signed.text}` });
    } catch (e) {
      return reshowForm(reply, e, (problem) => accessView(reply, { problem: problem.text, comment: request.body.comment }));
    }
  });
}
