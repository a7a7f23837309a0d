import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ROOT } from '../server/paths.js';
// @ts-expect-error: plain JavaScript (it runs before anything is compiled), without type declarations
import { distIsStale } from '../scripts/start.mjs';

const run = promisify(execFile);
const isStale = distIsStale as () => boolean;

describe('npm start', () => {
  it('runs the server from dist/ without compiling when nothing changed, and builds when a source did', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('node scripts/start.mjs');
    await run('npm', ['run', 'build', '--silent'], { cwd: ROOT });
    expect(isStale()).toBe(false);
    // The build itself compiles only what changed: with nothing changed it only compares timestamps.
    const again = await run('npm', ['run', 'build', '--silent', '--', '--verbose'], { cwd: ROOT });
    expect(again.stdout + again.stderr).toMatch(/is up to date/);

    const source = path.join(ROOT, 'server', 'paths.ts');
    const { atime, mtime } = fs.statSync(source);
    try {
      fs.utimesSync(source, atime, new Date(Date.now() + 60_000));
      expect(isStale()).toBe(true);
    } finally {
      fs.utimesSync(source, atime, mtime);
    }
    expect(isStale()).toBe(false);
  }, 240_000);
});
