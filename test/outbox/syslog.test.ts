import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, sampleFrontMatter, tempDir, testApp, testStore, tokenFor, type TestApp } from '../helpers.js';
import { loadConfig, ConfigError } from '../../server/config.js';
import { octetCounted, SyslogForwarder, syslogMessage } from '../../server/notify/syslog.js';
import { recordAudit } from '../../server/audit/log.js';

/** A syslog collector on 127.0.0.1: reads RFC 6587 octet-counted frames, and can be stopped and started on the same port. */
class Collector {
  messages: string[] = [];
  port = 0;
  private server: net.Server | null = null;
  private sockets = new Set<net.Socket>();
  private waiters: { count: number; resolve: () => void }[] = [];

  constructor(private readonly create: (onSocket: (socket: net.Socket) => void) => net.Server = (on) => net.createServer(on)) {}

  async start(): Promise<void> {
    const server = this.create((socket) => {
      this.sockets.add(socket);
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        // Every frame is "<length> <message>"; a partial frame waits for the rest.
        for (let guard = 0; guard < 100_000; guard++) {
          const space = buffered.indexOf(0x20);
          if (space < 0) break;
          const length = Number(buffered.subarray(0, space).toString());
          if (!Number.isInteger(length) || length <= 0) throw new Error(`bad frame length "${buffered.subarray(0, space).toString()}"`);
          if (buffered.length < space + 1 + length) break;
          this.messages.push(buffered.subarray(space + 1, space + 1 + length).toString('utf8'));
          buffered = buffered.subarray(space + 1 + length);
        }
        this.waiters = this.waiters.filter((w) => (this.messages.length >= w.count ? (w.resolve(), false) : true));
      });
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.listen(this.port, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** A clean stop: no new connections, and each open one closed after what it sent was read. */
  async stop(): Promise<void> {
    const closed = [...this.sockets].map((s) => new Promise((resolve) => s.once('close', resolve)));
    for (const s of this.sockets) s.end();
    await Promise.all([...closed, new Promise((resolve) => this.server!.close(resolve))]);
    this.server = null;
  }

  received(count: number): Promise<void> {
    if (this.messages.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

/** RFC 5424: PRI VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG. */
const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S{1,255}) (\S{1,48}) (\S{1,128}) (\S{1,32}) (\[(?:[^\]"\\]|"(?:[^"\\]|\\.)*")*\]) \uFEFF(.*)$/s;
function parse(line: string) {
  const m = RFC5424.exec(line);
  if (!m) throw new Error(`not RFC 5424: ${line}`);
  const sd = m[7]!;
  const params: Record<string, string> = Object.fromEntries([...sd.matchAll(/ (\w+)="((?:[^"\\]|\\.)*)"/g)].map((p) => [p[1], p[2]!.replace(/\\(.)/g, '$1')]));
  return { pri: Number(m[1]), timestamp: m[2]!, hostname: m[3]!, app: m[4]!, procid: m[5]!, msgid: m[6]!, sdId: /^\[(\S+)/.exec(sd)![1], params, msg: m[8]! };
}

const collector = new Collector();
let t: TestApp;
beforeAll(async () => {
  await collector.start();
  t = await testApp({ syslog: { protocol: 'tcp', host: '127.0.0.1', port: collector.port, caFile: undefined } });
});
afterAll(async () => {
  await t.close();
  await collector.stop().catch(() => undefined);
});

const createPage = (token: string, slug: string) =>
  t.app.inject({ method: 'POST', url: '/api/pages', headers: { authorization: `Bearer ${token}` }, payload: { ...sampleFrontMatter, owners: ['mreyes'], slug, body: `Body of ${slug}.` } });

describe('audit forwarding to a SIEM', () => {
  it('sends every event once and in order, from the first, across a collector stop and start, and shows the backlog meanwhile', async () => {
    const token = tokenFor(t.store, 'editor');
    expect((await createPage(token, 'first-decision')).statusCode).toBe(201);
    await t.app.syslog!.flush();
    const before = t.store.outbox.lastEventId();
    await collector.received(before);
    // Every event from the very first: a SIEM wants the whole history.
    expect(collector.messages.map((m) => Number(parse(m).params.seq))).toEqual(Array.from({ length: before }, (_, i) => i + 1));

    await collector.stop();
    // Writes go on while the collector is down, and each is answered at once.
    for (const slug of ['second-decision', 'third-decision']) expect((await createPage(token, slug)).statusCode).toBe(201);
    await expect(t.app.syslog!.flush()).rejects.toThrow(/ECONNREFUSED/);
    const waiting = t.store.outbox.lastEventId() - before;
    expect(waiting).toBeGreaterThanOrEqual(2);
    const health = await t.app.inject({ url: '/healthz' });
    expect(health.json()).toMatchObject({ status: 'ok', siem: { connected: false, backlog: waiting } });
    const auditor = new Browser(t.app);
    await auditor.signIn('auditor');
    const screen = await auditor.get('/audit');
    expect(screen.body).toContain(`Forwarded to the SIEM at <code>tcp://127.0.0.1:${collector.port}</code>: not connected;`);
    // Signing the auditor in wrote events too: they wait as well.
    expect(screen.body).toMatch(new RegExp(`<strong>${t.store.outbox.lastEventId() - before} events wait</strong> to be sent`));
    expect(screen.body).toContain('ECONNREFUSED');

    await collector.start();
    await t.app.syslog!.flush();
    const last = t.store.outbox.lastEventId();
    await collector.received(last);
    const seqs = collector.messages.map((m) => Number(parse(m).params.seq));
    expect(seqs).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect((await t.app.inject({ url: '/healthz' })).json()).toMatchObject({ siem: { connected: true, backlog: 0 } });
  });

  it('writes RFC 5424 lines with the sequence number and hash as structured data, and never a secret', async () => {
    const admin = new Browser(t.app);
    await admin.signIn('admin');
    await admin.get('/admin/users/editor');
    const made = await admin.post('/admin/users/editor/tokens', { label: 'sync job' });
    const rawToken = /ww_[A-Za-z0-9_-]{40,}/.exec(made.body)?.[0];
    expect(rawToken).toBeDefined();
    await t.app.syslog!.flush();
    const last = t.store.outbox.lastEventId();
    await collector.received(last);
    const all = collector.messages.join('\n');
    expect(all).not.toContain(rawToken!);
    expect(all).not.toContain('a-long-test-password');

    const rows = t.store.audit.search({}, 1000, 0);
    for (const raw of collector.messages.slice(-5)) {
      const m = parse(raw);
      const row = rows.find((r) => r.id === Number(m.params.seq))!;
      expect(m.pri).toBe(13 * 8 + (['signin.failed', 'signin.refused'].includes(row.action) ? 4 : 6));
      expect(new Date(m.timestamp).toISOString()).toBe(row.at);
      expect(m.hostname).toMatch(/^[\x21-\x7e]+$/);
      expect(m.app).toBe('whywiki');
      expect(m.msgid).toBe(row.action);
      expect(m.sdId).toBe('whywiki@32473');
      expect(m.params).toMatchObject({ seq: String(row.id), hash: row.hash, action: row.action, actor: row.actor });
      expect(m.params.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    const tokenEvent = collector.messages.map(parse).filter((m) => m.msgid === 'token.created').at(-1)!;
    expect(tokenEvent.msg).toContain('"label":"sync job"');
  });

  it('escapes structured-data values and counts octets in bytes', () => {
    const line = syslogMessage({ id: 7, at: '2026-01-02T03:04:05.678Z', actor: 'x"y]z\\', action: 'page.saved', target: 'café', client: null, details: { password: 'hunter2', nested: { api_key: 'k', token: 't0k' }, token_id: 3, sessions_ended: 2 }, prev_hash: null, hash: 'a'.repeat(64) }, 'wiki host');
    const m = parse(line);
    expect(m.params).toMatchObject({ seq: '7', actor: 'x"y]z\\', target: 'café' });
    expect(m.hostname).toBe('wiki-host');
    expect(m.msg).not.toContain('hunter2');
    expect(m.msg).toContain('"token_id":3');
    expect(m.msg).not.toContain('"k"');
    expect(m.msg).not.toContain('t0k');
    expect(m.msg).toContain('"sessions_ended":2');
    const framed = octetCounted(line);
    expect(framed.toString('utf8')).toBe(`${Buffer.byteLength(line)} ${line}`);
  });
});

describe('WHYWIKI_SYSLOG_URL', () => {
  it('takes tcp:// and tls:// addresses and explains anything else', () => {
    expect(loadConfig({ WHYWIKI_SYSLOG_URL: 'tls://siem.example:6514' }).syslog).toEqual({ protocol: 'tls', host: 'siem.example', port: 6514, caFile: undefined });
    expect(loadConfig({ WHYWIKI_SYSLOG_URL: 'tcp://10.0.0.9' }).syslog).toMatchObject({ protocol: 'tcp', port: 601 });
    expect(loadConfig({}).syslog).toBeUndefined();
    expect(() => loadConfig({ WHYWIKI_SYSLOG_URL: 'udp://siem:514' })).toThrow(ConfigError);
    expect(() => loadConfig({ WHYWIKI_SYSLOG_URL: 'tls://user:pw@siem:6514' })).toThrow(/must not hold a user name or password/);
    expect(() => loadConfig({ WHYWIKI_SYSLOG_URL: 'siem.example' })).toThrow(/must be a collector address such as tls:/);
  });
});

describe('audit forwarding over TLS', () => {
  it('sends to a collector whose certificate the configured CA signed, and refuses one it cannot check', async () => {
    const dir = tempDir();
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    const secure = new Collector((on) => tls.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, on));
    await secure.start();
    const { store } = testStore();
    store.transaction(() => { for (const actor of ['a', 'b', 'c']) recordAudit(store, { actor, action: 'signout' }); });
    const unchecked = new SyslogForwarder(store, { protocol: 'tls', host: '127.0.0.1', port: secure.port, caFile: undefined });
    await expect(unchecked.flush()).rejects.toThrow(/self[- ]signed/i);
    await unchecked.close();
    expect(secure.messages).toEqual([]);

    const forwarder = new SyslogForwarder(store, { protocol: 'tls', host: '127.0.0.1', port: secure.port, caFile: cert });
    expect(forwarder.status().backlog).toBe(3);
    await expect(forwarder.flush()).resolves.toBe(3);
    await secure.received(3);
    expect(secure.messages.map((m) => parse(m).params.actor)).toEqual(['a', 'b', 'c']);
    expect(forwarder.status()).toMatchObject({ target: `tls://127.0.0.1:${secure.port}`, connected: true, backlog: 0 });
    await forwarder.close();
    await secure.stop();
    store.close();
  });
});
