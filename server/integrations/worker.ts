import { createHmac } from 'node:crypto';
import type { Store } from '../store/index.js';
import type { DeliveryRow, IntegrationRow } from '../store/integrations.js';
import type { Clock } from '../core/context.js';
import { BackgroundWrites } from '../outbox/background.js';
import { AuditConsumer } from '../outbox/consumer.js';
import { currentScope, deriveDeliveries, reachesPage } from './derive.js';

/** Waits before each retry: the n-th failed attempt waits RETRY_DELAYS_MS[n-1]; after the last, it gives up. */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

export interface WorkerLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface IntegrationWorkerOptions {
  store: Store;
  clock: Clock;
  publicUrl: string | undefined;
  log: WorkerLog;
  /** How long one attempt may take before it counts as failed. */
  timeoutMs?: number;
  /** How often the worker looks for work it was not told about (writes by the CLI, retries coming due). */
  intervalMs?: number;
  /** Deliveries sent at once. */
  parallel?: number;
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Turns audit events into deliveries (the 'integrations' consumer) and sends the due ones. Sending happens
 * outside every transaction, so a slow or down receiver never holds the store or fails a save; each
 * attempt is recorded, and a failed one is retried later on the injected clock.
 */
export class IntegrationWorker {
  private readonly consumer: AuditConsumer;
  private running: Promise<{ derived: number; sent: number }> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;
  private stopped = false;
  /** Its writes never wait for another process's lock (a bulk import): kept and retried instead. */
  private readonly writes: BackgroundWrites;

  constructor(private readonly options: IntegrationWorkerOptions) {
    this.writes = new BackgroundWrites(options.store, () => {
      if (!this.stopped) this.tick().catch((err: unknown) => this.options.log.error({ err }, 'integrations: a run failed; the next one retries'));
    });
    this.consumer = new AuditConsumer(options.store, {
      name: 'integrations',
      handle: (event) => void deriveDeliveries(options.store, event, { publicUrl: options.publicUrl, now: options.clock }),
    });
  }

  /**
   * Derives deliveries from the events waiting, without sending. On a consumer's first run this marks where
   * it starts (the end of the log), so the app calls it when it is ready: every write after that is heard.
   */
  derive(): number {
    return this.consumer.poll();
  }

  /** Derives deliveries from new events and sends what is due now; one run at a time. */
  tick(): Promise<{ derived: number; sent: number }> {
    if (this.running) return this.running.then(() => this.tick());
    const run = this.run().finally(() => { if (this.running === run) this.running = null; });
    this.running = run;
    return run;
  }

  /** Starts the timer; the server calls it when it listens. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.nudge(), this.options.intervalMs ?? 15_000);
    this.timer.unref();
    this.nudge();
  }

  /** Asks for a run soon (after a write); several asks before it runs make one run. Ignored until started. */
  nudge(): void {
    if (!this.timer || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped) return;
      this.tick().catch((err: unknown) => this.options.log.error({ err }, 'integrations: a run failed; the next one retries'));
    });
  }

  /** Stops the timer and waits for a run in progress (each attempt has its timeout, so this is bounded). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.writes.stop();
    await this.running?.catch(() => undefined);
  }

  private async run(): Promise<{ derived: number; sent: number }> {
    const { store, clock } = this.options;
    // While another process holds the write lock this returns at once; the writes' backoff runs it again.
    // A delivery sent but not yet recorded would be picked up again: none go until it is.
    const derived = this.writes.attempt(() => this.consumer.poll());
    if (derived === undefined) return { derived: 0, sent: 0 };
    const batch = 50;
    const due = store.integrations.due(clock().toISOString(), batch);
    const parallel = this.options.parallel ?? 4;
    for (let i = 0; i < due.length; i += parallel) {
      await Promise.all(due.slice(i, i + parallel).map((d) => this.send(d)));
    }
    // More waiting than one batch: carry on soon rather than at the next interval.
    if (due.length === batch) this.nudge();
    return { derived, sent: due.length };
  }

  private async send(delivery: DeliveryRow): Promise<void> {
    const { store, clock } = this.options;
    const integration = store.integrations.get(delivery.integration_id);
    const withheld = this.withheldBecause(delivery, integration);
    if (withheld || !integration) {
      this.writes.write(() => store.integrations.updateDelivery({ ...delivery, state: 'withheld', last_error: withheld ?? 'The integration is gone.' }));
      return;
    }
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Whywiki-Webhooks/1',
      'x-whywiki-event': delivery.event,
      'x-whywiki-delivery': delivery.delivery_id,
    };
    if (integration.secret) headers['x-whywiki-signature'] = signature(integration.secret, delivery.body);
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    let status: number | null = null;
    let error: string | null = null;
    try {
      // Redirects are not followed: the admin chose this address, and a redirect could lead anywhere.
      const res = await fetch(integration.url, { method: 'POST', headers, body: delivery.body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (status >= 300 && status < 400) error = `The receiver answered with a redirect (${status}); redirects are not followed.`;
      else if (status < 200 || status >= 300) error = `The receiver answered ${status}.`;
    } catch (err) {
      const e = err as { name?: string; cause?: { code?: string } };
      error = e.name === 'TimeoutError' ? `No answer within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}.` : `Could not reach the receiver${e.cause?.code ? ` (${e.cause.code})` : ''}.`;
    }
    const attempts = delivery.attempts + 1;
    const now = clock();
    this.writes.write(() => store.transaction(() => {
      store.integrations.recordAttempt({ delivery: delivery.id, attempt: attempts, at: now.toISOString(), status, error });
      if (!error) {
        store.integrations.updateDelivery({ ...delivery, state: 'delivered', attempts, last_status: status, last_error: null, delivered_at: now.toISOString() });
      } else {
        const last = attempts >= MAX_ATTEMPTS;
        const next = last ? delivery.next_attempt_at : new Date(now.getTime() + RETRY_DELAYS_MS[attempts - 1]!).toISOString();
        store.integrations.updateDelivery({ ...delivery, state: last ? 'failed' : 'pending', attempts, next_attempt_at: next, last_status: status, last_error: error, delivered_at: null });
      }
    }));
    // Never the URL: a Slack or Teams URL is itself the key to the channel.
    if (error) this.options.log.warn({ integration: integration.id, delivery: delivery.delivery_id, attempt: attempts, status }, 'integrations: a delivery failed');
  }

  /** Checked again just before sending: the page may have become restricted, the integration removed. */
  private withheldBecause(delivery: DeliveryRow, integration: IntegrationRow | undefined): string | null {
    if (!integration || integration.removed_at) return 'The integration was removed before this was sent.';
    if (delivery.slug === null) return null;
    const scope = currentScope(this.options.store, delivery.slug);
    if (!scope) return 'The page is no longer at this address.';
    return reachesPage(this.options.store, integration, scope) ? null : "The page's restriction or scope no longer lets this integration hear about it.";
  }
}
