import type { Store } from '../store/index.js';
import type { AuditRow } from '../store/audit.js';

export interface ParsedEvent extends Omit<AuditRow, 'details'> {
  details: Record<string, unknown>;
}

export interface AuditConsumerOptions {
  /** The cursor's name in `outbox_cursors`; one per consumer. */
  name: string;
  /**
   * Derives this consumer's work from one event (inbox rows, queued mails, webhook deliveries...). Runs
   * inside the store transaction that also advances the cursor, so it must be synchronous and write only
   * through the store; sending happens later, outside the transaction, from what it wrote.
   */
  handle: (event: ParsedEvent) => void;
  /**
   * Where a consumer that has never run starts: 'end' (the default) skips the history that existed before
   * it was switched on; 'start' reads the whole log (a SIEM that wants every event).
   */
  startAt?: 'end' | 'start';
  batch?: number;
}

/**
 * Reads the audit log as an outbox: each `poll()` takes the events after this consumer's cursor, hands
 * them to `handle` and moves the cursor, all in one IMMEDIATE transaction. Events are never skipped and
 * never handled twice, across crashes and restarts.
 */
export class AuditConsumer {
  constructor(
    private readonly store: Store,
    private readonly options: AuditConsumerOptions,
  ) {}

  /**
   * For a consumer whose work cannot join a transaction (bytes sent to a collector): the events after its
   * cursor, oldest first, without moving it. The caller acknowledges them once the work is done.
   */
  pending(limit = this.options.batch ?? 200): ParsedEvent[] {
    // A standby copies its primary's audit log; the primary delivers those events, the standby none.
    if (this.store.followedPrimary() !== undefined) return [];
    const cursor = this.position();
    return this.store.outbox.eventsAfter(cursor, limit).map((row) => ({ ...row, details: parseDetails(row.details) }));
  }

  /** Moves the cursor to `lastEventId`: the work for every event up to it is done (or, going back, must be done again). */
  acknowledge(lastEventId: number): void {
    this.store.outbox.setCursor(this.options.name, lastEventId);
  }

  /** The last event handled (0 before the first), recording where a consumer that never ran starts. */
  position(): number {
    // Only the first call writes (where a new consumer starts), so only it takes the write lock.
    return this.store.outbox.cursor(this.options.name) ?? this.store.transaction(() => this.cursor());
  }

  /** Events not handled yet. */
  backlog(): number {
    return this.store.outbox.countAfter(this.position());
  }

  private cursor(): number {
    const { outbox } = this.store;
    let cursor = outbox.cursor(this.options.name);
    if (cursor === undefined) {
      cursor = this.options.startAt === 'start' ? 0 : outbox.lastEventId();
      outbox.setCursor(this.options.name, cursor);
    }
    return cursor;
  }

  /** Handles every event waiting now (in batches); returns how many. */
  poll(): number {
    // A standby copies its primary's audit log; the primary delivers those events, the standby none. Its
    // cursors start when it is promoted (outbox_cursors is not followed).
    if (this.store.followedPrimary() !== undefined) return 0;
    let total = 0;
    for (;;) {
      const n = this.store.transaction(() => {
        const { outbox } = this.store;
        const cursor = this.cursor();
        const events = outbox.eventsAfter(cursor, this.options.batch ?? 200);
        for (const row of events) this.options.handle({ ...row, details: parseDetails(row.details) });
        const last = events.at(-1);
        if (last) outbox.setCursor(this.options.name, last.id);
        return events.length;
      });
      total += n;
      if (n < (this.options.batch ?? 200)) return total;
    }
  }
}

function parseDetails(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
