import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { onWriteRoutes } from './write-hooks.js';
import { IntegrationWorker } from '../integrations/worker.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Webhooks and Teams/Slack: derives deliveries from the audit log and sends them. */
    integrations: IntegrationWorker;
  }
}

/**
 * Adds `app.integrations`. It starts when the server listens (tests that only inject drive it with
 * `tick()`), runs after every write request and on a timer, and stops when the app closes.
 */
export const integrationsPlugin = fp(
  async (app: FastifyInstance) => {
    const worker = new IntegrationWorker({
      store: app.store,
      clock: () => app.clock(),
      publicUrl: app.config.publicUrl,
      log: app.log.child({ component: 'integrations' }),
    });
    app.decorate('integrations', worker);
    // Marks where the consumer starts on a new store; a busy store only delays that to the first run.
    app.addHook('onReady', async () => {
      try {
        worker.derive();
      } catch (err) {
        app.log.error({ err }, 'integrations: reading the audit log failed; the next run retries');
      }
    });
    app.addHook('onListen', async () => worker.start());
    // A write's audit event is committed by the time its answer is sent. Only write routes carry it.
    onWriteRoutes(app, 'onResponse', async (request) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') worker.nudge();
    });
    app.addHook('onClose', async () => worker.stop());
  },
  { name: 'integrations' },
);
