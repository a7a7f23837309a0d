// `whywiki verify` on a copy of a scale store: wall and CPU time, peak resident memory, and the cost per
// version and per audit event. Usage: tsx bench/scale/verify.ts <data dir> (a COPY: opening it migrates).
import { performance } from 'node:perf_hooks';
import { openStore } from '../../server/setup.js';
import { describeReport, verifyStore } from '../../server/audit/verify.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: tsx bench/scale/verify.ts <data dir>');
const store = openStore(dir);
const rssBefore = process.resourceUsage().maxRSS;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const report = verifyStore(store);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
store.close();
const cpuMs = (cpu.user + cpu.system) / 1000;
console.log(describeReport(report).join('\n'));
console.log(JSON.stringify({
  dir, versions: report.versions, events: report.events, ms: Math.round(ms), cpuMs: Math.round(cpuMs),
  usPerVersionAndEvent: Math.round((cpuMs * 1000) / (report.versions + report.events)),
  maxRssMBBefore: Math.round(rssBefore / 1024), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
}));
