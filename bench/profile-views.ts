// Where a cached page view's CPU goes: the built server under `node --cpu-prof`, one run by API token
// and one by session cookie, each under autocannon; prints self time per function and per package.
//
//   npm run build && tsx bench/profile-views.ts [--seconds 5] [--top 40]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { ROOT, CONTENT_DIR } from '../server/paths.js';
import { openStore } from '../server/setup.js';
import { createApiToken } from '../server/auth/commands/create-api-token.js';
import { createUser } from '../server/auth/commands/create-user.js';
import { seedFromContent } from '../server/seed.js';
import { freePort, sessionCookie } from './http.js';

const { values: args } = parseArgs({ options: { seconds: { type: 'string', default: '5' }, top: { type: 'string', default: '40' } } });
const PASSWORD = 'bench-page-views-password';
const SLUG = 'sepsis-screening-bpa';
const log = (s: string) => process.stdout.write(`${s}\n`);

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; startTime: number; samples: number[]; timeDeltas: number[] }

/**
 * Self time per function and per package (node_modules name, "whywiki", "node:" or a V8 bucket such as
 * "(garbage collector)"), counting only samples between `from` and `to` (µs on the monotonic clock the
 * profile's timestamps use), so that start-up is left out.
 */
export function summarize(profile: Profile, top: number, from = 0, to = Infinity): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t >= from && t <= to) self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const fn = new Map<string, number>();
  const pkg = new Map<string, number>();
  let total = 0;
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    total += us;
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    const where = m ? m[1]! : url.includes('/dist/server/') ? `whywiki ${url.split('/dist/server/')[1]}` : url.startsWith('node:') ? url : url || functionName;
    const owner = m ? m[1]! : url.includes('/dist/server/') ? 'whywiki' : url.startsWith('node:') ? 'node:' : url || functionName;
    const name = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    pkg.set(owner, (pkg.get(owner) ?? 0) + us);
  }
  const table = (m: Map<string, number>, n: number) =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`).join('\n');
  return `busy ${(total / 1000).toFixed(0)} ms (idle left out)\n by package:\n${table(pkg, 15)}\n by function:\n${table(fn, top)}`;
}

async function profiled(dir: string, name: string, headers: (url: string) => Promise<Record<string, string>>): Promise<void> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const profDir = path.join(dir, `prof-${name}`);
  const server = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profDir}`, path.join(ROOT, 'dist', 'server', 'main.js')], {
    env: { ...process.env, WHYWIKI_DATA: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', WHYWIKI_ADMIN_PASSWORD: PASSWORD },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (let i = 0; i < 3000; i++) {
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const h = await headers(url);
  const pageUrl = `${url}/p/${SLUG}`;
  const first = await fetch(pageUrl, { headers: h });
  if (!first.ok) throw new Error(`page view failed: ${first.status}`);
  await autocannon({ url: pageUrl, connections: 10, duration: 2, headers: h }); // warm up
  const from = Number(process.hrtime.bigint() / 1000n);
  const r = await autocannon({ url: pageUrl, connections: 10, duration: Number(args.seconds), headers: h });
  const to = Number(process.hrtime.bigint() / 1000n);
  server.kill('SIGTERM');
  await new Promise((res) => server.once('exit', res));
  const file = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))!;
  fs.copyFileSync(path.join(profDir, file), path.join(os.tmpdir(), `whywiki-views-${name}.cpuprofile`));
  log(`\n== ${name}: ${r.requests.average.toFixed(0)} req/s, ${r.requests.total} requests, ${r.non2xx + r.errors} errors; profile in ${path.join(os.tmpdir(), `whywiki-views-${name}.cpuprofile`)}`);
  log(summarize(JSON.parse(fs.readFileSync(path.join(profDir, file), 'utf8')) as Profile, Number(args.top), from, to));
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whywiki-profile-views-'));
  try {
    const store = openStore(dir);
    seedFromContent(store, CONTENT_DIR, { systems: ['Epic', 'Workday', 'Interfaces', 'Infrastructure'], maxBodyBytes: 4 * 1024 * 1024 });
    await createUser({ store, actor: { username: 'bench' } }, { username: 'reader', password: PASSWORD, role: 'reader' });
    const token = createApiToken({ store, actor: { username: 'bench' } }, { username: 'reader', label: 'bench' });
    store.close();
    await profiled(dir, 'token', async () => ({ authorization: `Bearer ${token}` }));
    await profiled(dir, 'cookie', async (url) => ({ cookie: await sessionCookie(url, 'reader', PASSWORD) }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  main().catch((e: unknown) => {
    process.stderr.write(`profile failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
