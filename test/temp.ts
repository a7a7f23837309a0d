import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Apart from helpers.ts, which imports the whole app: test/setup.ts runs before every test file, and a file
// that needs only a temp folder (the structure, renderer and browser tests) should not pay for that import.

/** Folders made by tempDir; test/setup.ts removes them after each test file. */
export const madeDirs: string[] = [];

/** A fresh folder under the system temp folder, removed when the test process exits. */
export function tempDir(prefix = 'whywiki-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}
