import Tokens from '@fastify/csrf';
import { Signer } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    signinCsrf: SigninCsrf;
  }
}

/**
 * The CSRF token of forms shown to someone not signed in (the sign-in form). Its secret lives in a signed,
 * HttpOnly cookie instead of a session, so looking at the sign-in page stores nothing on the server, while
 * a sign-in posted from another site (login CSRF) is still refused: that site can neither read the cookie
 * nor forge its signature.
 */
export class SigninCsrf {
  private readonly tokens = Tokens();
  private readonly signer: Signer;
  private readonly cookieName: string;

  constructor(secret: string, private readonly secure: boolean) {
    this.signer = new Signer(secret);
    this.cookieName = secure ? '__Host-whywiki-signin' : 'whywiki_signin';
  }

  private secretOf(request: FastifyRequest): string | null {
    const raw = request.cookies[this.cookieName];
    if (!raw) return null;
    const { valid, value } = this.signer.unsign(raw);
    return valid ? value : null;
  }

  /** A token for a form on this response; sets the secret's cookie when the browser has none yet. */
  token(request: FastifyRequest, reply: FastifyReply): string {
    const known = this.secretOf(request);
    if (known) return this.tokens.create(known);
    const secret = this.tokens.secretSync();
    // No Max-Age: it lasts as long as the browser, like a sign-in form left open.
    reply.setCookie(this.cookieName, this.signer.sign(secret), { httpOnly: true, sameSite: 'lax', secure: this.secure, path: '/' });
    return this.tokens.create(secret);
  }

  /** Whether the posted form carries a token made for this browser's cookie. */
  verify(request: FastifyRequest): boolean {
    const secret = this.secretOf(request);
    const token = (request.body as { _csrf?: unknown } | undefined)?._csrf ?? request.headers['x-csrf-token'];
    return secret !== null && typeof token === 'string' && this.tokens.verify(secret, token);
  }
}
