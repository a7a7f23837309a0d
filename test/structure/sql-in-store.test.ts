import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * SQL only in the store: no file outside server/store/ opens SQLite or prepares a statement, so the
 * store's methods are the whole of what the rest of the server can ask of the database.
 */
const root = path.resolve(import.meta.dirname, '../../server');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('SQL', () => {
  it('lives only in server/store/', () => {
    const outside = files(root).filter((f) => !f.startsWith(path.join(root, 'store') + path.sep));
    expect(outside.length).toBeGreaterThan(50);
    const offenders = outside.filter((f) => /from 'better-sqlite3'|\.prepare\(|\.pragma\(|\.exec\(\s*['"`](?:CREATE|INSERT|UPDATE|DELETE|SELECT|PRAGMA)/i.test(fs.readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(root, f))).toEqual([]);
  });
});
