// A full build of the search index in its own process, started by the search worker at the lowest
// CPU priority: `rebuild <store file> <index file>`. Reuses the text already extracted into the
// previous index file, writes the new one atomically and prints a JSON summary as its last line.
import { performance } from 'node:perf_hooks';
import { openReadOnlyDatabase } from '../store/search-feed.js';
import { buildSnapshot, readSnapshot, SearchFeed, SnapshotUnreadable, writeSnapshot } from './snapshot.js';

const [dbFile, indexFile] = process.argv.slice(2);
if (!dbFile || !indexFile) {
  process.stderr.write('usage: rebuild <store file> <index file>\n');
  process.exit(2);
}
const t0 = performance.now();
const db = openReadOnlyDatabase(dbFile);
let previous = null;
try {
  previous = readSnapshot(indexFile);
} catch (e) {
  if (!(e instanceof SnapshotUnreadable)) throw e;
}
const source = new SearchFeed(db).snapshotSource(previous?.pages ?? null);
previous = null;
db.close();
const snap = buildSnapshot(source);
const bytes = writeSnapshot(indexFile, snap);
process.stdout.write(`${JSON.stringify({ pages: snap.pages.docCount, watermark: snap.watermark, bytes, ms: Math.round(performance.now() - t0) })}\n`);
