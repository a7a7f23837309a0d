// Builds a wiki of N pages with N×V versions from the shared documentation corpus, for the scale benchmark.
//
//   tsx bench/scale/build.ts --pages 50000 --versions 10 --out /tmp/scale-50k [--seed 1]
//
// Every byte is written by the product's own import path (server/transfer/import.ts `importPages`), so the
// hash chains, audit events, digests and derived tables are the ones a real wiki has and `whywiki verify`
// accepts them:
//   1. the first versions are written as a folder of markdown files (with a people.yaml) and imported as
//      `whywiki import <dir>` would import them; that step is timed and is the "import time";
//   2. each later version is a real edit (a paragraph changed, added or removed; sometimes the status, the
//      owners or the tickets), handed to the same importer as a dated history (as `import --git` does), one
//      pass per version number, in batches of pages per transaction.
// The text is varied, not copied: each page mixes paragraphs of several corpus documents under a title
// made from a system, a module, a corpus title and a number, so 50,000 pages are distinct.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import YAML from 'yaml';
import { openStore } from '../../server/setup.js';
import { loadConfig } from '../../server/config.js';
import { importPages, readFolder, type SourcePage } from '../../server/transfer/import.js';
import { readFrontMatter } from '../../server/transfer/front-matter.js';
import { PhiGuard } from '../../server/phi/guard.js';
import { slugOf } from '../../server/core/rules.js';
import { corpusFiles, DEFAULT_CORPUS, seeded } from '../corpus.js';

/** The shared corpus: WHYWIKI_CORPUS, else ../shared/corpus beside the checkout, else /work/shared/corpus. */
export const SCALE_CORPUS = process.env.WHYWIKI_CORPUS ?? (fs.existsSync(DEFAULT_CORPUS) ? DEFAULT_CORPUS : '/work/shared/corpus/docs-5565.tar.gz');

export interface BuildResult {
  pages: number;
  versions: number;
  failed: number;
  /** The first versions through the folder importer, ms (people.yaml included). */
  importMs: number;
  /** Reading and parsing that folder without writing, ms (the import's own baseline). */
  readMs: number;
  /** All later versions, ms. */
  historyMs: number;
  bytes: number;
}

const SYSTEMS: Record<string, string[]> = {
  Epic: ['ClinDoc', 'Orders', 'Beaker', 'Willow', 'Cadence', 'Resolute HB', 'Resolute PB', 'OpTime', 'ASAP', 'MyChart', 'Radiology', 'ADT'],
  Workday: ['HCM', 'Payroll', 'Financials', 'Benefits', 'Recruiting', 'Time Tracking'],
  Interfaces: ['ADT', 'Engine', 'Results', 'Orders and Results', 'Lab'],
  Infrastructure: ['Citrix', 'Identity', 'Printing', 'Backup', 'Downtime'],
};
const FIRST = ['Maria', 'David', 'Lin', 'Grace', 'Rosa', 'Priya', 'Tom', 'Sam', 'Amara', 'Jonas', 'Keiko', 'Omar', 'Elena', 'Felix', 'Hana', 'Ravi', 'Zoe', 'Ivan', 'Nia', 'Paul', 'Ines', 'Kwame', 'Lena', 'Marco', 'Yara', 'Chen', 'Sofia', 'Bilal', 'Ada', 'Theo'];
const LAST = ['Reyes', 'Okafor', 'Chen', 'Sato', 'Lopez', 'Nair', 'Brennan', 'Walsh', 'Diallo', 'Berg', 'Tanaka', 'Haddad', 'Novak', 'Meyer', 'Kim', 'Patel', 'Adams', 'Petrov', 'Mensah', 'Dubois', 'Silva', 'Asante', 'Fischer', 'Rossi', 'Hakim', 'Wang', 'Garcia', 'Khan', 'Lovelace', 'Moreau'];
const STATUS_WEIGHTS: [string, number][] = [['live', 60], ['in-build', 10], ['approved', 10], ['proposed', 10], ['retired', 7], ['rejected', 3]];
const SUMMARIES = ['Clarified the build steps after go-live questions', 'Added the downtime procedure', 'Reworded the rationale for the new analysts', 'Removed a step the upgrade made unnecessary', 'Updated after the change board review', 'Added the test results from the validation round', 'Fixed a wrong record number', 'Noted the vendor fix and its ticket', 'Split the configuration notes by site', 'Recorded the decision from the steering group'];

interface Pool {
  titles: string[];
  paragraphs: string[];
  headings: string[];
}

/** Paragraphs, headings and titles of the corpus, kept only when the PHI guard lets them through. */
function corpusPool(): Pool {
  const guard = new PhiGuard();
  const pool: Pool = { titles: [], paragraphs: [], headings: [] };
  for (const file of corpusFiles(SCALE_CORPUS)) {
    let body: string;
    let title: unknown;
    try {
      const split = readFrontMatter(fs.readFileSync(file, 'utf8'));
      body = split.body;
      title = split.data.title;
    } catch {
      continue;
    }
    const t = String(title ?? /^#\s+(.+)$/m.exec(body)?.[1] ?? '').replace(/[\r\n`*_[\]<>{}]+/g, ' ').trim();
    if (t.length >= 3 && t.length <= 90 && !guard.scan({ title: t }).length) pool.titles.push(t);
    // Blocks separated by blank lines; fenced code is kept whole, MDX/HTML blocks are left out.
    let fence: string[] | null = null;
    for (const block of body.split(/\n\s*\n/)) {
      const b = block.trim();
      if (fence) {
        fence.push(block);
        if (/```\s*$/.test(b)) {
          const code = fence.join('\n\n');
          if (code.length < 1500 && !guard.scan({ body: code }).length) pool.paragraphs.push(code);
          fence = null;
        }
        continue;
      }
      if (b.startsWith('```')) {
        if ((b.match(/```/g) ?? []).length % 2 === 1) fence = [block];
        else if (b.length < 1500 && !guard.scan({ body: b }).length) pool.paragraphs.push(b);
        continue;
      }
      if (/^#{2,4}\s+\S/.test(b) && !b.includes('\n')) {
        const h = b.replace(/^#+\s+/, '').replace(/[{}<>]/g, '').trim();
        if (h.length >= 3 && h.length <= 80) pool.headings.push(h);
        continue;
      }
      if (b.length < 60 || b.length > 1800 || /^(<|import |export |\{|:::|\||\[!)/.test(b) || b.includes('{{')) continue;
      if (guard.scan({ body: b }).length) continue;
      pool.paragraphs.push(b);
    }
  }
  return pool;
}

interface Page {
  slug: string;
  fm: Record<string, unknown>;
  /** The body as sections, so an edit changes, adds or removes one. */
  blocks: string[];
}

export async function buildScaleStore(options: { pages: number; versions: number; out: string; seed?: number; log?: (s: string) => void; keepSource?: boolean }): Promise<BuildResult> {
  const log = options.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const N = options.pages;
  const V = Math.max(1, options.versions);
  const rnd = seeded(options.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const pool = corpusPool();
  log(`corpus pool: ${pool.titles.length} titles, ${pool.paragraphs.length} paragraphs, ${pool.headings.length} headings`);

  if (fs.existsSync(path.join(options.out, 'whywiki.db'))) throw new Error(`${options.out} already holds a store; give an empty folder`);
  fs.mkdirSync(options.out, { recursive: true });
  const src = fs.mkdtempSync(path.join(options.out, '..', `.${path.basename(options.out)}-source-`));

  // A few dozen people and teams own the pages.
  const people = Array.from({ length: 48 }, (_, i) => {
    const first = FIRST[i % FIRST.length]!;
    const last = LAST[(i * 7) % LAST.length]!;
    return { handle: `${first[0]}${last}${i >= 30 ? i : ''}`.toLowerCase(), name: `${first} ${last}`, title: `${pick(Object.keys(SYSTEMS))} Analyst`, email: `${first}.${last}${i}@example-health.org`.toLowerCase() };
  });
  const teams = Object.entries(SYSTEMS).flatMap(([system, modules]) =>
    modules.slice(0, 3).map((m, j) => ({ handle: slugOf(`${system} ${m}`), name: `${system} ${m} Team`, members: [people[(j * 5 + system.length) % people.length]!.handle, people[(j * 11 + 3) % people.length]!.handle] })),
  );
  fs.writeFileSync(path.join(src, 'people.yaml'), YAML.stringify({ people, teams }));
  const owners = [...people.map((p) => p.handle), ...teams.map((t) => t.handle)];

  const statusOf = () => {
    let r = rnd() * 100;
    for (const [s, w] of STATUS_WEIGHTS) if ((r -= w) < 0) return s;
    return 'live';
  };
  const section = () => (rnd() < 0.4 ? `## ${pick(pool.headings)}\n\n` : '') + pick(pool.paragraphs);
  // Dates: first versions spread over 2019-2021, each later pass later than the one before, all before now.
  const start = Date.parse('2019-01-01T08:00:00Z');
  const span = Date.parse('2026-09-01T00:00:00Z') - start;
  const passSpan = span / V;
  const dateOf = (pass: number, i: number) => new Date(start + pass * passSpan + (i / N) * passSpan * 0.9 + rnd() * passSpan * 0.05).toISOString();

  const pages: Page[] = [];
  const used = new Set<string>();
  for (let i = 0; i < N; i++) {
    const system = pick(Object.keys(SYSTEMS));
    const module = pick(SYSTEMS[system]!);
    const base = pick(pool.titles);
    const variant = pick([`${module}: ${base}`, `${base} (${module})`, `${base} for ${module} ${1 + Math.floor(rnd() * 40)}`, `${system} ${module} ${base}`, `${base}, site ${1 + Math.floor(rnd() * 12)}`]);
    const title = `${variant} #${i + 1}`.slice(0, 200);
    let slug = slugOf(variant).slice(0, 60).replace(/-+$/, '') || 'page';
    slug = `${slug}-${i + 1}`;
    if (used.has(slug)) slug = `page-${i + 1}`;
    used.add(slug);
    const blocks = Array.from({ length: 3 + Math.floor(rnd() * 6) }, section);
    // Some pages link to earlier ones (and a few to pages that do not exist), as a wiki's pages do.
    if (i > 0 && rnd() < 0.5) blocks.push(`See also [[${pages[Math.floor(rnd() * i)]!.slug}]]${rnd() < 0.1 ? ` and [[retired-note-${i}]]` : ''}.`);
    const fm: Record<string, unknown> = {
      title,
      why: pick(pool.paragraphs).slice(0, 1500),
      owners: [...new Set([pick(owners), ...(rnd() < 0.3 ? [pick(owners)] : [])])],
      system,
      module,
      status: statusOf(),
      ...(rnd() < 0.6 ? { review_every: pick(['90d', '6m', '1y']) } : {}),
      ...(rnd() < 0.7 ? { tickets: [`CHG${String(1_000_000 + i).padStart(7, '0')}`] } : {}),
      ...(rnd() < 0.5 ? { tags: [slugOf(module), pick(['hl7', 'build', 'upgrade', 'downtime', 'security', 'workflow', 'report', 'interface'])] } : {}),
    };
    pages.push({ slug, fm, blocks });
  }

  let bytes = 0;
  for (let i = 0; i < N; i++) {
    const p = pages[i]!;
    const text = `---\n${YAML.stringify({ ...p.fm, revision: { author: (p.fm.owners as string[])[0]!, date: dateOf(0, i), summary: 'First written' } })}---\n${p.blocks.join('\n\n')}\n`;
    bytes += Buffer.byteLength(text);
    fs.writeFileSync(path.join(src, `${p.slug}.md`), text);
  }
  log(`${N} first versions written as markdown (${(bytes / 1e6).toFixed(1)} MB)`);

  const config = loadConfig({ WHYWIKI_DATA: options.out });
  const rules = { systems: config.systems, maxBodyBytes: config.maxBodyBytes, phi: new PhiGuard() };
  const store = openStore(options.out);
  try {
    let t = performance.now();
    const folder = readFolder(src, config.maxBodyBytes);
    const readMs = performance.now() - t;
    t = performance.now();
    const first = importPages(store, rules, { ...readFolder(src, config.maxBodyBytes), root: src }, { actor: 'cli', batch: 250 });
    const importMs = performance.now() - t;
    void folder;
    const created = new Set(first.report.filter((r) => r.outcome === 'created').map((r) => r.slug));
    log(`import of the first versions: ${(importMs / 1000).toFixed(1)} s (${first.created} created, ${first.failed} failed${first.problems[0] ? `: ${first.problems[0].file} ${first.problems[0].reason}` : ''}); read+parse alone ${(readMs / 1000).toFixed(1)} s`);
    let failed = first.failed;
    let versions = first.versions;
    // Written after the first import and after every pass: the store is whole at each pass (every page has
    // the same number of versions), so a build stopped early still leaves a usable, verifiable store.
    const record = (historyMs: number, passes: number) => {
      const result: BuildResult = { pages: created.size, versions, failed, importMs, readMs, historyMs, bytes };
      fs.writeFileSync(path.join(options.out, 'scale-build.json'), `${JSON.stringify({ ...result, passes, requested: { pages: N, versions: V, seed: options.seed ?? 1 }, builtAt: new Date().toISOString() }, null, 2)}\n`);
      return result;
    };
    record(0, 1);

    // Later versions: one pass per version number, every page edited once per pass.
    t = performance.now();
    const CHUNK = 2000;
    for (let pass = 1; pass < V; pass++) {
      for (let c = 0; c < N; c += CHUNK) {
        const batch: SourcePage[] = [];
        for (let i = c; i < Math.min(N, c + CHUNK); i++) {
          const p = pages[i]!;
          if (!created.has(p.slug)) continue;
          const r = rnd();
          let summary = pick(SUMMARIES);
          if (r < 0.45 || p.blocks.length < 3) p.blocks.splice(Math.floor(rnd() * (p.blocks.length + 1)), 0, section());
          else if (r < 0.75) p.blocks[Math.floor(rnd() * p.blocks.length)] = section();
          else p.blocks.splice(Math.floor(rnd() * p.blocks.length), 1);
          if (p.blocks.join('\n\n').length > 24_000) p.blocks.splice(0, 2);
          if (rnd() < 0.15) {
            p.fm = { ...p.fm, status: statusOf() };
            summary = `Status now ${String(p.fm.status)}`;
          } else if (rnd() < 0.1) {
            p.fm = { ...p.fm, owners: [...new Set([pick(owners), ...(p.fm.owners as string[]).slice(0, 1)])] };
            summary = 'Owners changed after the team reorganisation';
          } else if (rnd() < 0.1) {
            p.fm = { ...p.fm, tickets: [...((p.fm.tickets as string[] | undefined) ?? []), `INC${String(2_000_000 + pass * N + i).padStart(7, '0')}`].slice(-5) };
          }
          const author = rnd() < 0.7 ? (p.fm.owners as string[])[0]! : pick(people).handle;
          batch.push({ slug: p.slug, mode: 'dated', versions: [{ file: `${p.slug}.md@${pass + 1}`, frontMatter: p.fm, body: `${p.blocks.join('\n\n')}\n`, format: 'whywiki', revision: { author, date: dateOf(pass, i), summary } }] });
        }
        // Every block of an edit was passed by the PHI guard when the pool was made, so the edits skip the
        // second scan (a third of the cost of a version); the first versions above were scanned as imported.
        const r = importPages(store, { ...rules, phi: undefined }, { pages: batch, problems: [] }, { actor: 'cli', batch: 250 });
        failed += r.failed;
        versions += r.versions;
        if (r.failed) log(`  pass ${pass + 1}: ${r.failed} failed, first: ${r.problems[0]?.file} ${r.problems[0]?.reason}`);
      }
      record(performance.now() - t, pass + 1);
      log(`version ${pass + 1} of every page written (${versions} versions, ${((performance.now() - t) / 1000).toFixed(0)} s)`);
    }
    return record(performance.now() - t, V);
  } finally {
    store.close();
    if (!options.keepSource) fs.rmSync(src, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { pages: { type: 'string', default: '5000' }, versions: { type: 'string', default: '10' }, out: { type: 'string' }, seed: { type: 'string', default: '1' } } });
  if (!values.out) {
    process.stderr.write('usage: tsx bench/scale/build.ts --pages 50000 --versions 10 --out <empty dir>\n');
    process.exit(2);
  }
  const t = performance.now();
  const r = await buildScaleStore({ pages: Number(values.pages), versions: Number(values.versions), out: path.resolve(values.out), seed: Number(values.seed) });
  process.stdout.write(`built ${r.pages} pages, ${r.versions} versions (${r.failed} failed) in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
}
