// The standby: how far behind it runs under steady saves, how fast it catches up after an outage, and the
// restore drill (backup, restore by copying the file, verify) timed on the demo and on a corpus-sized store.
// Two real servers on 127.0.0.1, as people run them; the standby pulls on its configured interval.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import YAML from 'yaml';
import { runCli } from '../server/cli.js';
import { startServer, type RunningServer } from '../test/server-process.js';
import { corpusFiles, DEFAULT_CORPUS, generatedCorpus, median, percentile } from './corpus.js';

const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 2000);
const SAVES = Number(process.env.BENCH_SAVES ?? 60);
const SAVE_GAP_MS = Number(process.env.BENCH_SAVE_GAP_MS ?? 250);
const CATCHUP_PAGES = Number(process.env.BENCH_CATCHUP_PAGES ?? 2000);
const PASSWORD = 'bench-password-long-enough';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'whywiki-bench-standby-'));
const primaryDir = path.join(work, 'primary');
const standbyDir = path.join(work, 'standby');
const servers: RunningServer[] = [];

async function cli(args: string[], dir: string): Promise<string> {
  let out = '';
  const w = { write: (t: string) => (out += t) };
  const code = await runCli(args, { stdout: w, stderr: w, env: { ...process.env, WHYWIKI_DATA: dir } });
  if (code !== 0) throw new Error(`whywiki ${args.join(' ')} failed:\n${out}`);
  return out;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const r = await fn();
  return [r, performance.now() - t];
}

async function drill(label: string, dir: string): Promise<void> {
  const file = path.join(work, `${label}-backup.db`);
  const [, backupMs] = await timed(() => cli(['backup', file], dir));
  const restored = path.join(work, `${label}-restored`);
  fs.mkdirSync(restored);
  const [, copyMs] = await timed(async () => fs.copyFileSync(file, path.join(restored, 'whywiki.db')));
  const [out, verifyMs] = await timed(() => cli(['verify'], restored));
  console.log(`restore drill (${label}, ${(fs.statSync(file).size / 1e6).toFixed(1)} MB): backup ${(backupMs / 1000).toFixed(2)} s, restore (copy) ${(copyMs / 1000).toFixed(2)} s, verify ${(verifyMs / 1000).toFixed(2)} s — ${out.trim().split('\n')[0]}`);
}

async function main(): Promise<void> {
  const primary = await startServer({ WHYWIKI_DATA: primaryDir, WHYWIKI_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'error' });
  servers.push(primary);
  const token = (await cli(['token', 'create', 'admin'], primaryDir)).trim().split('\n').pop()!;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  await drill('demo', primaryDir);

  const standbyEnv = { WHYWIKI_DATA: standbyDir, WHYWIKI_FOLLOW: primary.url, WHYWIKI_FOLLOW_TOKEN: token, WHYWIKI_FOLLOW_INTERVAL_MS: String(INTERVAL_MS), LOG_LEVEL: 'error' };
  let standby = await startServer(standbyEnv);
  servers.push(standby);
  const status = async () => (await (await fetch(`${standby.url}/api/standby`, { headers })).json()) as { behind_seconds: number | null; reached_head_at: string | null };
  for (let i = 0; i < 600 && (await status()).reached_head_at === null; i++) await new Promise((r) => setTimeout(r, 100));

  // Steady saves on the primary; a watcher reads the standby until each saved version shows there.
  const slug = 'sepsis-screening-bpa';
  let page = (await (await fetch(`${primary.url}/api/pages/${slug}`, { headers })).json()) as Record<string, unknown> & { version: number; body: string };
  const body = page.body;
  const acked: { version: number; at: number }[] = [];
  const lags: number[] = [];
  let done = false;
  const watcher = (async () => {
    for (let i = 0; i < 100_000 && !(done && lags.length === acked.length); i++) {
      let seen: number;
      try {
        seen = ((await (await fetch(`${standby.url}/api/pages/${slug}`, { headers })).json()) as { version: number }).version;
      } catch {
        break; // the run failed and its servers were stopped
      }
      const now = performance.now();
      for (const a of acked.slice(lags.length)) if (a.version <= seen) lags.push(now - a.at);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  for (let i = 0; i < SAVES; i++) {
    const res = await fetch(`${primary.url}/api/pages/${slug}`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ ...page, unchanged: undefined, body: `${body}\n\nSteady save ${i}.`, summary: `Steady save ${i}` }),
    });
    if (!res.ok) throw new Error(`save ${i} failed: ${res.status} ${await res.text()}`);
    page = (await res.json()) as typeof page;
    acked.push({ version: page.version, at: performance.now() });
    await new Promise((r) => setTimeout(r, SAVE_GAP_MS));
  }
  done = true;
  await watcher;
  console.log(`lag under steady saves (${SAVES} saves, one every ${SAVE_GAP_MS} ms, pull interval ${INTERVAL_MS} ms): median ${(median(lags) / 1000).toFixed(2)} s, p95 ${(percentile(lags, 95) / 1000).toFixed(2)} s, max ${(Math.max(...lags) / 1000).toFixed(2)} s (save acknowledged on the primary → version readable on the standby)`);

  // An outage of the standby: the primary goes on without it, then it catches up.
  await standby.stop();
  servers.splice(servers.indexOf(standby), 1);
  const src = path.join(work, 'catch-up');
  fs.mkdirSync(src);
  const texts = fs.existsSync(DEFAULT_CORPUS) ? corpusFiles().map((f) => fs.readFileSync(f, 'utf8')) : generatedCorpus(CATCHUP_PAGES).map((d) => d.text);
  for (let i = 0; i < CATCHUP_PAGES; i++) {
    const body = texts[i % texts.length]!.replace(/^---[\s\S]*?\n---\n/, '').slice(0, 200_000);
    const fm = { title: `Outage page ${i}`, why: 'Written while the standby was down, to time its catch-up.', owners: ['mreyes'], system: 'Epic', status: 'live' };
    fs.writeFileSync(path.join(src, `outage-${String(i).padStart(5, '0')}.md`), `---\n${YAML.stringify(fm)}---\n${body}\n`);
  }
  await cli(['import', src], primaryDir);
  const t0 = performance.now();
  standby = await startServer(standbyEnv);
  servers.push(standby);
  const startedMs = performance.now() - t0;
  let caughtUp = 0;
  for (let i = 0; i < 36_000; i++) {
    const s = await status();
    // A restarted standby has not reached the head until its first pull of the backlog ends.
    if (s.reached_head_at !== null) {
      caughtUp = performance.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!caughtUp) throw new Error('the standby did not catch up within an hour');
  const pulling = (caughtUp - startedMs) / 1000;
  console.log(`catch-up after an outage: ${CATCHUP_PAGES} new pages in ${(caughtUp / 1000).toFixed(1)} s from the standby's restart (start-up ${(startedMs / 1000).toFixed(1)} s) = ${Math.round(CATCHUP_PAGES / (caughtUp / 1000))} pages/s overall, about ${Math.round(CATCHUP_PAGES / Math.max(pulling, 0.001))} pages/s once listening (pulls until one reached the primary's head)`);
  await standby.stop();
  servers.splice(servers.indexOf(standby), 1);
  await drill('demo + catch-up pages', standbyDir);
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const s of servers) await s.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });
