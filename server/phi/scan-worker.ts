// The PHI retro-scan's worker thread: reads every stored text through its own read-only connection and
// posts the result back, so a scan of a large store takes no time from the thread that answers requests.
import { parentPort, workerData } from 'node:worker_threads';
import { openReadOnlyDatabase } from '../store/search-feed.js';
import { PhiScanStore } from '../store/phi-scan.js';
import { PhiGuard } from './guard.js';
import { scanSteps } from './retro-scan.js';
import type { ScanWorkerInput, FromScanWorker } from './scan-protocol.js';

const port = parentPort!;
const input = (workerData as { options: ScanWorkerInput }).options;
const post = (m: FromScanWorker) => port.postMessage(m);

function run(): void {
  const db = openReadOnlyDatabase(input.dbFile);
  try {
    // The rules are the ones the request thread read when it started the scan, so the result says truly what it ran under.
    const guard = new PhiGuard({ mrnPatterns: input.mrnPatterns, rules: input.rules });
    const steps = scanSteps({ phiScan: new PhiScanStore(db) }, guard, input.under, () => new Date(input.ranAt));
    // Bounded: each step reads further on through finitely many rows.
    for (;;) {
      const step = steps.next();
      if (step.done) {
        post({ type: 'done', result: step.value });
        return;
      }
    }
  } finally {
    db.close();
  }
}

try {
  run();
} catch (e) {
  // Only the kind of error and where it was thrown: a message may quote the stored text (a JSON parse error does).
  const err = e instanceof Error ? e : new Error('non-error thrown');
  const code: unknown = (err as Error & { code?: unknown }).code;
  post({ type: 'failed', name: err.name, code: typeof code === 'string' ? code : null, frames: (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 10) });
}
