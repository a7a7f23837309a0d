import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import { once } from 'node:events';
import type { Store } from '../store/index.js';
import type { SyslogTarget } from '../config.js';
import { AuditConsumer, type ParsedEvent } from '../outbox/consumer.js';
import { BackgroundWrites } from '../outbox/background.js';

/**
 * Audit events to a SIEM as RFC 5424 syslog over TCP (RFC 6587 octet counting), optionally TLS (RFC 5425).
 *
 * The audit log is the outbox: the cursor ('syslog' in outbox_cursors) moves only after the bytes of a batch
 * were handed to a live connection (the write callback). A collector that closes cleanly loses nothing: what
 * was not written is sent again, from the cursor, on the next connection. TCP has no receipt, so a collector
 * that crashes with bytes in flight may miss the last batch written: when a connection ends with an error,
 * that batch is sent again. Delivery is therefore at least once, and each message carries the event's
 * sequence number (the audit id) for the SIEM to drop a repeat.
 *
 * Nothing here runs inside a request: a collector that is down never slows or blocks a write; the events
 * wait in the log, counted as the backlog.
 */

/** The SD-ID: private enterprise number 32473 is the one RFC 5612 reserves for documentation and examples. */
export const SD_ID = 'whywiki@32473';
/** RFC 5424 facility 13, "log audit". */
const FACILITY = 13;
const SEVERITY_INFO = 6;
const SEVERITY_WARNING = 4;
/** Refused sign-ins are what a SOC alerts on first. */
const WARNING_ACTIONS = new Set(['signin.failed', 'signin.refused']);
/** Detail keys never sent, whatever an event records, so that a secret added to an event later still stays home. */
const SECRET_KEY = /passw(or)?d|secret|cookie|authori[sz]ation|api[_-]?key|(^|_)token$|(^|_)(sid|session_id)$/i;

const printable = (s: string, max: number) => s.replace(/[^\x21-\x7e]/g, '-').slice(0, max) || '-';
/** RFC 5424 §6.3.3: inside a PARAM-VALUE, '"', '\' and ']' are escaped. */
const paramValue = (s: string) => s.replace(/["\\\]]/g, (c) => `\\${c}`);

function withoutSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => withoutSecrets(v, depth + 1));
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[not sent]' : withoutSecrets(v, depth + 1)]));
}

/** One audit event as an RFC 5424 message (without framing). */
export function syslogMessage(e: ParsedEvent, hostname: string, procId: string | number = process.pid): string {
  const pri = FACILITY * 8 + (WARNING_ACTIONS.has(e.action) ? SEVERITY_WARNING : SEVERITY_INFO);
  const params: [string, string | number | null][] = [['seq', e.id], ['hash', e.hash], ['prev', e.prev_hash], ['actor', e.actor], ['action', e.action], ['target', e.target], ['client', e.client]];
  const sd = `[${SD_ID}${params.filter(([, v]) => v !== null && v !== '').map(([k, v]) => ` ${k}="${paramValue(String(v))}"`).join('')}]`;
  const text = `${e.actor} ${e.action}${e.target ? ` ${e.target}` : ''} ${JSON.stringify(withoutSecrets(e.details))}`;
  // The BOM marks the free-text part as UTF-8 (RFC 5424 §6.4).
  return `<${pri}>1 ${e.at} ${printable(hostname, 255)} whywiki ${printable(String(procId), 128)} ${printable(e.action, 32)} ${sd} \uFEFF${text}`;
}

/** RFC 6587 octet counting: the message's length in bytes, a space, the message. */
export function octetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `), body]);
}

export interface SyslogStatus {
  target: string;
  connected: boolean;
  /** Audit events not yet handed to the collector. */
  backlog: number;
  lastError: string | null;
  lastSentAt: string | null;
}

export interface SyslogOptions {
  clock?: () => Date;
  hostname?: string;
  /** How often the log is checked for events written by other processes (the CLI), and how long after a failure before the next try. */
  pollMs?: number;
  retryMs?: number;
  batch?: number;
  connectTimeoutMs?: number;
  onError?: (err: Error) => void;
}

export class SyslogForwarder {
  readonly consumer: AuditConsumer;
  private socket: net.Socket | null = null;
  private connecting: net.Socket | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private queued = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private retryAt = 0;
  /** The cursor before the last batch written on the live connection: sent again if that connection fails. */
  private beforeLastBatch: number | undefined;
  private readonly writes: BackgroundWrites;
  private lastError: string | null = null;
  private lastSentAt: string | null = null;
  private readonly clock: () => Date;
  private readonly hostname: string;

  constructor(
    store: Store,
    private readonly target: SyslogTarget,
    private readonly options: SyslogOptions = {},
  ) {
    // A SIEM wants the whole history: the first time forwarding is configured, it starts at the first event.
    this.consumer = new AuditConsumer(store, { name: 'syslog', startAt: 'start', handle: () => undefined, batch: options.batch ?? 200 });
    this.writes = new BackgroundWrites(store, () => this.kick());
    this.clock = options.clock ?? (() => new Date());
    this.hostname = options.hostname ?? os.hostname();
  }

  get address(): string {
    return `${this.target.protocol}://${this.target.host.includes(':') ? `[${this.target.host}]` : this.target.host}:${this.target.port}`;
  }

  status(): SyslogStatus {
    return { target: this.address, connected: this.socket !== null, backlog: this.consumer.backlog(), lastError: this.lastError, lastSentAt: this.lastSentAt };
  }

  /** Checks for new events now and then (and after every write, through `kick`). */
  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 2000);
    this.timer.unref();
    this.kick();
  }

  /** Sends what is waiting, in the background; does nothing while the collector is being waited for after a failure. */
  kick(): void {
    if (this.queued || this.closed || this.clock().getTime() < this.retryAt) return;
    this.flush().catch(() => undefined);
  }

  /** Sends every waiting event now; resolves with how many, or rejects when the collector cannot be reached. */
  flush(): Promise<number> {
    this.queued = true;
    const run = this.queue.then(() => {
      this.queued = false;
      return this.sendPending();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.writes.stop();
    // Ends a connection being made or a write in progress, so closing never waits on the collector.
    this.connecting?.destroy(new Error('forwarding stopped'));
    const socket = this.socket;
    this.socket = null;
    socket?.end();
    socket?.destroy();
    await this.queue;
  }

  private async sendPending(): Promise<number> {
    let sent = 0;
    try {
      // Bounded by the log's length: each round acknowledges a non-empty batch or ends.
      while (!this.closed) {
        // Never waits for another process's write lock (a bulk import): the first read may record where the
        // cursor starts, and an acknowledgement not yet written would send its batch twice. Retried later.
        const events = this.writes.attempt(() => this.consumer.pending());
        if (events === undefined || events.length === 0) break;
        const socket = await this.connection();
        const before = this.consumer.position();
        const bytes = Buffer.concat(events.map((e) => octetCounted(syslogMessage(e, this.hostname))));
        // A collector that stops reading would hold the write forever: no progress for a while ends the connection.
        socket.setTimeout(this.options.connectTimeoutMs ?? 10_000, () => socket.destroy(new Error(`${this.address} stopped reading`)));
        await new Promise<void>((resolve, reject) => socket.write(bytes, (err) => (err ? reject(err) : resolve())));
        socket.setTimeout(0);
        // The connection ended while the bytes were queued: they are sent again on the next one.
        if (this.socket !== socket) throw new Error('the collector closed the connection');
        this.beforeLastBatch = before;
        const lastId = events.at(-1)!.id;
        this.writes.write(() => this.consumer.acknowledge(lastId));
        sent += events.length;
        this.lastSentAt = this.clock().toISOString();
      }
      this.lastError = null;
      this.retryAt = 0;
      return sent;
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.lastError = err.message;
      this.retryAt = this.clock().getTime() + (this.options.retryMs ?? 5000);
      this.drop(this.socket, err);
      this.options.onError?.(err);
      throw err;
    }
  }

  private async connection(): Promise<net.Socket> {
    if (this.socket && !this.socket.destroyed) return this.socket;
    const { host, port, protocol, caFile } = this.target;
    const socket =
      protocol === 'tls'
        ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ca: caFile ? fs.readFileSync(caFile) : undefined, minVersion: 'TLSv1.2' })
        : net.connect({ host, port });
    socket.setTimeout(this.options.connectTimeoutMs ?? 10_000, () => socket.destroy(new Error(`no answer from ${this.address} within the time allowed`)));
    this.connecting = socket;
    try {
      await once(socket, protocol === 'tls' ? 'secureConnect' : 'connect');
    } catch (e) {
      socket.destroy();
      throw e;
    } finally {
      this.connecting = null;
    }
    if (this.closed) {
      socket.destroy();
      throw new Error('forwarding stopped');
    }
    socket.setTimeout(0);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    // A collector says nothing back; whatever it sends is read and dropped so the connection never stalls.
    socket.resume();
    socket.on('error', (err) => this.drop(socket, err));
    socket.on('end', () => this.drop(socket));
    socket.on('close', () => this.drop(socket));
    this.socket = socket;
    this.beforeLastBatch = undefined;
    return socket;
  }

  /** Forgets a connection that ended. One that failed (not a clean close) may have lost its last batch: it is sent again. */
  private drop(socket: net.Socket | null, err?: Error): void {
    if (!socket || this.socket !== socket) return;
    this.socket = null;
    const rewind = this.beforeLastBatch;
    if (err && rewind !== undefined) this.writes.write(() => this.consumer.acknowledge(rewind));
    this.beforeLastBatch = undefined;
    socket.destroy();
  }
}
