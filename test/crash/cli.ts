// npm run test:crash -- [--kills 1000] [--clients 4] [--pause 150] [--data <folder>]
// The full crash run: the built server killed with SIGKILL again and again under save load.
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { runCrashHarness } from './harness.js';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '1000' }, clients: { type: 'string', default: '4' }, data: { type: 'string' }, pause: { type: 'string', default: '150' } } });
const dataDir = values.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'whywiki-crash-'));
const t0 = performance.now();
const report = await runCrashHarness({ dataDir, kills: Number(values.kills), clients: Number(values.clients), built: true, pauseMs: Number(values.pause), log: (l) => console.log(l) });
const restart = [...report.restartMs].sort((a, b) => a - b);
console.log(`\nCrash run: ${report.kills} SIGKILLs survived in ${((performance.now() - t0) / 60000).toFixed(1)} min (data in ${dataDir})`);
console.log(`saves acknowledged ${report.acknowledged}, found intact ${report.found}, requests refused meanwhile ${report.failedRequests}`);
console.log(`restart to first answer: median ${restart[Math.floor(restart.length / 2)]?.toFixed(0)} ms, max ${restart.at(-1)?.toFixed(0)} ms`);
if (report.problems.length) {
  console.log(`PROBLEMS:\n${report.problems.join('\n')}`);
  process.exit(1);
}
console.log('integrity_check ok, verify ok, no version without its audit event or event without its version, after every kill');
