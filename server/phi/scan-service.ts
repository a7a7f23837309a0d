import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Store } from '../store/index.js';
import { runsFromSource, TS_WORKER_BOOTSTRAP } from '../search/entry.js';
import { currentRules, sameRules, type PhiScanResult } from './retro-scan.js';
import type { FromScanWorker, ScanWorkerInput } from './scan-protocol.js';

const META_KEY = 'phi_scan_latest';
const STOPPED = 'The PHI scan stopped: the server is shutting down.';

/** The worker's file beside this module: the built .js, or the .ts loaded through tsx when running from source. */
const WORKER_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), `scan-worker${runsFromSource ? '.ts' : '.js'}`);

/** The scan worker failed: its kind and where, without its message (which may quote stored text). */
export class PhiScanFailed extends Error {
  constructor(what: string, frames: string[] = []) {
    super(`the PHI scan worker failed: ${what}`);
    this.name = 'PhiScanFailed';
    this.stack = [`${this.name}: ${this.message}`, ...frames].join('\n');
  }
}

/**
 * Keeps the latest retro-scan (in the store's meta table, so a restart and the CLI see it) and runs a new
 * one in a worker thread with its own read-only connection, so a scan of a large store, which runs for
 * minutes, does not hold up the thread that answers requests; this thread only stores the result. One scan at a time; a rule
 * change during a scan makes it run once more when it ends.
 */
export class PhiScanService {
  private running: Promise<PhiScanResult> | null = null;
  private again = false;
  private stopped = false;
  private worker: Worker | null = null;

  constructor(
    private readonly store: Store,
    private readonly mrnPatterns: string[],
    private readonly clock: () => Date,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  /** The latest finished scan, whatever rules it ran under. */
  latest(): PhiScanResult | undefined {
    const raw = this.store.getMeta(META_KEY);
    return raw ? (JSON.parse(raw) as PhiScanResult) : undefined;
  }

  /** Whether the latest scan ran under the rules in force now. */
  isCurrent(result: PhiScanResult | undefined = this.latest()): boolean {
    return result !== undefined && sameRules(result.under, currentRules(this.store, this.mrnPatterns));
  }

  /** Resolves when no scan is running (at once if none is). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  get scanning(): boolean {
    return this.running !== null;
  }

  /** A scan under the current rules: the stored one, or one run now (in the background) and awaited. */
  async current(): Promise<PhiScanResult> {
    const latest = this.latest();
    if (latest && this.isCurrent(latest) && !this.running) return latest;
    return this.run();
  }

  /** Called when the rules change: starts a scan in the background and returns at once. */
  rulesChanged(): void {
    void this.run().catch((err: unknown) => {
      if (!this.stopped) this.onError(err);
    });
  }

  /** Ends a running scan at once (the app is closing): its worker is terminated and nothing is kept of it. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.worker?.terminate();
    await this.idle();
  }

  /** Starts a scan unless one is running (then it runs once more after it); resolves with the result. */
  run(): Promise<PhiScanResult> {
    if (this.stopped) return Promise.reject(new Error(STOPPED));
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = this.loop().finally(() => {
      this.running = null;
    });
    this.running = run;
    return run;
  }

  private async loop(): Promise<PhiScanResult> {
    // Bounded: each round starts only after a rule changed during the one before.
    for (let round = 0; ; round++) {
      this.again = false;
      const input: ScanWorkerInput = {
        dbFile: this.store.file,
        rules: this.store.phiRules.active(),
        mrnPatterns: this.mrnPatterns,
        under: currentRules(this.store, this.mrnPatterns),
        ranAt: this.clock().toISOString(),
      };
      const result = await this.inWorker(input);
      if (this.stopped) throw new Error(STOPPED);
      this.store.setMeta(META_KEY, JSON.stringify(result));
      if (!this.again || round >= 10) return result;
    }
  }

  /** One scan in a worker thread, which ends when it has posted its answer (or is terminated by stop). */
  private inWorker(input: ScanWorkerInput): Promise<PhiScanResult> {
    return new Promise((resolve, reject) => {
      const worker = runsFromSource
        ? new Worker(TS_WORKER_BOOTSTRAP, { eval: true, workerData: { entry: WORKER_FILE, parentURL: pathToFileURL(WORKER_FILE).href, options: input } })
        : new Worker(WORKER_FILE, { workerData: { options: input } });
      this.worker = worker;
      let answered = false;
      worker.on('message', (m: FromScanWorker) => {
        answered = true;
        if (m.type === 'done') resolve(m.result);
        else reject(new PhiScanFailed(m.code ? `${m.name} (${m.code})` : m.name, m.frames));
      });
      // An error the worker did not catch (its code failed to load): named, not quoted.
      worker.on('error', (e: Error) => {
        answered = true;
        reject(new PhiScanFailed(e.name));
      });
      worker.on('exit', (code) => {
        if (this.worker === worker) this.worker = null;
        if (!answered) reject(new Error(this.stopped ? STOPPED : `the PHI scan worker exited with code ${code} before it answered`));
      });
    });
  }
}

/** Keeps the result a CLI run made, so the screen shows it until the next scan. */
export function keepScanResult(store: Store, result: PhiScanResult): void {
  store.setMeta(META_KEY, JSON.stringify(result));
}
