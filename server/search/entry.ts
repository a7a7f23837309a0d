import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const fromSource = here.endsWith('.ts');

/**
 * The file of a search entry point (the worker, the rebuild process) beside this module. Built
 * code runs the .js file directly; from TypeScript sources (tests, benchmarks) it is loaded through
 * tsx, which is how the rest of the sources run there.
 */
export function entryFile(name: string): string {
  return path.join(path.dirname(here), `${name}${fromSource ? '.ts' : '.js'}`);
}

export const runsFromSource = fromSource;

/** Worker-thread code that loads a TypeScript entry through tsx (Node 20 workers do not inherit --import hooks). */
export const TS_WORKER_BOOTSTRAP =
  'const { workerData } = require("node:worker_threads");' +
  'import("tsx/esm/api").then((m) => m.tsImport(workerData.entry, workerData.parentURL)).catch((e) => { console.error(e); process.exit(1); });';
