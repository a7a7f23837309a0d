// How many write system calls a cached page view makes, and of what sizes, beside the bare Fastify route
// (bench/baseline-server.ts) serving the same bytes: `strace` attached to each server while one keep-alive
// connection asks for the page 20 times. Needs strace (Linux).
//
//   npm run build && tsx bench/syscalls-views.ts [--log-level warn]
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ROOT, CONTENT_DIR } from '../server/paths.js';
import { openStore } from '../server/setup.js';
import { createApiToken } from '../server/auth/commands/create-api-token.js';
import { createUser } from '../server/auth/commands/create-user.js';
import { seedFromContent } from '../server/seed.js';
import { freePort, sessionCookie } from './http.js';

const { values: args } = parseArgs({ options: { 'log-level': { type: 'string', default: 'warn' } } });
const PASSWORD = 'bench-page-views-password';
const SLUG = 'sepsis-screening-bpa';
const VIEWS = 20;
const log = (s: string) => process.stdout.write(`${s}\n`);
const exited = (p: ChildProcess) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)));

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 3000; i++) {
    if (await fetch(url).then((r) => r.status < 500, () => false)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${url} did not answer`);
}

/** Write-like system calls of one server while it answers VIEWS requests on one kept-alive connection. */
async function traced(dir: string, name: string, server: ChildProcess, url: string, headers: Record<string, string>): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = () => new Promise<void>((res, rej) => http.get(url, { agent, headers }, (r) => (r.statusCode === 200 ? r.resume().on('end', res) : rej(new Error(`${url}: ${r.statusCode}`)))).on('error', rej));
  await get(); // warm: renders and caches the view
  const out = path.join(dir, `strace-${name}.txt`);
  const strace = spawn('strace', ['-f', '-qq', '-o', out, '-e', 'trace=write,writev,sendmsg,sendto', '-p', String(server.pid)], { stdio: 'ignore' });
  for (let i = 0; i < 3000 && !(fs.existsSync(out) && fs.statSync(out).size > 0); i++) {
    await get(); // until strace is attached (its first lines appear); these views are not counted
  }
  const skip = fs.statSync(out).size;
  for (let i = 0; i < VIEWS; i++) await get();
  await new Promise((r) => setTimeout(r, 200)); // let strace write out what it saw
  strace.kill('SIGINT');
  await exited(strace);
  agent.destroy();
  const calls = fs.readFileSync(out).subarray(skip).toString('utf8').split('\n').filter((l) => /\b(write|writev|sendmsg|sendto)\(/.test(l));
  const kinds = new Map<string, number>();
  for (const l of calls) {
    const fn = /\b(write|writev|sendmsg|sendto)\(/.exec(l)![1]!;
    const iov = [...l.matchAll(/iov_len=(\d+)/g)].map((m) => m[1]).join('+');
    const key = fn === 'writev' ? `writev [${iov}]` : `${fn} ${/= (\d+)$/.exec(l)?.[1] ?? '?'} bytes`;
    kinds.set(key, (kinds.get(key) ?? 0) + 1);
  }
  log(`== ${name}: ${calls.length} write calls for ${VIEWS} views`);
  for (const [k, n] of [...kinds].sort((a, b) => b[1] - a[1])) log(`  ${String(n).padStart(4)} x ${k}`);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whywiki-syscalls-views-'));
  const servers: ChildProcess[] = [];
  try {
    const store = openStore(dir);
    seedFromContent(store, CONTENT_DIR, { systems: ['Epic', 'Workday', 'Interfaces', 'Infrastructure'], maxBodyBytes: 4 * 1024 * 1024 });
    await createUser({ store, actor: { username: 'bench' } }, { username: 'reader', password: PASSWORD, role: 'reader' });
    const token = createApiToken({ store, actor: { username: 'bench' } }, { username: 'reader', label: 'bench' });
    store.close();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = spawn(process.execPath, [path.join(ROOT, 'dist', 'server', 'main.js')], {
      env: { ...process.env, WHYWIKI_DATA: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: args['log-level'], WHYWIKI_ADMIN_PASSWORD: PASSWORD },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    servers.push(server);
    await waitFor(`${url}/healthz`);
    const pageUrl = `${url}/p/${SLUG}`;
    const html = await (await fetch(pageUrl, { headers: { authorization: `Bearer ${token}` } })).text();
    await traced(dir, `token (LOG_LEVEL ${args['log-level']})`, server, pageUrl, { authorization: `Bearer ${token}` });
    await traced(dir, `cookie (LOG_LEVEL ${args['log-level']})`, server, pageUrl, { cookie: await sessionCookie(url, 'reader', PASSWORD) });
    const htmlFile = path.join(dir, 'baseline.html');
    fs.writeFileSync(htmlFile, html);
    const basePort = await freePort();
    const baseline = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'baseline-server.ts'), htmlFile, String(basePort)], { stdio: ['ignore', 'ignore', 'inherit'], cwd: ROOT });
    servers.push(baseline);
    await waitFor(`http://127.0.0.1:${basePort}/page`);
    await traced(dir, 'bare route', baseline, `http://127.0.0.1:${basePort}/page`, {});
  } finally {
    for (const s of servers) {
      s.kill('SIGTERM');
      await exited(s);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`syscall count failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
