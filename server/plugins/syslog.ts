import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { onWriteRoutes } from './write-hooks.js';
import { SyslogForwarder } from '../notify/syslog.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The SIEM forwarder when WHYWIKI_SYSLOG_URL is set, else null. The server starts it; tests flush it. */
    syslog: SyslogForwarder | null;
  }
}

export const syslogPlugin = fp(
  async (app: FastifyInstance) => {
    const target = app.config.syslog;
    const forwarder = target
      ? new SyslogForwarder(app.store, target, { clock: () => app.clock(), onError: (err) => app.log.warn({ err: err.message }, 'the SIEM collector could not be reached; audit events wait in the log and are sent when it is back') })
      : null;
    app.decorate('syslog', forwarder);
    if (!forwarder) return;
    // Events a request wrote go out as soon as it is answered, after it and never in its way.
    // Only write routes carry it: a page view runs nothing here.
    onWriteRoutes(app, 'onResponse', async (request) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') forwarder.kick();
    });
    app.addHook('onClose', async () => forwarder.close());
  },
  { name: 'syslog' },
);
