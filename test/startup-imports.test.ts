import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../server/paths.js';
import { tempDir } from './temp.js';
import { TSX } from './server-process.js';

const run = promisify(execFile);

describe('starting the server', () => {
  it('loads the libraries only an import, an upload or a new password needs when they are first used, not at start', async () => {
    const script = path.join(tempDir(), 'loaded.mts');
    fs.writeFileSync(script, [
      "import { createRequire } from 'node:module';",
      `await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'server/main.ts')).href.replace(/main\.ts$/, 'app.ts'))});`,
      "const cache = (createRequire(import.meta.url)('node:module') as { _cache: Record<string, unknown> })._cache;",
      "const packages = new Set(Object.keys(cache).map((f) => f.split('node_modules/').pop()!.split('/').slice(0, f.split('node_modules/').pop()!.startsWith('@') ? 2 : 1).join('/')));",
      'console.log(JSON.stringify([...packages]));',
    ].join('\n'));
    const { stdout } = await run(TSX, [script], { cwd: ROOT });
    const loaded = JSON.parse(stdout.trim().split('\n').pop()!) as string[];
    expect(loaded).toContain('fastify');
    for (const lazy of ['mammoth', 'turndown', 'sharp', 'tesseract.js', '@zxcvbn-ts/core', '@zxcvbn-ts/language-common']) expect(loaded).not.toContain(lazy);
  }, 60_000);
});
