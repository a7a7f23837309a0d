import type { Config } from './config.js';
import { openDatabase } from './store/db.js';
import { migrate, readMigrations } from './store/migrate.js';
import { Store } from './store/index.js';
import { MIGRATIONS_DIR } from './paths.js';
import { createUser } from './auth/commands/create-user.js';
import { randomPassword } from './auth/passwords.js';
import { sealVersionDigests } from './purge/seal.js';

/** Opens the store in the configured data folder and brings its schema up to date. */
export function openStore(dataDir: string): Store {
  const db = openDatabase(dataDir);
  try {
    migrate(db, readMigrations(MIGRATIONS_DIR));
  } catch (e) {
    db.close();
    throw e;
  }
  const store = new Store(db);
  // Versions from before digests existed get theirs now, while their content is whole (see purge/seal.ts).
  sealVersionDigests(store);
  return store;
}

/**
 * Creates the `admin` account when the store has no users. Returns the password only when it was
 * generated, so the caller can print it once; a configured password is never echoed.
 */
export async function ensureAdmin(store: Store, config: Pick<Config, 'adminPassword'>): Promise<string | null> {
  if (store.users.count() > 0) return null;
  const password = config.adminPassword ?? randomPassword();
  await createUser({ store, actor: { username: 'system' }, client: 'setup' }, { username: 'admin', password, role: 'admin' });
  return config.adminPassword ? null : password;
}
