import type { Store } from '../store/index.js';
import { phiGuardFor } from './guard.js';
import { currentRules, sameRules, scanSteps, type PhiScanResult } from './retro-scan.js';

const META_KEY = 'phi_scan_latest';

/**
 * Keeps the latest retro-scan (in the store's meta table, so a restart and the CLI see it) and runs a new
 * one in the background, a step at a time with setImmediate between steps, so requests are answered while
 * it runs. One scan at a time; a rule change during a scan makes it run once more when it ends.
 */
export class PhiScanService {
  private running: Promise<PhiScanResult> | null = null;
  private again = false;
  private stopped = false;

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

  /** Ends a running scan at its next pause (the app is closing); nothing is kept of it. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  /** Starts a scan unless one is running (then it runs once more after it); resolves with the result. */
  run(): Promise<PhiScanResult> {
    if (this.stopped) return Promise.reject(new Error('The PHI scan stopped: the server is shutting down.'));
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
      const under = currentRules(this.store, this.mrnPatterns);
      const steps = scanSteps(this.store, phiGuardFor(this.store, this.mrnPatterns), under, this.clock);
      let result: PhiScanResult | undefined;
      while (!result) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.stopped) throw new Error('The PHI scan stopped: the server is shutting down.');
        const step = steps.next();
        if (step.done) result = step.value;
      }
      this.store.setMeta(META_KEY, JSON.stringify(result));
      if (!this.again || round >= 10) return result;
    }
  }
}

/** Keeps the result a CLI run made, so the screen shows it until the next scan. */
export function keepScanResult(store: Store, result: PhiScanResult): void {
  store.setMeta(META_KEY, JSON.stringify(result));
}
