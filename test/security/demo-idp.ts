import Provider from 'oidc-provider';
import type { Server } from 'node:http';

/**
 * A real OpenID Connect identity provider (oidc-provider) on 127.0.0.1, for the tests and for trying
 * single sign-on by hand (`npm run demo:idp`). Its login page accepts any name with any password; the
 * groups claim comes from GROUPS below, so "wiki-admin" signs in as an admin with the README's role map.
 */
export const DEMO_CLIENT = { id: 'whywiki', secret: 'whywiki-demo-secret-not-for-production' };
export const GROUPS: Record<string, string[]> = { 'wiki-admin': ['wiki-admins'], 'epic-analyst': ['epic-analysts'], outsider: [] };

export async function startDemoIdp(port: number, redirectUri: string): Promise<{ issuer: string; close: () => Promise<void> }> {
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{ client_id: DEMO_CLIENT.id, client_secret: DEMO_CLIENT.secret, redirect_uris: [redirectUri], grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_post' }],
    pkce: { required: () => true },
    claims: { openid: ['sub'], profile: ['preferred_username', 'name', 'groups'], email: ['email'] },
    // Put the profile claims in the ID token itself, where Whywiki reads them.
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({ sub: id, preferred_username: id, name: id, email: `${id}@example-health.org`, groups: GROUPS[id] ?? [] }),
    }),
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['demo-idp-cookie-key-for-tests-only'] },
  });
  const server: Server = provider.listen(port, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return { issuer, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

// `npm run demo:idp` starts it for a person to try: see the README's single sign-on section.
if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.IDP_PORT ?? 4000);
  const redirect = `${process.env.WHYWIKI_PUBLIC_URL ?? 'http://127.0.0.1:3000'}/auth/oidc/callback`;
  const idp = await startDemoIdp(port, redirect);
  process.stdout.write(`Demo identity provider at ${idp.issuer} (client ${DEMO_CLIENT.id}, redirect ${redirect}). Sign in as wiki-admin, epic-analyst or outsider, any password.\n`);
}
