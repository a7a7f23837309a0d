import { isBusyError, type Store } from '../store/index.js';

/** The first wait after the store was found locked, and the longest: doubling in between. */
export const BUSY_RETRY_FIRST_MS = 50;
export const BUSY_RETRY_MAX_MS = 5_000;

/**
 * The writes a background worker makes on the request thread (an outbox consumer's transaction, the
 * bookkeeping after a mail or webhook was sent). Each runs without waiting for another process's write
 * lock: while a bulk import holds it, the write is kept, in order, and retried after a bounded backoff,
 * so requests are never stuck behind a worker waiting the busy timeout out.
 */
export class BackgroundWrites {
  private readonly waiting: (() => void)[] = [];
  private delayMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  /** `retry` runs the worker's round again once the backoff has passed (only while the store was busy). */
  constructor(
    private readonly store: Store,
    private readonly retry: () => void,
  ) {}

  /** Writes not made yet because the store was locked. A worker sends nothing new while any wait. */
  get pending(): number {
    return this.waiting.length;
  }

  /** Runs `fn` now, or keeps it for `flush` (after any writes already kept) while the store is locked. */
  write(fn: () => void): void {
    this.waiting.push(fn);
    this.flush();
  }

  /** Runs the kept writes in order; false, with a retry scheduled, when the store is still locked. */
  flush(): boolean {
    // Bounded: each turn either removes a write or returns.
    while (this.waiting.length) {
      const next = this.waiting[0]!;
      try {
        this.store.withoutWaiting(next);
      } catch (e) {
        if (!isBusyError(e)) {
          this.waiting.shift();
          throw e;
        }
        this.busy();
        return false;
      }
      this.waiting.shift();
    }
    this.delayMs = 0;
    return true;
  }

  /** Runs `fn` (after the kept writes) and returns its result, or undefined when the store is locked. */
  attempt<T>(fn: () => T): T | undefined {
    if (!this.flush()) return undefined;
    try {
      const result = this.store.withoutWaiting(fn);
      this.delayMs = 0;
      return result;
    } catch (e) {
      if (!isBusyError(e)) throw e;
      this.busy();
      return undefined;
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private busy(): void {
    if (this.stopped || this.timer) return;
    this.delayMs = Math.min(BUSY_RETRY_MAX_MS, this.delayMs ? this.delayMs * 2 : BUSY_RETRY_FIRST_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.retry();
    }, this.delayMs);
    this.timer.unref();
  }
}
