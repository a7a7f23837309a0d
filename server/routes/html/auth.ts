import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { recordSignOut, signIn } from '../../auth/accounts.js';

/** Only local paths may be a sign-in destination, so the form cannot bounce a person to another site. */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

const LoginBody = Type.Object({
  username: Type.String({ maxLength: 200 }),
  password: Type.String({ maxLength: 1024 }),
  next: Type.Optional(Type.String({ maxLength: 2000 })),
  _csrf: Type.Optional(Type.String()),
});

export async function authRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/login', { config: { access: 'public' }, schema: { querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }) } }, async (request, reply) => {
    if (request.user) return reply.redirect(safeNext(request.query.next), 303);
    return reply.view('login', { title: 'Sign in', next: safeNext(request.query.next) });
  });

  r.post('/login', { config: { access: 'public' }, schema: { body: LoginBody } }, async (request, reply) => {
    const { username, password } = request.body;
    const next = safeNext(request.body.next);
    const user = username.trim() && password ? await signIn(app.store, username, password, request.ip) : null;
    if (!user) {
      reply.status(401);
      return reply.view('login', { title: 'Sign in', next, username, error: 'That username and password do not match an active account.' });
    }
    // A new session id at sign-in, so an id planted before sign-in is worth nothing after it.
    await request.session.regenerate();
    request.session.set('userId', user.id);
    return reply.redirect(next, 303);
  });

  r.post('/logout', { config: { access: 'read' } }, async (request, reply) => {
    recordSignOut(app.store, request.user!.username, request.ip);
    await request.session.destroy();
    return reply.redirect('/login', 303);
  });
}
