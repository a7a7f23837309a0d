import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The store's version (Store.version()) for this request, read once and shared by every cache the
     * request consults (the sign-in, the page facts, the unread count, the standby check). A GET or HEAD
     * reads it at its first use; other methods write, so they read it afresh each time.
     */
    storeVersion(): string;
    /** Forgets the version read so far, after a GET wrote something a later cache look-up must see. */
    storeVersionChanged(): void;
    storeVersionRead: string | null;
  }
}

const READS = new Set(['GET', 'HEAD']);

/** Adds `request.storeVersion()`: each request reads SQLite's change counters once, not once per cache. */
export const storeVersionPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('storeVersionRead', null);
    app.decorateRequest('storeVersion', function (this: FastifyRequest): string {
      if (!READS.has(this.method)) return app.store.version();
      return (this.storeVersionRead ??= app.store.version());
    });
    app.decorateRequest('storeVersionChanged', function (this: FastifyRequest): void {
      this.storeVersionRead = null;
    });
  },
  { name: 'store-version' },
);
