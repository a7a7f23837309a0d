import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { linkTitles, pageExists } from '../pages/queries.js';
import { RenderCache } from '../render/cache.js';
import { pageFileMeta } from '../files/meta.js';
import { PageHtmlCache, VersionedMemo, type ViewFacts } from '../routes/html/page-cache.js';
import { mentionLinks } from '../people/mentions.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Markdown rendered in worker threads, cached by version hash. */
    renderer: RenderCache;
    /** Whole page screens, cached per version and viewer; emptied on any change. */
    pageHtml: PageHtmlCache;
    /** Per page and viewer, what a page view reads besides its HTML (null: no such page); under Store.version(). */
    viewFacts: VersionedMemo<ViewFacts | null>;
    /** Per person and hidden set, the header's unread count; under Store.version(). */
    unreadCounts: VersionedMemo<number>;
  }
}

/**
 * Adds the render cache and the page-screen cache, and empties them when a page, a review or the
 * directory changes (here or, through data_version, in another process). Search hears of changes too.
 */
export const pageCachesPlugin = fp(
  async (app: FastifyInstance) => {
    const { store, config } = app;
    app.decorate('renderer', new RenderCache((slug) => pageExists(store, slug), { timeoutMs: config.renderTimeoutMs, siteOrigin: config.publicUrl, fileMeta: (slug, markdown) => pageFileMeta(store, slug, markdown), titles: (slugs) => linkTitles(store, slugs), mentions: (handles) => mentionLinks(store, handles) }));
    app.addHook('onClose', async () => app.renderer.close());
    app.decorate('pageHtml', new PageHtmlCache(() => store.dataVersion()));
    app.decorate('viewFacts', new VersionedMemo<ViewFacts | null>());
    app.decorate('unreadCounts', new VersionedMemo<number>());
    app.events.on('page-changed', (e) => {
      app.pageHtml.invalidate();
      if (e.created) app.renderer.pagesChanged();
      app.searchIndex.notifyChanged();
    });
    app.events.on('page-reviewed', () => app.pageHtml.invalidate());
    app.events.on('directory-changed', () => app.pageHtml.invalidate());
    app.events.on('comment-changed', () => app.pageHtml.invalidate());
  },
  { name: 'page-caches' },
);
