// `npm start`: builds dist/ only when a source file is newer than the last build, then runs the server
// in this same process. Plain JavaScript, since it runs before anything is compiled. A restart with
// nothing changed costs a few file stats instead of loading the TypeScript compiler (and a second npm).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILD_INFO = path.join(ROOT, 'dist', '.tsbuildinfo');
const MAIN = path.join(ROOT, 'dist', 'server', 'main.js');

/** The newest modification time among the compiler's inputs: server/**\/*.ts and the tsconfig files. */
function newestSource(dir = path.join(ROOT, 'server'), newest = 0) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = newestSource(full, newest);
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** Whether dist/ must be built again: no build yet, or a source or tsconfig changed since the last one. */
export function distIsStale() {
  let built;
  try {
    // tsc rewrites only the outputs that changed, but always its build info.
    if (!fs.existsSync(MAIN)) return true;
    built = fs.statSync(BUILD_INFO).mtimeMs;
  } catch {
    return true;
  }
  const configs = ['tsconfig.json', 'tsconfig.build.json'].map((f) => fs.statSync(path.join(ROOT, f)).mtimeMs);
  return Math.max(newestSource(), ...configs) > built;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (distIsStale()) {
    // tsc -b compiles only what changed since dist/.tsbuildinfo.
    const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', path.join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
    if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  }
  await import(pathToFileURL(MAIN).href);
}
