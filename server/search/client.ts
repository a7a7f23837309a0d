import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SearchRequest, SearchResponse } from './engine.js';
import { entryFile, runsFromSource, TS_WORKER_BOOTSTRAP } from './entry.js';
import type { FromWorker, SearchStatus, ToWorker, WorkerOptions } from './protocol.js';
import { snapshotFile } from './snapshot.js';
import { InvalidError } from '../core/errors.js';

/** The query cannot be run as written (400). */
/** A query the engine cannot read; the message says why, beside the search box. */
export class SearchQueryError extends InvalidError {
  constructor(message: string) {
    super(message, 'q');
    this.name = 'SearchQueryError';
  }
}
/** Search cannot answer yet or at all (503); pages are unaffected. */
export class SearchUnavailable extends Error {
  constructor(message: string, readonly warming: boolean) {
    super(message);
  }
}

export interface SearchLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SearchServiceOptions {
  dbFile: string;
  log: SearchLogger;
  deltaMax?: number;
  backgroundBuildAbove?: number;
  /** How long a search may take before the person is told to try again. */
  timeoutMs?: number;
  /** How often the worker looks for pages written by another process (ms; 0: never, tests tell it). */
  pollMs?: number;
}

interface Pending {
  resolve: (m: FromWorker) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

interface QueuedSearch {
  req: SearchRequest;
  pending: Pending;
}

function initialStatus(): SearchStatus {
  return { state: 'starting', pages: 0, watermark: 0, mainWatermark: 0, delta: 0, rebuilding: false, merging: false, loadedFrom: null, builds: 0, readyMs: null, lastBuildMs: null, indexedAtStart: 0, indexBytes: null, error: null };
}

/**
 * The request thread's handle on the search worker: sends queries and change notices, and turns the
 * worker's answers into results or errors. The worker starts on first use (or `start()`), so a
 * page view never waits for the index.
 *
 * The worker runs one query at a time. Queries wait here, one queue per caller, and are sent in
 * turn across callers, so someone firing many searches delays only their own. The worker's status
 * is pushed here whenever it changes, so asking for it never waits behind a query.
 */
export class SearchService {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Searches not yet sent, by caller, in turn order (a Map keeps insertion order). */
  private readonly queues = new Map<string, QueuedSearch[]>();
  private inFlight: number | null = null;
  private lastStatus: SearchStatus = initialStatus();
  private closed = false;
  private readonly workerOptions: WorkerOptions;

  constructor(private readonly opts: SearchServiceOptions) {
    this.workerOptions = {
      dbFile: opts.dbFile,
      indexFile: snapshotFile(opts.dbFile),
      deltaMax: opts.deltaMax ?? 200,
      backgroundBuildAbove: opts.backgroundBuildAbove ?? 300,
      pollMs: opts.pollMs ?? 1000,
    };
  }

  get started(): boolean {
    return this.worker !== null;
  }

  start(): void {
    if (this.worker || this.closed) return;
    const entry = entryFile('worker');
    const worker = runsFromSource
      ? new Worker(TS_WORKER_BOOTSTRAP, { eval: true, workerData: { entry, parentURL: pathToFileURL(entry).href, options: this.workerOptions } })
      : new Worker(entry, { workerData: { options: this.workerOptions } });
    this.worker = worker;
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (e) => this.opts.log.error({ err: e.message }, 'search worker failed'));
    worker.on('exit', (code) => {
      this.worker = null;
      this.inFlight = null;
      this.lastStatus = initialStatus();
      const stopped = () => new SearchUnavailable('Search stopped; try again in a moment.', false);
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(stopped());
        this.pending.delete(id);
      }
      for (const queue of this.queues.values()) {
        for (const q of queue) {
          clearTimeout(q.pending.timer);
          q.pending.reject(stopped());
        }
      }
      this.queues.clear();
      if (!this.closed) {
        this.opts.log.error({ code }, 'search worker exited; restarting it');
        setTimeout(() => this.start(), 1000).unref();
      }
    });
  }

  private onMessage(m: FromWorker): void {
    if (m.type === 'log') {
      this.opts.log[m.level](m.data ?? {}, m.msg);
      return;
    }
    if (m.type === 'state') {
      this.lastStatus = m.status;
      return;
    }
    if (m.id === this.inFlight) {
      this.inFlight = null;
      this.dispatch();
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    p.resolve(m);
  }

  private call(message: { type: 'rebuild' } | { type: 'close' }, timeoutMs: number): Promise<FromWorker> {
    this.start();
    const worker = this.worker;
    if (!worker) return Promise.reject(new SearchUnavailable('Search is not running.', false));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SearchUnavailable('Search took too long; try again in a moment.', false));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      worker.postMessage({ ...message, id } as ToWorker);
    });
  }

  /** Sends the next waiting search, taking callers in turn, when the worker has none. */
  private dispatch(): void {
    const worker = this.worker;
    if (!worker || this.inFlight !== null) return;
    for (const [caller, queue] of this.queues) {
      const next = queue.shift()!;
      this.queues.delete(caller);
      if (queue.length) this.queues.set(caller, queue); // to the back of the turn order
      const id = this.nextId++;
      this.pending.set(id, next.pending);
      this.inFlight = id;
      worker.postMessage({ type: 'search', id, req: next.req } satisfies ToWorker);
      return;
    }
  }

  /** Runs a search; `caller` (a user name or address) decides whose turn it is when several wait. */
  async search(req: SearchRequest, caller = ''): Promise<SearchResponse & { ms: number }> {
    this.start();
    if (!this.worker) throw new SearchUnavailable('Search is not running.', false);
    const m = await new Promise<FromWorker>((resolve, reject) => {
      const item: QueuedSearch = { req, pending: { resolve, reject, timer: undefined as unknown as NodeJS.Timeout } };
      item.pending.timer = setTimeout(() => {
        const queue = this.queues.get(caller);
        const at = queue?.indexOf(item) ?? -1;
        if (queue && at >= 0) {
          queue.splice(at, 1);
          if (!queue.length) this.queues.delete(caller);
        }
        for (const [id, p] of this.pending) if (p === item.pending) this.pending.delete(id);
        reject(new SearchUnavailable('Search took too long; try again in a moment.', false));
      }, this.opts.timeoutMs ?? 10_000);
      const queue = this.queues.get(caller);
      if (queue) queue.push(item);
      else this.queues.set(caller, [item]);
      this.dispatch();
    });
    if (m.type !== 'result') throw new Error('unexpected answer from the search worker');
    if (m.ok) return { ...m.res, ms: m.ms };
    if (m.kind === 'query') throw new SearchQueryError(m.message);
    throw new SearchUnavailable(m.message, m.kind === 'warming');
  }

  /** Where the index stands, as the worker last reported it: answered at once, even while a query runs. */
  async status(): Promise<SearchStatus> {
    this.start();
    return { ...this.lastStatus };
  }

  /** Asks for a full rebuild of the main segment (it runs in the background for large stores). */
  async rebuild(): Promise<void> {
    await this.call({ type: 'rebuild' }, 600_000);
  }

  /** A page was written: the worker indexes everything new before it answers the next query. */
  notifyChanged(): void {
    this.worker?.postMessage({ type: 'changed' } satisfies ToWorker);
  }

  /** Waits until search answers (or fails), for startup checks, tests and benchmarks. */
  async whenReady(timeoutMs = 60_000): Promise<SearchStatus> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.status();
      if (s.state === 'ready' || s.state === 'failed') return s;
      if (Date.now() > until) throw new Error(`search was not ready after ${timeoutMs} ms (state ${s.state})`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    try {
      await Promise.race([this.call({ type: 'close' }, 2000), new Promise((r) => setTimeout(r, 2000))]);
    } catch {
      // Closing anyway.
    }
    await worker.terminate();
  }
}
