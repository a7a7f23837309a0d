import type { FastifyInstance, RouteOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import type { Access } from '../../auth/plugin.js';
import { ErrorReply, OpenApiReply } from './schemas.js';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

const WHO: Record<Access, string> = {
  public: 'Anyone, signed in or not.',
  read: 'Any signed-in user (reader, editor, auditor, admin).',
  write: 'Editors and admins.',
  audit: 'Auditors and admins.',
  admin: 'Admins.',
};

/** The errors every route may answer with, described once; a route's own declaration wins. */
const ERRORS: Record<number, string> = {
  400: 'A refused value: `field` names the first field at fault, `errors` lists them all.',
  401: 'Not signed in, or the API token is unknown or revoked.',
  403: "The caller's role may not do this, or (with a session cookie) the CSRF token is missing or wrong.",
  404: 'Nothing there, or a restricted page the caller may not see.',
  500: 'A fault on the server; it is logged and nothing was saved.',
};

function tagOf(url: string): string {
  const part = url.split('/')[2] ?? '';
  if (part === 'pages' || part === 'preview' || part === 'comments') return 'pages';
  if (part === 'people' || part === 'teams' || part === 'reassign') return 'directory';
  if (part === 'reports' || part === 'search' || part === 'audit') return part;
  if (part === 'webhooks' || part === 'tickets' || part === 'records') return 'integrations';
  return 'meta';
}

/** The OpenAPI operation for one route: tags, who may call it, how to authenticate, and the error answers. */
function describe({ schema, url, route }: { schema: Record<string, unknown> | undefined; url: string; route: RouteOptions }) {
  const documented = (url.startsWith('/api/') && !/^\/api\/docs(\/|$)/.test(url)) || url === '/healthz';
  if (!documented) return { schema: { ...schema, hide: true }, url };
  const access = ((route.config as { access?: Access } | undefined)?.access ?? 'read') as Access;
  const methods = [route.method].flat();
  const writes = methods.some((m) => !SAFE.has(m));
  const response = { ...(schema?.response as Record<string, unknown> | undefined) };
  for (const [code, description] of Object.entries(ERRORS)) {
    const status = Number(code);
    if (access === 'public' && (status === 401 || status === 403)) continue;
    if (status === 400 && !schema?.body && !schema?.querystring && !schema?.params) continue;
    if (status === 404 && !schema?.params) continue;
    response[code] ??= { ...ErrorReply, description };
  }
  return {
    url,
    schema: {
      ...schema,
      tags: [tagOf(url)],
      description: [schema?.description, `**Who may call it:** ${WHO[access]}`].filter(Boolean).join('\n\n'),
      security: access === 'public' ? [] : [{ bearerToken: [] }, writes ? { sessionCookie: [], csrfToken: [] } : { sessionCookie: [] }],
      response,
    },
  };
}

/**
 * The API reference: @fastify/swagger collects every route's schemas as it is registered (so this must be
 * registered before the routes), GET /api/openapi.json serves the OpenAPI document, and /api/docs shows it
 * with Swagger UI, served from node_modules. Both need sign-in, like the rest of the API.
 */
export async function registerApiDocs(app: FastifyInstance, version: string): Promise<void> {
  // Response schemas document the answers; they do not rewrite them. Fastify would otherwise serialize
  // through them and silently drop or coerce any field a schema left out. The OpenAPI test checks each
  // answer against its schema instead.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Whywiki API',
        version,
        description:
          'Pages, their history, the people and teams who own them, reports, search and the audit log, in JSON. ' +
          'Every answer that is not 2xx has the `Error` shape. A page reads and writes the same: `PUT /api/pages/{slug}` accepts ' +
          'the page as `GET` returned it, with its body or fields changed and a `summary` of the change.',
      },
      tags: [
        { name: 'pages', description: 'Pages, their versions, diffs and history.' },
        { name: 'directory', description: 'People and teams, departures and reassignment.' },
        { name: 'reports', description: 'Orphaned and stale pages, documentation health, broken links.' },
        { name: 'search', description: 'Full-text search and its index.' },
        { name: 'audit', description: 'The tamper-evident audit log.' },
        { name: 'integrations', description: 'Webhooks, Teams and Slack channels, and ticket and build-record lookups for ITSM tools.' },
        { name: 'meta', description: 'This document and the health check.' },
      ],
      components: {
        securitySchemes: {
          bearerToken: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API token (`ww_…`) an admin made on the user\'s page: `Authorization: Bearer <token>`. It acts with that user\'s role; no CSRF token is needed.',
          },
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: app.config.secureCookies ? '__Host-whywiki' : 'whywiki_session',
            description: 'The session of a signed-in browser (sign in at /login).',
          },
          csrfToken: {
            type: 'apiKey',
            in: 'header',
            name: 'x-csrf-token',
            description: "With the session cookie, every write also sends the CSRF token of a page Whywiki served (its forms' `_csrf` field) in this header.",
          },
        },
      },
    },
    transform: describe as never,
  });

  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    theme: { title: 'Whywiki API' },
    // Without Swagger's top bar: it only picks another document, and its logo brings an inline <style> the
    // app's CSP (style-src 'self') refuses. Everything else runs under that CSP as it is.
    uiConfig: { layout: 'BaseLayout', deepLinking: true, docExpansion: 'list' },
  });

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/openapi.json',
    { config: { access: 'read' }, schema: { summary: 'This OpenAPI document', response: { 200: OpenApiReply } } },
    async () => app.swagger({ yaml: false }) as Static<typeof OpenApiReply>,
  );
}
