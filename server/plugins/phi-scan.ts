import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { PhiScanService } from '../phi/scan-service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The PHI retro-scan: its latest result, and scans run in the background when the rules change. */
    phiScan: PhiScanService;
  }
}

export const phiScanPlugin = fp(
  async (app: FastifyInstance) => {
    const service = new PhiScanService(app.store, app.config.mrnPatterns, () => app.clock(), (err) => app.log.error({ err }, 'the PHI retro-scan failed; it runs again on the next rule change or report request'));
    app.decorate('phiScan', service);
    // A scan still running when the app closes is ended (its worker terminated), so nothing outlives the app.
    app.addHook('onClose', async () => service.stop());
  },
  { name: 'phi-scan' },
);
