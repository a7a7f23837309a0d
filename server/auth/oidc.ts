import * as client from 'openid-client';
import type { AuthConfig } from '../config.js';

type OidcSettings = NonNullable<AuthConfig['oidc']>;

/** How recent a sign-in through the identity provider must be to sign with it. */
export const FRESH_SIGNIN_SECONDS = 300;

/** The identity provider could not be reached or answered with something unusable. */
export class OidcUnavailable extends Error {}

/**
 * OpenID Connect sign-in with openid-client: authorization code flow with PKCE (S256), state and
 * nonce kept in the session between the redirect and the callback. openid-client checks the ID token's
 * signature, issuer, audience (our client id), expiry and nonce.
 */
export class OidcSignIn {
  private discovered: Promise<client.Configuration> | undefined;

  constructor(private readonly settings: OidcSettings, private readonly redirectUri: string) {}

  private configuration(): Promise<client.Configuration> {
    const issuer = new URL(this.settings.issuer);
    this.discovered ??= client
      .discovery(issuer, this.settings.clientId, undefined, client.ClientSecretPost(this.settings.clientSecret), {
        // Plain http is accepted only for an issuer on this machine (the configuration refuses it elsewhere).
        execute: issuer.protocol === 'http:' ? [client.allowInsecureRequests] : [],
        timeout: 10,
      })
      .catch((e: unknown) => {
        this.discovered = undefined; // try again on the next sign-in
        throw new OidcUnavailable(`The identity provider at ${issuer.origin} could not be reached (${(e as Error).message}).`);
      });
    return this.discovered;
  }

  /**
   * Where to send the browser, and what to remember until it comes back. `fresh` asks the identity provider
   * to authenticate the person again now (prompt=login, max_age), as a signature needs.
   */
  async start(fresh = false): Promise<{ url: string; state: string; nonce: string; verifier: string }> {
    const config = await this.configuration();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: this.settings.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      ...(fresh ? { prompt: 'login', max_age: String(FRESH_SIGNIN_SECONDS) } : {}),
    });
    return { url: url.href, state, nonce, verifier };
  }

  /** Exchanges the code from the callback URL for verified claims. Throws on any mismatch. */
  async finish(callbackUrl: URL, expected: { state: string; nonce: string; verifier: string; fresh?: boolean }): Promise<{ subject: string; username: string; groups: string[] | undefined }> {
    const config = await this.configuration();
    const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: expected.verifier,
      expectedState: expected.state,
      expectedNonce: expected.nonce,
      idTokenExpected: true,
      // A fresh sign-in must say when the person authenticated, and that must be within the limit.
      ...(expected.fresh ? { maxAge: FRESH_SIGNIN_SECONDS } : {}),
    });
    const claims = tokens.claims();
    if (!claims) throw new Error('the identity provider sent no ID token');
    const name = claimAt(claims, this.settings.usernameClaim) ?? claims.email ?? claims.sub;
    const rawGroups = claimAt(claims, this.settings.roleClaim);
    const groups = rawGroups === undefined ? undefined : (Array.isArray(rawGroups) ? rawGroups : String(rawGroups).split(/[,\s]+/)).map(String).filter(Boolean);
    return { subject: `${claims.iss} ${claims.sub}`, username: String(name), groups };
  }
}

/** A claim by dotted path, such as `groups` or Keycloak's `realm_access.roles`. */
function claimAt(claims: Record<string, unknown>, path: string): unknown {
  let at: unknown = claims;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}
