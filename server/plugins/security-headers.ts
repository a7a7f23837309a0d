import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** What helmet is asked for: the content security policy and the rest of its defaults. */
export function securityHeaderOptions(secureCookies: boolean): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    strictTransportSecurity: secureCookies,
    referrerPolicy: { policy: 'same-origin' },
  };
}

/**
 * The headers helmet sets with these options, found once by running its middleware on a stand-in
 * response. They do not depend on the request (no nonces are used), so every response gets the same
 * ones; @fastify/helmet rebuilt the middleware, parsing the policy again, on every request.
 */
export function securityHeaders(options: HelmetOptions): ReadonlyMap<string, string> {
  const headers = new Map<string, string>();
  const res = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name, Array.isArray(value) ? value.join(', ') : String(value));
    },
    removeHeader(name: string) {
      headers.delete(name);
    },
  };
  let failed: unknown;
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    failed = err;
  });
  if (failed) throw failed instanceof Error ? failed : new Error(String(failed));
  return headers;
}

/** Helmet's headers on every response (pages, API, assets, errors), set in one call. */
export const securityHeadersPlugin = fp(
  async (app: FastifyInstance) => {
    const headers = securityHeaders(securityHeaderOptions(app.config.secureCookies));
    app.addHook('onRequest', (_request, reply, done) => {
      reply.raw.setHeaders(headers as Map<string, string>);
      done();
    });
  },
  { name: 'security-headers' },
);
