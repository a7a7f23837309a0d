import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP receiver on 127.0.0.1, port 0: records each request and answers with the next status
 * queued (200 when none is), or never answers when told to hang.
 */
export class Receiver {
  readonly received: Received[] = [];
  statuses: number[] = [];
  hang = false;
  redirectTo: string | null = null;
  private waiting: ((r: Received) => void)[] = [];
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      this.received.push(r);
      this.waiting.shift()?.(r);
      if (this.hang) return;
      if (this.redirectTo) res.writeHead(302, { location: this.redirectTo }).end();
      else res.writeHead(this.statuses.shift() ?? 200, { 'content-type': 'text/plain' }).end('ok');
    });
  });

  static async start(): Promise<Receiver> {
    const r = new Receiver();
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** The next request to arrive (or one already waiting beyond those counted). */
  next(): Promise<Received> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  json(i: number): Record<string, unknown> {
    return JSON.parse(this.received[i]!.body) as Record<string, unknown>;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A URL on which nothing listens: a port that was just free. */
export async function downUrl(): Promise<string> {
  const r = await Receiver.start();
  const url = r.url;
  await r.close();
  return url;
}
