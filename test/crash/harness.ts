// The crash harness: drives saves from several clients against a real server process, kills it
// with SIGKILL at random moments, and after every kill checks the store before starting it again:
// integrity_check is ok, every hash chain verifies, every save that was acknowledged (a 2xx
// received) is there with its exact content, and no version exists without its audit event or
// the other way round.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { openStore, ensureAdmin } from '../../server/setup.js';
import { createApiToken } from '../../server/auth/commands/create-api-token.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { verifyStore } from '../../server/audit/verify.js';
import { ROOT } from '../../server/paths.js';
import { freePort } from '../server-process.js';

export interface CrashOptions {
  dataDir: string;
  kills: number;
  clients?: number;
  /** Run the built server (dist/) rather than the TypeScript sources; much faster to restart. */
  built?: boolean;
  /** Longest time the server runs under load before it is killed. */
  maxRunMs?: number;
  log?: (line: string) => void;
  seed?: number;
  /** Pause between one client's saves, to keep the store (and the check after every kill) from growing too fast over long runs. */
  pauseMs?: number;
}

export interface CrashReport {
  kills: number;
  acknowledged: number;
  found: number;
  failedRequests: number;
  problems: string[];
  restartMs: number[];
}

interface Ack {
  slug: string;
  version: number;
  body: string;
  summary: string;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function start(dataDir: string, built: boolean): Promise<{ proc: ChildProcess; url: string; ms: number }> {
  const port = await freePort();
  const t0 = performance.now();
  // node itself, with tsx as a loader rather than the tsx wrapper: a SIGKILL must reach the server, not a
  // wrapper that would leave the real server running (and writing) behind it.
  const args = built ? [path.join(ROOT, 'dist', 'server', 'main.js')] : ['--import', 'tsx', path.join(ROOT, 'server', 'main.ts')];
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, WHYWIKI_DATA: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'error', WHYWIKI_ADMIN_PASSWORD: 'crash-harness-password' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the server exited on start:\n${err}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - t0 > 120_000) {
      proc.kill('SIGKILL');
      throw new Error(`the server did not start within 120 s:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { proc, url, ms: performance.now() - t0 };
}

/** Checks the store after a kill; returns what is wrong (nothing, if all is well). */
export function checkStore(dataDir: string, acks: Ack[]): { problems: string[]; found: number } {
  const problems: string[] = [];
  const store = openStore(dataDir);
  try {
    const integrity = store.unsafeDatabaseForTests().pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') problems.push(`integrity_check: ${String(integrity)}`);
    const report = verifyStore(store);
    if (report.break) problems.push(`verify: ${JSON.stringify(report.break)}`);
    const orphanVersions = store.unsafeDatabaseForTests()
      // Set-based (SQLite materializes each IN list once), so a check stays linear as the store grows.
      .prepare(`SELECT count(*) FROM page_versions WHERE hash NOT IN (SELECT json_extract(details, '$.hash') FROM audit_events WHERE action LIKE 'page.%' AND json_extract(details, '$.hash') IS NOT NULL)`)
      .pluck()
      .get() as number;
    if (orphanVersions) problems.push(`${orphanVersions} versions without their audit event`);
    const orphanEvents = store.unsafeDatabaseForTests()
      .prepare(`SELECT count(*) FROM audit_events WHERE action IN ('page.created', 'page.saved', 'page.restored', 'page.archived', 'page.unarchived', 'page.status_changed', 'page.ownership_moved') AND json_extract(details, '$.hash') NOT IN (SELECT hash FROM page_versions)`)
      .pluck()
      .get() as number;
    if (orphanEvents) problems.push(`${orphanEvents} page audit events without their version`);
    const get = store.unsafeDatabaseForTests().prepare<[string, number], { body: string; summary: string }>('SELECT body, summary FROM page_versions WHERE slug = ? AND version = ?');
    let found = 0;
    for (const a of acks) {
      const row = get.get(a.slug, a.version);
      if (!row) problems.push(`acknowledged save lost: ${a.slug} v${a.version}`);
      else if (row.body !== a.body || row.summary !== a.summary) problems.push(`acknowledged save changed: ${a.slug} v${a.version}`);
      else found++;
    }
    return { problems, found };
  } finally {
    store.close();
  }
}

/** One client: saves its own page again and again until the server goes away. */
async function client(url: string, token: string, slug: string, id: number, acks: Ack[], counters: { failed: number }, stop: { now: boolean }, pauseMs: number, acknowledged: () => void): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const fm = { title: `Crash test page ${id}`, why: 'Written by the crash harness to prove acknowledged saves survive SIGKILL.', owners: ['mreyes'], system: 'Infrastructure', status: 'live' };
  while (!stop.now) {
    try {
      const cur = await fetch(`${url}/api/pages/${slug}`, { headers });
      let res: Response;
      const body = `Save from client ${id}: ${crypto.randomBytes(12).toString('hex')}\n\n${'Line of text. '.repeat(1 + (id % 7))}\n`;
      const summary = `client ${id} ${crypto.randomBytes(4).toString('hex')}`;
      if (cur.status === 404) {
        res = await fetch(`${url}/api/pages`, { method: 'POST', headers, body: JSON.stringify({ ...fm, slug, body, summary }) });
      } else {
        const page = (await cur.json()) as { version: number };
        res = await fetch(`${url}/api/pages/${slug}`, { method: 'PUT', headers, body: JSON.stringify({ ...fm, body, summary, base_version: page.version }) });
      }
      if (res.ok) {
        const saved = (await res.json()) as { version: number; body: string; summary: string };
        acks.push({ slug, version: saved.version, body, summary: saved.summary });
        acknowledged();
      } else {
        counters.failed++;
        await res.arrayBuffer();
      }
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    } catch {
      return; // the server was killed mid-request: that save was never acknowledged
    }
  }
}

export async function runCrashHarness(opts: CrashOptions): Promise<CrashReport> {
  const log = opts.log ?? (() => {});
  const clients = opts.clients ?? 4;
  const random = rng(opts.seed ?? 1);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const setup = openStore(opts.dataDir);
  await ensureAdmin(setup, { adminPassword: 'crash-harness-password' });
  if (!setup.users.byName('crash')) await createUser({ store: setup, actor: { username: 'crash' } }, { username: 'crash', password: 'harness editor words 9', role: 'editor' });
  const token = createApiToken({ store: setup, actor: { username: 'crash' } }, { username: 'crash', label: 'crash harness' });
  setup.close();

  const acks: Ack[] = [];
  const report: CrashReport = { kills: 0, acknowledged: 0, found: 0, failedRequests: 0, problems: [], restartMs: [] };
  const counters = { failed: 0 };
  for (let k = 0; k < opts.kills; k++) {
    const server = await start(opts.dataDir, opts.built ?? false);
    report.restartMs.push(server.ms);
    const stop = { now: false };
    let firstSave = () => {};
    const flowing = new Promise<void>((resolve) => (firstSave = resolve));
    const running = Array.from({ length: clients }, (_, i) => client(server.url, token, `crash-client-${i}`, i, acks, counters, stop, opts.pauseMs ?? 0, () => firstSave()));
    // The kill comes at a random moment once saves are flowing: the first save after a start waits for the
    // render workers, and a kill before it would test nothing. Bounded: a server that never acknowledges one
    // save in 60 s (or whose clients all gave up) is killed anyway, and the check below then finds nothing new.
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([flowing, Promise.all(running), new Promise((r) => (bound = setTimeout(r, 60_000)))]);
    clearTimeout(bound);
    await new Promise((r) => setTimeout(r, random() * (opts.maxRunMs ?? 1500)));
    const exited = new Promise((r) => server.proc.once('exit', r));
    server.proc.kill('SIGKILL');
    await exited;
    stop.now = true;
    await Promise.all(running);
    report.kills++;
    const check = checkStore(opts.dataDir, acks);
    report.found = check.found;
    report.acknowledged = acks.length;
    if (check.problems.length) {
      report.problems.push(...check.problems.map((p) => `after kill ${k + 1}: ${p}`));
      log(`kill ${k + 1}: ${check.problems.join('; ')}`);
      break;
    }
    if ((k + 1) % 25 === 0 || k + 1 === opts.kills) log(`kill ${k + 1}/${opts.kills}: ${acks.length} saves acknowledged, all ${check.found} found intact`);
  }
  report.failedRequests = counters.failed;
  return report;
}
