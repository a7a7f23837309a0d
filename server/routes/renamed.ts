import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from './errors.js';
import { VersionedMemo } from './html/page-cache.js';

/**
 * A renamed page keeps answering at its old slug: any page URL (the page, its history, its edit form, its
 * API reads) redirects to the same URL under the new slug. Reads get 301; writes get 308 so a form posted
 * from a tab opened before the rename keeps its text. Someone who may not see the page gets the same 404
 * as for any hidden page, so the redirect never tells them where it went.
 */
export function redirectRenamedPages(app: FastifyInstance): void {
  // Whether a slug names a page, read again only once something was written (every page view asks).
  const pageAt = new VersionedMemo<boolean>();
  // A callback hook: a URL that names a page (every page view) passes without a promise or a tick.
  app.addHook('preHandler', (request, reply, done) => {
    const slug = (request.params as { slug?: unknown } | undefined)?.slug;
    if (typeof slug !== 'string' || pageAt.get(slug, request.storeVersion(), () => app.store.pages.head(slug) !== undefined)) return done();
    const now = app.store.renames.current(slug);
    if (!now) return done();
    return redirect(request, reply, now);
  });
  const redirect = async (request: FastifyRequest, reply: FastifyReply, now: string): Promise<unknown> => {
    if (request.hidden?.has(now)) return sendError(request, reply, { statusCode: 404, error: 'Not Found', message: `Nothing lives at ${request.url.split('?')[0]}.` });
    // The same route with the new slug: built from the route's pattern, so a slug that is also a path
    // word ("p", "api") cannot be replaced in the wrong place.
    const params = request.params as Record<string, string>;
    const path = (request.routeOptions.url ?? '').replace(/:(\w+)/g, (_m, name: string) => (name === 'slug' ? now : encodeURIComponent(params[name] ?? '')));
    const q = request.url.indexOf('?');
    return reply.redirect(path + (q < 0 ? '' : request.url.slice(q)), request.method === 'GET' || request.method === 'HEAD' ? 301 : 308);
  };
}
