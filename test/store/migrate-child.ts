// Opens a store and applies the migrations in a folder: `tsx migrate-child.ts <data dir> <migrations dir>`.
// The migration test kills this process half way through a slow migration.
import { openDatabase } from '../../server/store/db.js';
import { migrate, readMigrations } from '../../server/store/migrate.js';

const [dataDir, migrationsDir] = process.argv.slice(2);
const db = openDatabase(dataDir!);
process.stdout.write('migrating\n');
const applied = migrate(db, readMigrations(migrationsDir!));
db.close();
process.stdout.write(`applied ${applied.join(',')}\n`);
