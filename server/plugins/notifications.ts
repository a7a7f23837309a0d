import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { onWriteRoutes } from './write-hooks.js';
import { NotificationWorker } from '../notify/worker.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Derives notifications from the audit log and sends their mails; runs while the server listens. */
    notifications: NotificationWorker;
  }
}

/**
 * Adds `app.notifications`. It starts when the server listens and stops when it closes; after each write
 * request it is nudged to derive and send at once. Tests that only inject call `poll()` and `send()`.
 */
export const notificationsPlugin = fp(
  async (app: FastifyInstance) => {
    const { config } = app;
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    const worker = new NotificationWorker({
      store: app.store,
      clock: () => app.clock(),
      reviewDefaults: config.reviewDefaults,
      digestHour: config.digestHour,
      smtpUrl: config.smtpUrl,
      mailFrom: config.mailFrom,
      baseUrl: config.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`,
      log: app.log.child({ component: 'notifications' }),
    });
    app.decorate('notifications', worker);
    app.addHook('onListen', async () => worker.start());
    app.addHook('onClose', async () => worker.stop());
    // Only write routes carry it: a page view runs nothing here.
    onWriteRoutes(app, 'onResponse', async (request, reply) => {
      if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400) worker.nudge();
    });
  },
  { name: 'notifications' },
);
