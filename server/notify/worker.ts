import type { Store } from '../store/index.js';
import type { Clock } from '../core/context.js';
import { AuditConsumer } from '../outbox/consumer.js';
import { BackgroundWrites } from '../outbox/background.js';
import { collectDigests, deriveFromEvent, sweepReviews } from './derive.js';
import { composeMail, smtpTransport, type MailTransport } from './mail.js';
import type { MailRow } from '../store/notifications.js';

export interface NotificationWorkerOptions {
  store: Store;
  clock: Clock;
  reviewDefaults: Record<string, string>;
  digestHour: number;
  /** Absent: no mail is queued or sent; the inbox alone. */
  smtpUrl?: string;
  mailFrom: string;
  /** The address links in mails point to, without a trailing slash. */
  baseUrl: string;
  /** Tests hand in their own transport; otherwise one is made from smtpUrl. */
  transport?: MailTransport;
  log?: { warn: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
  /** How often the timer polls and sends while running. */
  intervalMs?: number;
}

/** Attempts before a mail is given up as failed (about 17 hours of backoff in all). */
export const MAX_ATTEMPTS = 10;
const SWEEP_EVERY_MS = 60 * 60 * 1000;
const SEND_BATCH = 50;
const MAX_BATCHES_PER_SEND = 100;

/** Waits one minute after the first failure, doubling each time up to six hours. */
export function backoffMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 6 * 60 * 60 * 1000);
}

/**
 * Turns audit events into inbox rows and queued mails (`poll`, one transaction per batch, through the
 * 'notifications' consumer), and sends the queued mails (`send`, outside any transaction, with retries).
 * Nothing here runs on a request: the app nudges it after writes and a timer covers the rest, so a mail
 * server that is slow or down never slows or fails a save.
 */
export class NotificationWorker {
  private readonly consumer: AuditConsumer;
  private readonly transport: MailTransport | undefined;
  private lastSweep: number | undefined;
  private sending: Promise<SendResult> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private nudged = false;
  private stopped = false;
  /** Its writes never wait for another process's lock (a bulk import): kept and retried instead. */
  private readonly writes: BackgroundWrites;

  constructor(private readonly options: NotificationWorkerOptions) {
    this.writes = new BackgroundWrites(options.store, () => void this.tick());
    const mail = { mail: options.transport !== undefined || options.smtpUrl !== undefined };
    this.consumer = new AuditConsumer(options.store, { name: 'notifications', handle: (event) => deriveFromEvent(options.store, event, mail) });
    this.transport = options.transport ?? (options.smtpUrl ? smtpTransport(options.smtpUrl) : undefined);
  }

  get mailEnabled(): boolean {
    return this.transport !== undefined;
  }

  /** Derives from every waiting event; sweeps review reminders hourly; makes the day's digests once due. Returns notifications and digests made. */
  poll(): number {
    const { store } = this.options;
    const now = this.options.clock();
    let made = this.consumer.poll();
    if (this.lastSweep === undefined || now.getTime() - this.lastSweep >= SWEEP_EVERY_MS) {
      made += sweepReviews(store, this.options.reviewDefaults, now, { mail: this.mailEnabled });
      this.lastSweep = now.getTime();
    }
    if (this.mailEnabled) made += store.transaction(() => collectDigests(store, now, this.options.digestHour));
    return made;
  }

  /** Sends the mails that are due; one run at a time (a second call waits for the first). */
  send(): Promise<SendResult> {
    this.sending ??= this.sendDue().finally(() => { this.sending = undefined; });
    return this.sending;
  }

  private async sendDue(): Promise<SendResult> {
    const result: SendResult = { sent: 0, retrying: 0, failed: 0, dropped: 0 };
    const { store, clock } = this.options;
    if (!this.transport) return result;
    const domain = messageDomain(this.options.baseUrl);
    // Every mail handled here is sent, ended, or put off past now, so no batch sees it twice; still bounded
    // per call (the timer or the next nudge takes any rest).
    for (let batch = 0; batch < MAX_BATCHES_PER_SEND && !this.stopped; batch++) {
      // A mail sent but not yet marked (the store was locked) would be picked up again: none go until it is.
      if (!this.writes.flush()) break;
      const due = store.notifications.dueMails(clock().toISOString(), SEND_BATCH);
      await this.sendBatch(due, result, domain);
      if (due.length < SEND_BATCH) break;
    }
    return result;
  }

  private async sendBatch(due: MailRow[], result: SendResult, domain: string): Promise<void> {
    const { store, clock } = this.options;
    for (const mail of due) {
      if (this.stopped || !this.transport || this.writes.pending) break;
      const composed = composeMail(store, mail, this.options.baseUrl, domain);
      if ('drop' in composed) {
        this.writes.write(() => store.notifications.endMail(mail.id, 'dropped', composed.drop));
        result.dropped++;
        continue;
      }
      try {
        await this.transport.send(composed, this.options.mailFrom);
        const at = clock().toISOString();
        this.writes.write(() => store.notifications.markSent(mail.id, at));
        result.sent++;
      } catch (e) {
        const message = (e instanceof Error ? e.message : String(e)).slice(0, 500);
        const attempts = mail.attempts + 1;
        if (attempts >= MAX_ATTEMPTS) {
          this.writes.write(() => store.transaction(() => {
            store.notifications.retryLater(mail.id, mail.next_attempt_at, message);
            store.notifications.endMail(mail.id, 'failed', message);
          }));
          result.failed++;
        } else {
          const next = new Date(clock().getTime() + backoffMs(attempts)).toISOString();
          this.writes.write(() => store.notifications.retryLater(mail.id, next, message));
          result.retrying++;
        }
        this.options.log?.warn({ mail: mail.id, attempts, err: message }, 'a notification mail could not be sent; it will be retried');
      }
    }
  }

  /** One round: derive, then send. Errors are logged, never thrown: the next round tries again. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    try {
      // While another process holds the write lock this returns at once; the writes' backoff runs it again.
      if (this.writes.attempt(() => this.poll()) === undefined) return;
      await this.send();
    } catch (err) {
      this.options.log?.error({ err }, 'notifications: a round failed; the next one tries again');
    }
  }

  /** Runs a round soon (after a write), at most one waiting at a time; only while started. */
  nudge(): void {
    if (!this.timer || this.nudged) return;
    this.nudged = true;
    setImmediate(() => {
      this.nudged = false;
      void this.tick();
    });
  }

  start(): void {
    if (this.timer) return;
    this.stopped = false;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs ?? 60_000);
    this.timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.writes.stop();
    await this.sending?.catch(() => undefined);
    this.transport?.close();
  }
}

export interface SendResult {
  sent: number;
  retrying: number;
  failed: number;
  dropped: number;
}

/** The right-hand side of Message-IDs: the wiki's own host name. */
function messageDomain(baseUrl: string): string {
  try {
    return new URL(baseUrl).hostname || 'whywiki.invalid';
  } catch {
    return 'whywiki.invalid';
  }
}
