// A full build of the search index in its own process, started by the search worker at the lowest
// CPU priority: `rebuild <store file> <index file>`. Reuses the text already extracted into the
// previous index file, writes the new one atomically and prints a JSON summary as its last line.
import { performance } from 'node:perf_hooks';
import { openReadOnlyDatabase } from '../store/search-feed.js';
import { readSnapshot, SearchFeed, SnapshotUnreadable, writeSnapshot } from './snapshot.js';
import type { Segment } from './segment.js';
import type { SearchDoc } from './document.js';

const [dbFile, indexFile] = process.argv.slice(2);
if (!dbFile || !indexFile) {
  process.stderr.write('usage: rebuild <store file> <index file>\n');
  process.exit(2);
}
const t0 = performance.now();
const db = openReadOnlyDatabase(dbFile);
/** The previous index's page documents, whose extracted text the build reuses; its history is not needed. */
function previousPages(): Segment<SearchDoc> | null {
  try {
    return readSnapshot(indexFile!)?.pages ?? null;
  } catch (e) {
    if (!(e instanceof SnapshotUnreadable)) throw e;
    return null;
  }
}
// Built as the rows are read (see SearchFeed.snapshot): no list of every version's document is made first.
const snap = new SearchFeed(db).snapshot(previousPages());
db.close();
const bytes = writeSnapshot(indexFile, snap);
process.stdout.write(`${JSON.stringify({ pages: snap.pages.docCount, watermark: snap.watermark, bytes, ms: Math.round(performance.now() - t0) })}\n`);
