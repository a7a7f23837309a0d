import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';

/** The repository root, found from this file whether it runs from server/ (tests) or dist/server/ (built). */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'migrations'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('Cannot find the Whywiki installation folder (package.json beside migrations/)');
}

export const ROOT = findRoot();
export const MIGRATIONS_DIR = path.join(ROOT, 'migrations');
export const VIEWS_DIR = path.join(ROOT, 'views');
export const CONTENT_DIR = path.join(ROOT, 'content');
