import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT } from '../server/paths.js';

const ARCHIVE = path.resolve(ROOT, '..', 'shared', 'corpus', 'docs-5565.tar.gz');

/** Unpacks the shared documentation corpus once into the temp folder and lists its markdown files. */
export function corpusFiles(): string[] {
  const dir = path.join(os.tmpdir(), 'whywiki-corpus');
  if (!fs.existsSync(path.join(dir, '.unpacked'))) {
    if (!fs.existsSync(ARCHIVE)) throw new Error(`The benchmark corpus is missing: ${ARCHIVE} (it lives in ../shared/corpus beside the checkout).`);
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['xzf', ARCHIVE, '-C', dir]);
    fs.writeFileSync(path.join(dir, '.unpacked'), '');
  }
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => /\.mdx?$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Deterministic sample: every k-th file, so runs compare like with like. */
export function sample<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)]!);
}
