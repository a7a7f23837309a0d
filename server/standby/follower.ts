import type { Store } from '../store/index.js';
import { FeedSchemaError } from '../store/feed.js';
import { describeBreak, formatCursor, verifyBatch, type FeedBatch } from './feed.js';

export interface FollowerOptions {
  store: Store;
  /** The primary's address, e.g. https://wiki.hospital.org */
  primary: string;
  /** An API token of an admin account on the primary. */
  token: string;
  intervalMs: number;
  clock: () => Date;
  log: { debug(obj: object, msg: string): void; info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /**
   * Called after a batch was applied, so caches and the search index hear of the new rows; `purged` when it
   * removed text from rows already held, which the search index must then forget by rebuilding.
   */
  onApplied: (applied: { purged: boolean }) => void;
}

export interface StandbyStatus {
  primary: string;
  following: boolean;
  /** When a pull last reached the primary's head (ISO), or null before the first. */
  reachedHeadAt: string | null;
  /** Whole seconds since then, by the injected clock; null before the first. */
  behindSeconds: number | null;
  /** Why the last pull failed (primary unreachable, token refused), or null when it succeeded. */
  lastError: string | null;
  /** Set when the primary's history did not verify: the standby applies nothing more. */
  stopped: string | null;
}

/** Most batches one round of pulling applies before it lets the interval pass: every loop is bounded. */
const MAX_BATCHES_PER_ROUND = 10_000;

/**
 * Pulls the primary's feed on an interval, verifies each batch's hashes against what it already holds,
 * and applies it in one transaction. Stops for good when the chain does not verify or the store is promoted.
 */
export class Follower {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;
  private reachedHeadAt: Date | null = null;
  private lastError: string | null = null;
  private stopped: string | null = null;

  constructor(private readonly opts: FollowerOptions) {}

  start(): void {
    this.schedule(0);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
  }

  status(): StandbyStatus {
    const now = this.opts.clock().getTime();
    return {
      primary: this.opts.primary,
      following: !this.closed && !this.stopped && this.opts.store.followedPrimary() !== undefined,
      reachedHeadAt: this.reachedHeadAt?.toISOString() ?? null,
      behindSeconds: this.reachedHeadAt ? Math.max(0, Math.round((now - this.reachedHeadAt.getTime()) / 1000)) : null,
      lastError: this.lastError,
      stopped: this.stopped,
    };
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.running = this.pullUntilHead()
        .catch((e: unknown) => {
          // A busy or full disk: keep serving what is held and try again on the next interval.
          this.lastError = `applying the primary's changes failed: ${(e as Error).message}`;
          this.opts.log.error({ err: e }, `standby: ${this.lastError}`);
        })
        .finally(() => this.schedule(this.opts.intervalMs));
    }, ms);
  }

  /** Pulls batches until one says the primary has nothing more; errors are kept for the banner and logged. */
  async pullUntilHead(): Promise<void> {
    for (let i = 0; i < MAX_BATCHES_PER_ROUND && !this.closed && !this.stopped; i++) {
      if (this.opts.store.followedPrimary() === undefined) {
        this.opts.log.info({}, 'the store was promoted: no longer following the primary');
        this.closed = true;
        return;
      }
      let batch: FeedBatch;
      const started = performance.now();
      try {
        batch = await this.fetchBatch();
      } catch (e) {
        const message = (e as Error).message;
        if (message !== this.lastError) this.opts.log.warn({ primary: this.opts.primary }, `standby: ${message}`);
        this.lastError = message;
        return;
      }
      const broken = verifyBatch(this.opts.store, batch);
      if (broken) {
        this.stopped = describeBreak(broken);
        this.opts.log.error({ table: broken.table, at: broken.at }, `standby: ${this.stopped}`);
        return;
      }
      try {
        this.opts.store.feed.apply(batch);
      } catch (e) {
        if (!(e instanceof FeedSchemaError)) throw e;
        this.stopped = `The standby cannot apply the primary's feed: ${e.message}.`;
        this.opts.log.error({}, `standby: ${this.stopped}`);
        return;
      }
      this.lastError = null;
      this.opts.onApplied({ purged: (batch.changes?.purges.length ?? 0) > 0 });
      this.opts.log.debug({ ms: Math.round(performance.now() - started), versions: batch.append.page_versions?.length ?? 0, events: batch.append.audit_events?.length ?? 0, more: batch.more }, 'standby: applied a batch');
      if (!batch.more) {
        this.reachedHeadAt = this.opts.clock();
        return;
      }
    }
  }

  private async fetchBatch(): Promise<FeedBatch> {
    const url = new URL('/api/feed', this.opts.primary);
    url.searchParams.set('after', formatCursor(this.opts.store.feed.cursor()));
    let res: Response;
    try {
      res = await fetch(url, { headers: { authorization: `Bearer ${this.opts.token}`, accept: 'application/json' }, signal: AbortSignal.timeout(60_000) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`the primary ${this.opts.primary} does not answer (${cause?.code ?? cause?.message ?? (e as Error).message})`);
    }
    if (!res.ok) {
      let message = res.statusText;
      try {
        message = ((await res.json()) as { message?: string }).message ?? message;
      } catch {
        /* not JSON: keep the status text */
      }
      const hint = res.status === 403 || res.status === 401 ? ' Set WHYWIKI_FOLLOW_TOKEN to an API token of an admin account on the primary.' : '';
      throw new Error(`the primary refused the feed (${res.status}): ${message}${hint}`);
    }
    return (await res.json()) as FeedBatch;
  }
}
