// The search worker thread: holds the index, answers queries and keeps the index fresh, so that no
// search, load or rebuild ever runs on the thread that serves pages.
import os from 'node:os';
import { spawn, type ChildProcess } from 'node:child_process';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { openReadOnlyDatabase } from '../store/search-feed.js';
import { SearchEngine } from './engine.js';
import { QueryError } from './query.js';
import { deltaFile, readDelta, readSnapshot, SearchFeed, SnapshotUnreadable, writeDelta, writeSnapshot, type Snapshot } from './snapshot.js';
import { entryFile, runsFromSource } from './entry.js';
import type { FromWorker, SearchStatus, ToWorker, WorkerOptions } from './protocol.js';

const port = parentPort!;
const options = (workerData as { options: WorkerOptions }).options;
const started = performance.now();

const post = (m: FromWorker) => port.postMessage(m);
const log = (level: 'info' | 'warn' | 'error', msg: string, data?: Record<string, unknown>) => post({ type: 'log', level, msg, data });

const db = openReadOnlyDatabase(options.dbFile);
const feed = new SearchFeed(db);
const engine = new SearchEngine();

const status: SearchStatus = {
  state: 'starting',
  pages: 0,
  watermark: 0,
  mainWatermark: 0,
  delta: 0,
  rebuilding: false,
  merging: false,
  loadedFrom: null,
  builds: 0,
  readyMs: null,
  lastBuildMs: null,
  indexedAtStart: 0,
  indexBytes: null,
  error: null,
};
let child: ChildProcess | null = null;
let closing = false;
let published = '';

/** Tells the request thread where the index stands, whenever that changed, so it can answer status requests itself. */
function publish(): void {
  status.merging = engine.merging;
  const now = JSON.stringify(status);
  if (now === published) return;
  published = now;
  post({ type: 'state', status: { ...status } });
}

function install(snap: Snapshot, from: 'file' | 'build'): void {
  engine.setMain(snap.pages, snap.history);
  status.mainWatermark = snap.watermark;
  status.watermark = Math.max(status.watermark, snap.watermark);
  status.loadedFrom = from;
  if (status.state !== 'ready') {
    status.state = 'ready';
    status.readyMs = Math.round(performance.now() - started);
  }
  refreshCounts();
  refreshRestrictions();
}

/**
 * Reads every page's current restriction from the store. Called after indexing anything, so the
 * restrictions are never older than what the index holds: a page restricted a moment ago is hidden,
 * old versions included, before any of its text can be found.
 */
function refreshRestrictions(): void {
  engine.setRestrictions(feed.restrictions());
}

function refreshCounts(): void {
  status.pages = engine.docCount;
  status.delta = engine.deltaSize;
}

/** Versions read from the store per step of catching up. */
const CATCH_UP_BATCH = 100;
/** How long one turn of catching up may hold the worker before queries waiting behind it are answered. */
const CATCH_UP_TURN_MS = 50;
let catchUpQueued = false;

/**
 * Indexes every version written since the watermark into the delta, however many: an import by
 * another process becomes searchable as it is read, not after a rebuild. Works in turns of a few
 * batches so queries keep being answered meanwhile; a delta grown large is folded into the main
 * segment by a background rebuild, while the delta keeps answering.
 */
function catchUp(): void {
  if (!engine.ready) return;
  const t0 = performance.now();
  let more = false;
  do {
    const changes = feed.changesSince(status.watermark, CATCH_UP_BATCH);
    if (!changes.pages.length && !changes.versions.length) break;
    // Restrictions are read before the text is searchable, so a restricted page is never shown unrestricted.
    refreshRestrictions();
    engine.applyChanges(changes.pages, changes.versions);
    engine.indexDelta();
    status.watermark = changes.watermark;
    more = changes.more;
  } while (more && performance.now() - t0 < CATCH_UP_TURN_MS);
  refreshRestrictions();
  refreshCounts();
  scheduleMerge();
  if (more) {
    if (!catchUpQueued) {
      catchUpQueued = true;
      setImmediate(() => {
        catchUpQueued = false;
        if (closing) return;
        try {
          catchUp();
        } catch (e) {
          log('error', 'search could not index a change', { error: (e as Error).stack });
        }
        publish();
      });
    }
    return;
  }
  if (engine.deltaFull(options.deltaMax)) startRebuild('the delta is full');
}

/** Documents a delta merge takes per step (a page's text is at most about a megabyte). */
const MERGE_SLICE = 4;
/** How long one turn of merging may hold the worker before queries waiting behind it are answered. */
const MERGE_TURN_MS = 10;
let mergeQueued = false;

/** Steps through a delta merge under way, a few slices per turn of the event loop, so no query waits for all of it. */
function scheduleMerge(): void {
  if (mergeQueued || closing || !engine.merging) return;
  mergeQueued = true;
  setImmediate(() => {
    mergeQueued = false;
    if (closing) return;
    const t0 = performance.now();
    try {
      // Bounded: each step takes documents of a merge, and every merge ends.
      while (engine.mergeStep(MERGE_SLICE) && performance.now() - t0 < MERGE_TURN_MS);
    } catch (e) {
      log('error', 'search could not merge the delta', { error: (e as Error).stack });
      return;
    }
    scheduleMerge();
    publish();
  });
}

/** A full build in this thread: used for small stores, where it takes well under a second. */
function buildHere(): void {
  const t0 = performance.now();
  const snap = feed.snapshot(engine.mainSegments().pages);
  status.indexBytes = writeSnapshot(options.indexFile, snap);
  status.builds += 1;
  status.lastBuildMs = Math.round(performance.now() - t0);
  install(snap, 'build');
  log('info', 'search index built', { pages: snap.pages.docCount, ms: status.lastBuildMs });
}

/**
 * A full build. Large stores are built by a separate process at the lowest CPU priority, which
 * writes the index file; this thread keeps answering from the current segments meanwhile and
 * swaps in the new ones when the file is ready.
 */
function startRebuild(reason: string): void {
  if (status.rebuilding || closing) return;
  const versions = feed.watermark();
  if (versions <= options.backgroundBuildAbove) {
    if (!engine.ready) status.state = 'building';
    buildHere();
    catchUp();
    return;
  }
  status.rebuilding = true;
  if (!engine.ready) status.state = 'building';
  log('info', 'rebuilding the search index in the background', { reason });
  const t0 = performance.now();
  const args = [...(runsFromSource ? ['--import', 'tsx'] : []), entryFile('rebuild'), options.dbFile, options.indexFile];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  try {
    if (proc.pid) os.setPriority(proc.pid, 19);
  } catch {
    // Not permitted here: the build still runs, at normal priority.
  }
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  proc.on('exit', (code) => {
    child = null;
    status.rebuilding = false;
    if (closing) return;
    setImmediate(publish);
    if (code !== 0) {
      status.error = `rebuild failed: ${err.trim().split('\n').slice(-3).join(' ') || `exit ${code}`}`;
      log('error', 'search index rebuild failed', { code, stderr: err.slice(-2000) });
      if (!engine.ready) status.state = 'failed';
      return;
    }
    try {
      const snap = readSnapshot(options.indexFile);
      if (!snap) throw new Error('the rebuild wrote no index file');
      status.builds += 1;
      status.lastBuildMs = Math.round(performance.now() - t0);
      const summary = JSON.parse(out.trim().split('\n').pop() || '{}') as { bytes?: number };
      status.indexBytes = summary.bytes ?? null;
      status.error = null;
      install(snap, 'build');
      log('info', 'search index rebuilt', { pages: snap.pages.docCount, ms: status.lastBuildMs });
      catchUp();
    } catch (e) {
      status.error = `could not load the rebuilt index: ${(e as Error).message}`;
      log('error', status.error);
      if (!engine.ready) status.state = 'failed';
    }
  });
}

function start(): void {
  try {
    let snap: Snapshot | null = null;
    try {
      snap = readSnapshot(options.indexFile);
    } catch (e) {
      if (!(e instanceof SnapshotUnreadable)) throw e;
      log('warn', `the search index file is ${e.message}; rebuilding it`);
    }
    if (snap && snap.watermark <= feed.watermark()) {
      install(snap, 'file');
      // Changes indexed before the last shutdown, already extracted: applied without reading the store.
      const delta = readDelta(deltaFile(options.indexFile), snap.watermark);
      if (delta && delta.watermark <= feed.watermark()) {
        engine.applyChanges(delta.pages, delta.versions);
        status.watermark = delta.watermark;
      }
      const before = status.watermark;
      log('info', 'search index loaded', { pages: snap.pages.docCount, ms: status.readyMs, watermark: snap.watermark });
      catchUp();
      status.indexedAtStart = status.watermark - before;
    } else {
      if (snap) log('warn', 'the search index file is newer than the store (restored from a backup?); rebuilding it');
      startRebuild('no usable index file');
    }
  } catch (e) {
    status.state = 'failed';
    status.error = (e as Error).message;
    log('error', 'search could not start', { error: (e as Error).stack });
  }
  publish();
}

port.on('message', (m: ToWorker) => {
  handle(m);
  // Indexing or a search may have started a delta merge.
  scheduleMerge();
  publish();
});

function handle(m: ToWorker): void {
  switch (m.type) {
    case 'search': {
      if (!engine.ready) {
        post({ type: 'result', id: m.id, ok: false, kind: 'warming', message: status.state === 'failed' ? `Search is unavailable: ${status.error}` : 'Search is warming up; try again in a moment.' });
        return;
      }
      const t0 = performance.now();
      try {
        const res = engine.search(m.req);
        post({ type: 'result', id: m.id, ok: true, res, ms: performance.now() - t0 });
      } catch (e) {
        if (e instanceof QueryError) post({ type: 'result', id: m.id, ok: false, kind: 'query', message: e.message });
        else {
          log('error', 'search failed', { error: (e as Error).stack, q: m.req.q.slice(0, 200) });
          post({ type: 'result', id: m.id, ok: false, kind: 'internal', message: 'Search failed unexpectedly.' });
        }
      }
      return;
    }
    case 'changed':
      try {
        catchUp();
      } catch (e) {
        log('error', 'search could not index a change', { error: (e as Error).stack });
      }
      return;
    case 'rebuild':
      try {
        if (!status.rebuilding) startRebuild('asked for');
      } catch (e) {
        log('error', 'search rebuild failed', { error: (e as Error).stack });
      }
      publish();
      post({ type: 'done', id: m.id });
      return;
    case 'close':
      closing = true;
      void (async () => {
        // Wait for a running rebuild process to be gone: while it holds the database open, closing the
        // store cannot checkpoint and remove the WAL, and the next start would have recovery work.
        const running = child;
        if (running && running.exitCode === null && running.signalCode === null) {
          await new Promise<void>((resolve) => {
            running.once('exit', () => resolve());
            running.kill('SIGKILL');
            setTimeout(resolve, 1000).unref();
          });
        }
        try {
          // Keep what the delta holds, so the next start has nothing to index.
          if (engine.ready && status.watermark > status.mainWatermark) {
            writeDelta(deltaFile(options.indexFile), { mainWatermark: status.mainWatermark, watermark: status.watermark, ...engine.deltaState() });
          }
        } catch (e) {
          log('warn', 'could not save the search delta; the next start will index those changes again', { error: (e as Error).message });
        }
        db.close();
        post({ type: 'done', id: m.id });
      })();
      return;
  }
}

// Let the parent finish wiring before the (possibly long) load starts.
setImmediate(start);

// Versions written by another process (the CLI, an import) send no notice: look for them every second
// (or as configured), during a background rebuild too: the delta answers until the rebuild is swapped in.
if (options.pollMs > 0) {
  setInterval(() => {
    if (closing || !engine.ready || catchUpQueued || feed.watermark() <= status.watermark) return;
    try {
      catchUp();
    } catch (e) {
      log('error', 'search could not index a change', { error: (e as Error).stack });
    }
    publish();
  }, options.pollMs).unref();
}
