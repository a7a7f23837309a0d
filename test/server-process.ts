import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from '../server/paths.js';

export const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface RunningServer {
  url: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the real server (server/main.ts) on 127.0.0.1 and waits until /healthz answers. */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const port = await freePort();
  let out = '';
  const merged: NodeJS.ProcessEnv = { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env };
  for (const [k, v] of Object.entries(env)) if (v === '') delete merged[k]; // '' means "leave unset"
  // node --import tsx rather than the tsx wrapper, so signals reach the server itself.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'server/main.ts')], {
    cwd: ROOT,
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Every chunk of output (and the exit) wakes the wait below: the server prints a line once it listens,
  // so /healthz is asked when there is news rather than on a fixed interval.
  let news: () => void = () => {};
  let events = 0;
  const heard = () => {
    events++;
    news();
  };
  child.stdout!.on('data', (d: Buffer) => {
    out += d;
    heard();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d;
    heard();
  });
  child.once('exit', heard);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000; // a bound, not a target: a start on a loaded machine takes seconds
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    const before = events;
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not answer within 60 s:\n${out}`);
    }
    if (events !== before) continue; // something was printed while asking: ask again at once
    // The next output, or a second at most (a server may listen without printing, e.g. with its output off).
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      news = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    news = () => {};
  }
  return {
    url,
    process: child,
    output: () => out,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
