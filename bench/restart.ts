// Restart benchmark: \`npm start\` on the demo wiki until search answers, RUNS times (default 3). The
// first run may include a build when sources changed since the last one; the others show a restart
// with dist/ current. DIRECT=1 runs \`node dist/server/main.js\` instead, for comparison.
import { spawn } from 'node:child_process';
import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../server/setup.js';
import { seedFromContent } from '../server/seed.js';
import { CONTENT_DIR, ROOT } from '../server/paths.js';
import { createApiToken } from '../server/auth/commands/create-api-token.js';
import { createUser } from '../server/auth/commands/create-user.js';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whywiki-restart-'));
const store = openStore(dir);
seedFromContent(store, CONTENT_DIR, { systems: ['Epic', 'Workday', 'Interfaces', 'Infrastructure'], maxBodyBytes: 4 << 20 });
await createUser({ store, actor: { username: 'b' } }, { username: 'admin', password: 'restart-bench-password', role: 'admin' });
const token = createApiToken({ store, actor: { username: 'b' } }, { username: 'admin', label: 'b' });
store.close();
const port = 40000 + Math.floor(Math.random() * 20000);
const times: number[] = [];
for (let i = 0; i < Number(process.env.RUNS ?? 3); i++) {
  const t0 = performance.now();
  const p = spawn(process.env.DIRECT ? process.execPath : 'npm', process.env.DIRECT ? ['dist/server/main.js'] : ['start', '--silent'], { cwd: ROOT, env: { ...process.env, WHYWIKI_DATA: dir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' }, stdio: 'ignore', detached: true });
  for (let n = 0; n < 3000; n++) {
    const ok = await fetch(`http://127.0.0.1:${port}/api/search?q=sepsis`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status === 200, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  times.push(performance.now() - t0);
  process.kill(-p.pid!, 'SIGTERM');
  await new Promise((r) => p.once('exit', r));
  await new Promise((r) => setTimeout(r, 300));
}
console.log('npm start -> search answers (ms):', times.map((t) => t.toFixed(0)).join(', '));
fs.rmSync(dir, { recursive: true, force: true });
