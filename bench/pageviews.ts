// Page-view benchmark: a cached page screen served by Whywiki, signed in by session cookie and by API
// token, beside a bare Fastify route serving the same HTML bytes from memory, in the same run.
//
//   npm run bench:pageviews -- [--runs 3] [--seconds 5] [--log-level warn]
//
// The server is the built one (dist/server/main.js) on the demo wiki in a temp folder. Each round
// measures the baseline and both sign-in methods back to back, idle and then with 10 search clients
// and a full search rebuild running; figures are medians over the rounds, with ratios to the baseline.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { ROOT } from '../server/paths.js';
import { openStore } from '../server/setup.js';
import { createApiToken } from '../server/auth/commands/create-api-token.js';
import { createUser } from '../server/auth/commands/create-user.js';
import { seedFromContent } from '../server/seed.js';
import { CONTENT_DIR } from '../server/paths.js';
import { median } from './corpus.js';
import { freePort, sessionCookie } from './http.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' }, seconds: { type: 'string', default: '5' }, 'log-level': { type: 'string', default: 'warn' } } });
const RUNS = Math.max(1, Number(args.runs));
const SECONDS = Math.max(2, Number(args.seconds));
const PASSWORD = 'bench-page-views-password';
const SLUG = 'sepsis-screening-bpa';
const log = (s: string) => process.stdout.write(`${s}\n`);

async function until(fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (await fn().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms`);
}

/**
 * CPU time (ms) a process has used, in user space and in the kernel (sending the answer is most of
 * the latter): the cost per request, steadier than throughput on a shared machine.
 */
function cpuMs(pid: number): { user: number; sys: number } {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { user: (Number(fields[11]) * 1000) / 100, sys: (Number(fields[12]) * 1000) / 100 }; // clock ticks (USER_HZ 100)
}

async function rps(url: string, headers: Record<string, string>, pid?: number): Promise<{ rps: number; errors: number; cpuUs: number; sysUs: number }> {
  const before = pid ? cpuMs(pid) : { user: 0, sys: 0 };
  const r = await autocannon({ url, connections: 10, duration: SECONDS, headers });
  const after = pid ? cpuMs(pid) : before;
  const n = Math.max(1, r.requests.total);
  const sysUs = ((after.sys - before.sys) * 1000) / n;
  return { rps: r.requests.average, errors: r.errors + r.non2xx, cpuUs: ((after.user - before.user) * 1000) / n + sysUs, sysUs };
}

/** 10 clients searching one after another until `stop` resolves. */
function searchClients(url: string, token: string, stop: Promise<void>): Promise<void> {
  let done = false;
  void stop.then(() => (done = true));
  const words = ['sepsis', 'order', 'interface', 'payroll', 'lactate', 'panel', 'rule', 'filter'];
  return Promise.all(
    Array.from({ length: 10 }, async (_, c) => {
      for (let i = 0; !done && i < 1_000_000; i++) {
        const res = await fetch(`${url}/api/search?limit=10&q=${words[(i + c) % words.length]}`, { headers: { authorization: `Bearer ${token}` } });
        await res.arrayBuffer();
      }
    }),
  ).then(() => undefined);
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whywiki-bench-views-'));
  const store = openStore(dir);
  seedFromContent(store, CONTENT_DIR, { systems: ['Epic', 'Workday', 'Interfaces', 'Infrastructure'], maxBodyBytes: 4 * 1024 * 1024 });
  await createUser({ store, actor: { username: 'bench' } }, { username: 'reader', password: PASSWORD, role: 'reader' });
  await createUser({ store, actor: { username: 'bench' } }, { username: 'admin', password: PASSWORD, role: 'admin' });
  const readerToken = createApiToken({ store, actor: { username: 'bench' } }, { username: 'reader', label: 'bench' });
  const adminToken = createApiToken({ store, actor: { username: 'bench' } }, { username: 'admin', label: 'bench' });
  store.close();

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server: ChildProcess = spawn(process.execPath, [path.join(ROOT, 'dist', 'server', 'main.js')], {
    env: { ...process.env, WHYWIKI_DATA: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: args['log-level'], WHYWIKI_ADMIN_PASSWORD: PASSWORD },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await until(async () => (await fetch(`${url}/api/search/status`, { headers: { authorization: `Bearer ${adminToken}` } }).then((r) => r.json() as Promise<{ state: string }>)).state === 'ready', 60_000);
    const cookie = await sessionCookie(url, 'reader', PASSWORD);
    const pageUrl = `${url}/p/${SLUG}`;
    const html = await (await fetch(pageUrl, { headers: { authorization: `Bearer ${readerToken}` } })).text();
    const htmlFile = path.join(dir, 'baseline.html');
    fs.writeFileSync(htmlFile, html);
    const basePort = await freePort();
    const baseline = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench', 'baseline-server.ts'), htmlFile, String(basePort)], { stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT });
    await new Promise<void>((resolve) => baseline.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()));
    const baseUrl = `http://127.0.0.1:${basePort}/page`;
    log(`Page views of /p/${SLUG} (${Buffer.byteLength(html)} bytes), 10 connections, ${SECONDS} s each, ${RUNS} rounds, ${os.cpus().length} cores, Node ${process.version}, LOG_LEVEL ${args['log-level']}`);

    const rows: Record<string, number[]> = {};
    const add = (k: string, v: number) => (rows[k] ??= []).push(v);
    let errors = 0;
    for (let round = 0; round < RUNS; round++) {
      const base = await rps(baseUrl, {}, baseline.pid);
      const token = await rps(pageUrl, { authorization: `Bearer ${readerToken}` }, server.pid);
      const byCookie = await rps(pageUrl, { cookie }, server.pid);
      add('baseline cpu', base.cpuUs);
      add('token cpu', token.cpuUs);
      add('cookie cpu', byCookie.cpuUs);
      add('baseline sys', base.sysUs);
      add('token sys', token.sysUs);
      add('cookie sys', byCookie.sysUs);
      add('token cpu %', (100 * base.cpuUs) / token.cpuUs);
      add('cookie cpu %', (100 * base.cpuUs) / byCookie.cpuUs);
      errors += token.errors + byCookie.errors;
      add('baseline idle', base.rps);
      add('token idle', token.rps);
      add('cookie idle', byCookie.rps);
      add('token idle %', (100 * token.rps) / base.rps);
      add('cookie idle %', (100 * byCookie.rps) / base.rps);

      // Busy: 10 search clients and a full rebuild on the Whywiki server, for the baseline and for us.
      const busy = async (target: string, headers: Record<string, string>) => {
        await fetch(`${url}/api/search/rebuild`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });
        let stop!: () => void;
        const stopped = new Promise<void>((r) => (stop = r));
        const clients = searchClients(url, adminToken, stopped);
        const r = await rps(target, headers);
        stop();
        await clients;
        return r;
      };
      const baseBusy = await busy(baseUrl, {});
      const tokenBusy = await busy(pageUrl, { authorization: `Bearer ${readerToken}` });
      const cookieBusy = await busy(pageUrl, { cookie });
      errors += tokenBusy.errors + cookieBusy.errors;
      add('baseline busy', baseBusy.rps);
      add('token busy %', (100 * tokenBusy.rps) / baseBusy.rps);
      add('cookie busy %', (100 * cookieBusy.rps) / baseBusy.rps);
      add('token busy', tokenBusy.rps);
      add('cookie busy', cookieBusy.rps);
      log(`  round ${round + 1}: idle baseline ${base.rps.toFixed(0)}/s (${base.cpuUs.toFixed(0)} µs CPU each, ${base.sysUs.toFixed(0)} in the kernel), token ${token.rps.toFixed(0)}/s (${token.cpuUs.toFixed(0)} µs, ${token.sysUs.toFixed(0)}), cookie ${byCookie.rps.toFixed(0)}/s (${byCookie.cpuUs.toFixed(0)} µs, ${byCookie.sysUs.toFixed(0)}); busy baseline ${baseBusy.rps.toFixed(0)}/s, token ${tokenBusy.rps.toFixed(0)}/s, cookie ${cookieBusy.rps.toFixed(0)}/s`);
    }
    const m = (k: string) => median(rows[k]!).toFixed(0);
    log('Medians:');
    log(`  idle                      baseline ${m('baseline idle')}/s   token ${m('token idle')}/s (${m('token idle %')}%)   cookie ${m('cookie idle')}/s (${m('cookie idle %')}%)`);
    log(`  10 searches + a rebuild   baseline ${m('baseline busy')}/s   token ${m('token busy')}/s (${m('token busy %')}%)   cookie ${m('cookie busy')}/s (${m('cookie busy %')}%)`);
    log(`  CPU per request (idle)    baseline ${m('baseline cpu')} µs   token ${m('token cpu')} µs (baseline/ours ${m('token cpu %')}%)   cookie ${m('cookie cpu')} µs (${m('cookie cpu %')}%)`);
    log(`  of which in the kernel    baseline ${m('baseline sys')} µs   token ${m('token sys')} µs   cookie ${m('cookie sys')} µs`);
    log(`  errors or non-2xx answers: ${errors}`);
    baseline.kill('SIGTERM');
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`page-view benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
