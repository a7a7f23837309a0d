import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import YAML from 'yaml';
import { readFrontMatter } from '../server/transfer/front-matter.js';
import { ROOT } from '../server/paths.js';

const ARCHIVE = path.resolve(ROOT, '..', 'shared', 'corpus', 'docs-5565.tar.gz');

export const DEFAULT_CORPUS = ARCHIVE;

/** Unpacks the shared documentation corpus once into the temp folder and lists its markdown files. */
export function corpusFiles(source = ARCHIVE): string[] {
  let dir = source;
  if (/\.(tar\.gz|tgz)$/.test(source)) {
    if (!fs.existsSync(source)) throw new Error(`The benchmark corpus is missing: ${source} (it lives in ../shared/corpus beside the checkout).`);
    dir = path.join(os.tmpdir(), source === ARCHIVE ? 'whywiki-corpus' : `whywiki-corpus-${path.basename(source).replace(/\W+/g, '-')}`);
    if (!fs.existsSync(path.join(dir, '.unpacked'))) {
      fs.mkdirSync(dir, { recursive: true });
      execFileSync('tar', ['xzf', source, '-C', dir]);
      fs.writeFileSync(path.join(dir, '.unpacked'), '');
    }
  } else if (!fs.existsSync(source) || !fs.statSync(source).isDirectory()) {
    throw new Error(`The corpus must be a folder or a .tar.gz of markdown files: ${source}`);
  }
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => /\.mdx?$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** A deterministic pseudo-random generator (mulberry32), so generated corpora and samples repeat exactly. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A corpus written from a fixed seed, for machines without the shared one: markdown pages of
 * words drawn with a Zipf-like skew from a fixed vocabulary, with headings, lists and code.
 */
export function generatedCorpus(count: number, seed = 42): { name: string; text: string }[] {
  const rnd = seeded(seed);
  const syllables = ['ka', 'lo', 'mi', 'ter', 'san', 'vo', 'rel', 'dus', 'pen', 'qua', 'bri', 'tor', 'nex', 'ul', 'cha', 'fin'];
  const vocab = Array.from({ length: 20_000 }, (_, i) => {
    let w = '';
    for (let k = 0, n = 2 + (i % 3); k < n; k++) w += syllables[Math.floor(rnd() * syllables.length)];
    return w;
  });
  const word = () => vocab[Math.floor(vocab.length * Math.pow(rnd(), 3))]!;
  const sentence = (n: number) => Array.from({ length: n }, word).join(' ');
  return Array.from({ length: count }, (_, i) => {
    const parts = [`---\ntitle: ${sentence(4)}\n---\n`, `${sentence(25)}.\n`];
    for (let s = 0, n = 2 + Math.floor(rnd() * 6); s < n; s++) {
      parts.push(`## ${sentence(3)}\n\n${sentence(60 + Math.floor(rnd() * 200))}.\n`);
      if (rnd() < 0.3) parts.push(`- ${sentence(8)}\n- ${sentence(8)}\n`);
      if (rnd() < 0.2) parts.push('```\n' + sentence(12) + '\n```\n');
    }
    return { name: `generated/page-${i}.md`, text: parts.join('\n') };
  });
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

/**
 * Held-out exact-title queries: 40 pages drawn with a fixed seed among those whose title no other page
 * shares, each searched by its whole title as pasted; counted when the page is among the first three.
 */
export function exactTitleQueries<D extends { title: string }>(docs: D[], count = 40): D[] {
  const seen = new Map<string, number>();
  for (const d of docs) seen.set(d.title.toLowerCase(), (seen.get(d.title.toLowerCase()) ?? 0) + 1);
  const unique = docs.filter((d) => seen.get(d.title.toLowerCase()) === 1 && d.title.trim().split(/\s+/).length >= 2);
  const rnd = seeded(29);
  const out = new Set<D>();
  for (let i = 0; out.size < Math.min(count, unique.length) && i < 100_000; i++) out.add(unique[Math.floor(rnd() * unique.length)]!);
  return [...out];
}

/** One corpus file made into a page the importer reads: its name in the folder, title and file text. */
export interface ImportableFile {
  name: string;
  title: string;
}

/**
 * Writes `count` of the corpus `files` as importable markdown pages into `dir` (the corpus is used over again
 * past its size): title from the file's front matter or first heading, why from its first paragraph,
 * a fixed owner and a system in turn. Returns each file's name and title, in import order.
 */
export function writeImportablePages(files: string[], dir: string, count: number, owner: string, systems: string[]): ImportableFile[] {
  const out: ImportableFile[] = [];
  for (let i = 0; i < count; i++) {
    const file = files[i % files.length]!;
    let parsed: { data: Record<string, unknown>; content: string };
    try {
      const split = readFrontMatter(fs.readFileSync(file, 'utf8'));
      parsed = { data: split.data, content: split.body };
    } catch {
      parsed = { data: {}, content: fs.readFileSync(file, 'utf8') };
    }
    const heading = /^#\s+(.+)$/m.exec(parsed.content)?.[1];
    const title = String(parsed.data.title ?? heading ?? path.basename(file)).replace(/[\r\n]+/g, ' ').slice(0, 190).padEnd(3, '.');
    const why = (parsed.content.split(/\n\s*\n/).find((p) => p.trim() && !p.startsWith('#') && !p.startsWith('```') && !p.startsWith('<')) ?? title).trim().slice(0, 2000);
    const body = parsed.content.slice(0, 1024 * 1024 - 1);
    const fm = `---\n${YAML.stringify({ title, why, owners: [owner], system: systems[i % systems.length], status: 'live', tags: ['corpus'] })}---\n${body}${body.endsWith('\n') ? '' : '\n'}`;
    const name = `page-${String(i).padStart(5, '0')}.md`;
    fs.writeFileSync(path.join(dir, name), fm);
    out.push({ name, title });
  }
  return out;
}
