import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { changeRole } from '../../auth/commands/change-role.js';
import { createApiToken } from '../../auth/commands/create-api-token.js';
import { createUser } from '../../auth/commands/create-user.js';
import { resetPassword } from '../../auth/commands/reset-password.js';
import { revokeApiToken } from '../../auth/commands/revoke-api-token.js';
import { setUserActive } from '../../auth/commands/set-user-active.js';
import { randomPassword } from '../../auth/passwords.js';
import { PASSWORD_MIN } from '../../auth/password-policy.js';
import { ROLES } from '../../store/users.js';
import { HANDLE_PATTERN } from '../../pages/schema.js';
import { NotFoundError } from '../../core/errors.js';
import { reshowForm, type FormProblem } from './form-reshow.js';
import { closedForm as form } from './forms.js';
import { commandContext } from '../command-context.js';
import { pager, PageParam } from './paging.js';

const USERS_PAGE_SIZE = 100;
const TOKENS_PAGE_SIZE = 100;

const UserParams = Type.Object({ username: Type.String({ pattern: HANDLE_PATTERN }) });

/** Admin screens for sign-in accounts: create, change role, deactivate and reactivate, reset passwords, API tokens. */
export async function userRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const config = { access: 'admin' as const };
  const people = () => app.store.parties.all().filter((p) => p.kind === 'person' && p.status === 'active');

  const detail = async (request: FastifyRequest, reply: FastifyReply, username: string, extra: Record<string, unknown> = {}, page = 1) => {
    const row = app.store.users.byName(username);
    if (!row) throw new NotFoundError(`There is no user "${username}".`);
    const tokenPager = pager(`/admin/users/${row.username}`, {}, app.store.users.tokenCount(row.id), page, TOKENS_PAGE_SIZE);
    const person = row.person ? app.store.parties.get(row.person) : undefined;
    return reply.view('user', {
      title: `User ${row.username}`,
      account: { ...row, active: row.active === 1, mustChange: row.must_change_password === 1, local: row.auth_source === 'local' },
      person,
      self: row.id === request.user!.id,
      roles: ROLES.map((role) => ({ role, selected: role === row.role })),
      tokens: app.store.users.tokensPage(row.id, tokenPager.size, tokenPager.offset),
      pager: tokenPager,
      ...extra,
    });
  };

  r.get('/admin/users', { config, schema: { querystring: Type.Object({ page: PageParam }) } }, async (request, reply) => {
    const paged = pager('/admin/users', {}, app.store.users.count(), request.query.page ?? 1, USERS_PAGE_SIZE);
    const users = app.store.users.listPage(paged.size, paged.offset).map((u) => ({ ...u, active: u.active === 1, mustChange: u.must_change_password === 1 }));
    return reply.view('users', { title: 'Users', users, pager: paged });
  });

  // The one view of the add-user form, first shown and re-shown. A password is never handed back into a page.
  const userForm = (reply: FastifyReply, values: Record<string, string | undefined>, problem?: FormProblem) =>
    reply.view('user-form', { title: 'Add a user', values, roles: ROLES, people: people(), min: PASSWORD_MIN, errors: problem?.errors ?? {}, problem });

  r.get('/admin/users/new', { config }, async (_request, reply) => userForm(reply, { role: 'reader' }));

  r.post(
    '/admin/users/new',
    { config, schema: { body: form({ username: Type.String({ maxLength: 200 }), role: Type.String({ maxLength: 20 }), person: Type.Optional(Type.String({ maxLength: 40 })), password: Type.Optional(Type.String({ maxLength: 1024 })) }) } },
    async (request, reply) => {
      const { username, role, person, password } = request.body;
      // Without a password from the admin, a temporary one is made, shown once, and must be replaced at first sign-in.
      const temporary = password ? undefined : randomPassword();
      try {
        const user = await createUser(commandContext(app, request), { username, role, person: person || null, password: password || temporary!, mustChangePassword: true });
        return detail(request, reply, user.username, { temporary, created: true });
      } catch (e) {
        return reshowForm(reply, e, (problem) => userForm(reply, { username, role, person }, problem));
      }
    },
  );

  r.get('/admin/users/:username', { config, schema: { params: UserParams, querystring: Type.Object({ page: PageParam }) } }, async (request, reply) =>
    detail(request, reply, request.params.username, {}, request.query.page ?? 1),
  );

  // Each action answers with the user's screen, saying what happened, or what could not be done and why.
  // `typed` is what the person entered, handed back when the action is refused.
  const act = async (request: FastifyRequest, reply: FastifyReply, username: string, run: () => Promise<Record<string, unknown>> | Record<string, unknown>, typed: Record<string, unknown> = {}) => {
    try {
      return detail(request, reply, username, await run());
    } catch (e) {
      return reshowForm(reply, e, (problem) => detail(request, reply, username, { problem: problem.text, ...typed }));
    }
  };

  r.post('/admin/users/:username/role', { config, schema: { params: UserParams, body: form({ role: Type.String({ maxLength: 20 }) }) } }, async (request, reply) =>
    act(request, reply, request.params.username, () => {
      changeRole(commandContext(app, request), { username: request.params.username, role: request.body.role });
      return { done: `Role is now ${request.body.role}.` };
    }),
  );

  r.post('/admin/users/:username/deactivate', { config, schema: { params: UserParams, body: form({}) } }, async (request, reply) =>
    act(request, reply, request.params.username, () => {
      setUserActive(commandContext(app, request), { username: request.params.username, active: false });
      return { done: 'Deactivated: every session ended and every API token stopped working. Reactivate to undo.' };
    }),
  );

  r.post('/admin/users/:username/reactivate', { config, schema: { params: UserParams, body: form({}) } }, async (request, reply) =>
    act(request, reply, request.params.username, () => {
      setUserActive(commandContext(app, request), { username: request.params.username, active: true });
      return { done: 'Reactivated. Revoked API tokens stay revoked.' };
    }),
  );

  r.post('/admin/users/:username/password', { config, schema: { params: UserParams, body: form({}) } }, async (request, reply) =>
    act(request, reply, request.params.username, async () => ({ temporary: await resetPassword(commandContext(app, request), { username: request.params.username }), reset: true })),
  );

  r.post('/admin/users/:username/tokens', { config, schema: { params: UserParams, body: form({ label: Type.Optional(Type.String({ maxLength: 100 })) }) } }, async (request, reply) =>
    act(request, reply, request.params.username, () => ({ newToken: createApiToken(commandContext(app, request), { username: request.params.username, label: request.body.label?.trim() || null }) }), { tokenLabel: request.body.label }),
  );

  r.post(
    '/admin/users/:username/tokens/:id/revoke',
    { config, schema: { params: Type.Object({ username: Type.String({ pattern: HANDLE_PATTERN }), id: Type.Integer({ minimum: 1 }) }), body: form({}) } },
    async (request, reply) =>
      act(request, reply, request.params.username, () => {
        revokeApiToken(commandContext(app, request), { username: request.params.username, tokenId: request.params.id });
        return { done: `Token #${request.params.id} revoked: it no longer works.` };
      }),
  );
}
