import fp from 'fastify-plugin';
import handlebars from 'handlebars';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Follower, type StandbyStatus } from '../standby/follower.js';
import { sendError } from '../routes/errors.js';
import { readsPass } from './write-hooks.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Pulls the primary's history while this server is a standby; null on a primary. */
    follower: Follower | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Signing in and out write only this server's own sessions, so a standby allows them. */
const STANDBY_WRITES = new Set(['POST /login', 'POST /logout']);

export function bannerText(primary: string, status: StandbyStatus | null): string {
  if (!status) return `Standby of ${primary} — not following: start it with WHYWIKI_FOLLOW and WHYWIKI_FOLLOW_TOKEN`;
  if (status.stopped) return `Standby of ${primary} — stopped: ${status.stopped}`;
  const behind = status.behindSeconds === null ? 'has not reached the primary yet' : `${status.behindSeconds} s behind`;
  return `Standby of ${primary} — ${behind}${status.lastError ? ` (${status.lastError})` : ''}`;
}

/**
 * A standby serves what it follows and refuses every change with 503 and the primary's address, until
 * `whywiki promote` makes it a primary (checked on every request, since the CLI runs in another process).
 */
export const standbyPlugin = fp(
  async (app: FastifyInstance) => {
    const primary = app.store.followedPrimary();
    const follow = app.config.follow;
    app.decorate(
      'follower',
      primary && follow && follow.primary === primary
        ? new Follower({
            store: app.store,
            primary,
            token: follow.token,
            intervalMs: follow.intervalMs,
            clock: () => app.clock(),
            log: app.log.child({ component: 'standby' }),
            onApplied: ({ purged }) => {
              app.pageHtml.invalidate();
              app.renderer.pagesChanged();
              app.searchIndex.notifyChanged();
              app.events.emit('directory-changed', { handle: '' });
              // As on the primary: the delta reads only new versions, and a purge rewrites old ones.
              if (purged) app.searchIndex.rebuild().catch((err: unknown) => app.log.error({ err }, 'standby: rebuilding the search index after a purge failed; run `whywiki reindex`'));
            },
          })
        : null,
    );
    app.addHook('onClose', async () => app.follower?.close());

    // A page view passes at once (readsPass); the check keeps its place before the routes' own hooks.
    app.addHook('onRequest', readsPass(async (request, reply) => {
      if (SAFE_METHODS.has(request.method) || STANDBY_WRITES.has(`${request.method} ${request.routeOptions.url}`)) return;
      const following = app.store.followedPrimary(request.storeVersion());
      if (!following) return;
      return sendError(request, reply, {
        statusCode: 503,
        error: 'Service Unavailable',
        message: `This is a read-only standby of ${following}. Make changes on the primary: ${following}${request.url.split('?')[0]}`,
      });
    }));

    // A callback hook (all of it is synchronous): every screen passes it, so no promise or tick per view.
    app.addHook('onSend', (request, reply, payload, done) => {
      done(null, withBanner(request, reply, payload));
    });
    const withBanner = (request: FastifyRequest, reply: FastifyReply, payload: unknown): unknown => {
      // Page screens are sent as bytes (see PageHtmlCache.personalize); other screens as text.
      if ((typeof payload !== 'string' && !Buffer.isBuffer(payload)) || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
      const following = app.store.followedPrimary(request.storeVersion());
      if (!following) return payload;
      const html = typeof payload === 'string' ? payload : payload.toString('utf8');
      const text = bannerText(following, app.follower?.status() ?? null);
      const banner = `<div class="standby-banner" role="status"><div class="container">${handlebars.escapeExpression(text)} · <a href="${handlebars.escapeExpression(following)}">open the primary</a></div></div>`;
      // Added as the page is sent, not in the template, so cached page screens show the current lag.
      return html.replace('<main class="container" id="main"', `${banner}\n  <main class="container" id="main"`);
    };
  },
  { name: 'standby', dependencies: ['page-caches', 'authorization'] },
);
