import { loadConfig, ConfigError } from './config.js';
import { openStore, ensureAdmin } from './setup.js';
import { needsSeeding, seedFromContent } from './seed.js';
import { buildApp } from './app.js';
import { CONTENT_DIR } from './paths.js';
import { StoreTooNewError } from './store/migrate.js';
import { isBusyError } from './store/index.js';
import { beginFollowing, StandbyError } from './standby/setup.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const store = openStore(config.dataDir);
  if (config.follow && !beginFollowing(store, config.follow.primary)) {
    process.stdout.write(`  This store was promoted to a primary on ${store.getMeta('standby.promoted_at')}: WHYWIKI_FOLLOW is ignored.\n`);
  }
  // A standby's accounts and pages come from its primary: it creates and seeds nothing itself.
  const standby = store.followedPrimary();
  const generated = standby ? undefined : await ensureAdmin(store, config);
  if (generated) {
    // Printed once, to the terminal only: it is never logged and never stored in clear.
    process.stdout.write(
      `\n  Whywiki created the user "admin" with the password:\n\n      ${generated}\n\n` +
        `  Write it down now: it is not shown again. Set WHYWIKI_ADMIN_PASSWORD before the first start to choose it.\n\n`,
    );
  }
  if (!standby && needsSeeding(store)) {
    const seeded = seedFromContent(store, CONTENT_DIR, { systems: config.systems, maxBodyBytes: config.maxBodyBytes });
    process.stdout.write(`  Seeded the demo knowledge base: ${seeded.pages} pages, ${seeded.versions} versions.\n`);
  }
  const app = await buildApp({ config, store, startSearch: true });
  // Expired sessions are refused on read; this only keeps the table small, so while another process (an
  // import) holds the write lock it waits for the next hour rather than stall requests for the busy timeout.
  const purge = setInterval(() => {
    try {
      store.withoutWaiting(() => store.sessions.purgeExpired(Date.now()));
    } catch (err) {
      if (!isBusyError(err)) app.log.error({ err }, 'removing expired sessions failed');
    }
  }, 60 * 60 * 1000);
  purge.unref();
  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    clearInterval(purge);
    // Requests in flight finish; keep-alive connections are closed as soon as they fall idle
    // (otherwise the process would wait out their 72-second timeout); new requests get 503.
    const closing = app.close();
    const idle = setInterval(() => app.server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      app.log.error('requests were still running 30 s after the shutdown signal; stopping anyway');
      app.server.closeAllConnections();
    }, 30_000);
    await closing;
    clearInterval(idle);
    clearTimeout(deadline);
    store.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ port: config.port, host: config.host });
  // Background work that needs nothing from a request: audit forwarding, and a PHI scan if the rules changed while stopped.
  app.syslog?.start();
  if (!app.phiScan.isCurrent()) app.phiScan.rulesChanged();
  app.follower?.start();
  if (standby) process.stdout.write(`  Read-only standby of ${standby}.\n`);
  process.stdout.write(`  Whywiki is running at http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}/ (data in ${config.dataDir})\n`);
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError || e instanceof StoreTooNewError || e instanceof StandbyError) {
    process.stderr.write(`whywiki: ${e.message}\n`);
  } else if (e instanceof Error && 'code' in e && e.code === 'EADDRINUSE') {
    process.stderr.write(`whywiki: the port is already in use (${e.message}). Set PORT to a free port.\n`);
  } else {
    process.stderr.write(`whywiki: could not start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  }
  process.exit(1);
});
