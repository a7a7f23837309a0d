// Reading what is imported: a folder of markdown, Word and Confluence files, decision records, exports;
// each file becomes a draft with where it came from. Nothing here writes to the store.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { CommandContext } from '../pages/commands.js';
import { FRONT_MATTER_FIELDS } from '../pages/schema.js';
import { FrontMatterError, readFrontMatter } from './front-matter.js';
import { looksLikeAdr, parseAdr, rewriteMarkdownLinks, slugFromFileName, type AdrFormat } from './adr.js';
import { rewriteLocalFiles } from '../files/local.js';

/** One version as read from a file (or a git commit): the draft, and where it came from. */
export interface SourceVersion {
  file: string;
  frontMatter: Record<string, unknown>;
  body: string;
  /** From an export's `revision` block or a commit; absent for a plain file. */
  revision?: { version?: number; author?: string; date?: string; summary?: string; hash?: string; archived?: boolean };
  format: 'whywiki' | AdrFormat | 'docx' | 'confluence';
  /** A slug the file names for itself (`slug:` in front matter). */
  slug?: string;
  /** What the reader decided for this file and the person importing should know. */
  notes?: string[];
}

/** Every version of one page, oldest first. */
export interface SourcePage {
  slug: string;
  versions: SourceVersion[];
  /** How an existing page is compared: by recorded hashes (an export), by dates (git) or by content. */
  mode: 'hashes' | 'dated' | 'content';
  /** Said about the page as a whole, e.g. that its slug was changed to keep it apart from another. */
  notes?: string[];
}


export interface ImportProblem {
  file: string;
  field: string;
  reason: string;
}

export interface ReadOptions {
  /** A team's status words, e.g. { Pending: 'proposed' } (from --status-map). */
  statusMap?: Record<string, string>;
}

/** Reads `--status-map "Pending=proposed,on hold=proposed"`. */
export function parseStatusMap(value: string | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of (value ?? '').split(',')) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    if (eq < 1) throw new ImportError(`--status-map takes word=status pairs separated by commas, for example "Pending=proposed" (got "${pair.trim()}").`);
    const status = pair.slice(eq + 1).trim().toLowerCase();
    const statuses = ['proposed', 'approved', 'in-build', 'live', 'superseded', 'retired', 'rejected'];
    if (!statuses.includes(status)) throw new ImportError(`--status-map: "${status}" is not a page status (${statuses.join(', ')}).`);
    map[pair.slice(0, eq).trim()] = status;
  }
  return map;
}

/** A title made from a file name: "0004-use-badge-tap.md" reads "0004 use badge tap". */
function titleFromFileName(rel: string): string {
  const parts = rel.split(/[\\/]/);
  let name = parts.at(-1)!.replace(/\.(md|markdown)$/i, '');
  if (/^(index|_index)$/i.test(name) && parts.length > 1) name = parts.at(-2)!;
  const words = name.replace(/[-_]+/g, ' ').trim();
  return (words.charAt(0).toUpperCase() + words.slice(1)).padEnd(3, '.');
}

/** The first level-1 heading outside code (ATX or setext), and the body without it. */
function takeFirstHeading(body: string): { title: string; body: string } | null {
  const lines = body.split('\n');
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const f = /^\s*(```+|~~~+)/.exec(line);
    if (f) {
      if (!fence) fence = f[1]!.charAt(0);
      else if (f[1]!.charAt(0) === fence) fence = null;
      continue;
    }
    if (fence) continue;
    const atx = /^#\s+(.+?)\s*#*\s*$/.exec(line);
    const take = atx ? 1 : line.trim() && /^=+\s*$/.test(lines[i + 1] ?? '') ? 2 : 0;
    if (take) {
      // The blank line after the heading goes with it.
      const next = lines[i + take]?.trim() === '' ? i + take + 1 : i + take;
      return { title: (atx ? atx[1]! : line).trim(), body: [...lines.slice(0, i), ...lines.slice(next)].join('\n').replace(/^\n+/, '') };
    }
  }
  return null;
}

/**
 * A plain markdown file (a docs folder, a Jekyll or MkDocs site): the title from the front matter, else the
 * first heading, else the file name; `slug:` names the page; keys Whywiki has no field for are kept in a
 * metadata block at the end of the body, so nothing the file said is lost.
 */
function plainFile(rel: string, data: Record<string, unknown>, body: string): { frontMatter: Record<string, unknown>; body: string; slug?: string; notes: string[] } {
  const notes: string[] = [];
  const fm: Record<string, unknown> = {};
  const extra: [string, unknown][] = [];
  let slug: string | undefined;
  for (const [k, v] of Object.entries(data)) {
    if (k === 'slug' && (typeof v === 'string' || typeof v === 'number')) slug = slugFromFileName(String(v).split('/').filter(Boolean).pop() ?? '') || undefined;
    else if ((FRONT_MATTER_FIELDS as string[]).includes(k)) fm[k] = v;
    else extra.push([k, v]);
  }
  let text = body;
  if (typeof fm.title !== 'string' || !fm.title.trim()) {
    const heading = takeFirstHeading(text);
    if (heading) {
      fm.title = heading.title;
      text = heading.body;
    } else {
      fm.title = titleFromFileName(rel);
      notes.push(`no title and no heading; the title "${fm.title as string}" is made from the file name`);
    }
  }
  if (extra.length) {
    const yaml = YAML.stringify(Object.fromEntries(extra.map(([k, v]) => [k, v instanceof Date ? v.toISOString().slice(0, 10) : v])), { lineWidth: 0 }).trimEnd();
    text = `${text.replace(/\s+$/, '')}\n\n## Metadata (imported)\n\n\`\`\`yaml\n${yaml}\n\`\`\`\n`;
    notes.push(`front matter ${extra.map(([k]) => `"${k}"`).join(', ')} has no page field; kept in the body under "Metadata (imported)"`);
  }
  return { frontMatter: fm, body: rewriteMarkdownLinks(text), slug, notes };
}

export type ImportRules = Pick<CommandContext, 'systems' | 'maxBodyBytes' | 'events' | 'phi'>;

export class ImportError extends Error {}

/** A problem with one file: reported with its field, and the other files go on. */
export class FileProblem extends Error {
  constructor(readonly file: string, readonly field: string, reason: string) {
    super(reason);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a markdown file, refusing what is too large, not UTF-8, or not YAML in its front matter. */
export function readSourceText(file: string, text: Buffer | string, maxBytes: number, rel: string, options: ReadOptions = {}): SourceVersion {
  const size = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
  if (size > maxBytes + 64 * 1024) throw new FileProblem(rel, 'file', `the file is ${Math.ceil(size / 1024)} KiB, over the limit of ${Math.floor((maxBytes + 64 * 1024) / 1024)} KiB`);
  let source: string;
  try {
    source = typeof text === 'string' ? text : utf8.decode(text);
  } catch {
    throw new FileProblem(rel, 'file', 'the file is not UTF-8 text; convert it (for example with iconv) and import it again');
  }
  let data: Record<string, unknown>;
  let body: string;
  try {
    ({ data, body } = readFrontMatter(source));
  } catch (e) {
    if (e instanceof FrontMatterError) throw new FileProblem(rel, 'front_matter', e.message);
    throw e;
  }
  body = body.replace(/^\n+/, '');
  if (looksLikeAdr(data, body)) {
    const adr = parseAdr(data, body, { statusMap: options.statusMap, fileName: path.basename(rel.split('@')[0]!) });
    const fm: Record<string, unknown> = {
      title: adr.title,
      ...(adr.why ? { why: adr.why } : {}),
      ...(adr.status ? { status: adr.status } : {}),
      ...(adr.date ? { go_live: adr.date } : {}),
      ...(adr.deciders.length ? { owners: adr.deciders } : {}),
      ...(adr.tags.length ? { tags: adr.tags } : {}),
      ...(adr.tickets.length ? { tickets: adr.tickets } : {}),
      ...(adr.supersedes.length ? { supersedes: adr.supersedes } : {}),
      ...(adr.supersededBy.length ? { superseded_by: adr.supersededBy } : {}),
    };
    return { file: rel, frontMatter: fm, body: adr.body, format: adr.format, notes: adr.notes };
  }
  const { revision, ...frontMatter } = data as Record<string, unknown> & { revision?: Record<string, unknown> };
  const rev = revision && typeof revision === 'object' ? revision : undefined;
  if (!rev) {
    // Not an export: a file as people write them.
    const plain = plainFile(rel.split('@')[0]!, frontMatter, body);
    return { file: rel, frontMatter: plain.frontMatter, body: plain.body, format: 'whywiki', slug: plain.slug, notes: plain.notes };
  }
  const date = rev?.date instanceof Date ? rev.date.toISOString() : typeof rev?.date === 'string' ? new Date(rev.date).toISOString() : undefined;
  return {
    file: rel,
    frontMatter,
    body,
    format: 'whywiki',
    revision: rev ? { version: Number(rev.version) || undefined, author: typeof rev.author === 'string' ? rev.author : undefined, date, summary: typeof rev.summary === 'string' ? rev.summary : undefined, hash: typeof rev.hash === 'string' ? rev.hash : undefined, archived: rev.archived === true } : undefined,
  };
}

/** Where a path really leads, judged against the real path of the folder being imported. */
export function linkTarget(root: string, file: string): 'file' | 'directory' | 'outside' | 'unresolved' {
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return 'unresolved';
  }
  const realRoot = fs.realpathSync(root);
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) return 'outside';
  return fs.statSync(real).isDirectory() ? 'directory' : 'file';
}

/** Files an export or the importer itself reads beside the pages: not "skipped". */
const KNOWN_FILES = /^(people\.yaml|reviews\.yaml|files\.yaml|files\/[0-9a-f]{64}|history\/[^/]+\/versions\.yaml)$/;

/** The slug a file gives its page: its name, or its folder's name for a folder-per-record `<name>/index.md`. */
export function slugForFile(rel: string): string {
  const parts = rel.split(/[\\/]/);
  if (parts.length > 1 && /^(index|_index)\.(md|markdown)$/i.test(parts.at(-1)!)) return slugFromFileName(parts.at(-2)!);
  return slugFromFileName(parts.at(-1)!);
}

/** A slug for a second file with the same name elsewhere: its folders make it different. */
export function slugFromPath(rel: string): string {
  return slugFromFileName(rel.replace(/\/(index|_index)\.(md|markdown)$/i, '').replace(/[\\/]/g, '-'));
}

/** Finds every markdown file under `dir`, and gathers export histories (history/<slug>/<n>.md) with their page. */
export function readFolder(dir: string, maxBytes: number, options: ReadOptions = {}): { pages: SourcePage[]; problems: ImportProblem[]; skipped: ImportProblem[]; documents: string[] } {
  const root = path.resolve(dir);
  if (!fs.existsSync(root)) throw new ImportError(`The folder ${root} does not exist.`);
  if (!fs.statSync(root).isDirectory()) throw new ImportError(`${root} is a file, not a folder; import takes a folder of markdown files.`);
  const problems: ImportProblem[] = [];
  const skipped: ImportProblem[] = [];
  const others: string[] = [];
  const files: string[] = [];
  /** Word documents, read by the caller (they need the files' store to keep their pictures). */
  const documents: string[] = [];
  const markdown = (name: string) => /\.(md|markdown)$/i.test(name);
  // A folder-per-record layout keeps each page as <name>/index.md; only the folder's own index is a listing.
  const skipReason = (full: string): string | null => {
    const name = path.basename(full);
    if (!markdown(name)) return null;
    if (/^template\.(md|markdown)$/i.test(name)) return 'a template, not a page';
    if (/^readme\.(md|markdown)$/i.test(name)) return 'a README (a folder\'s description, not a page)';
    if (/^(index|_index)\.(md|markdown)$/i.test(name) && path.dirname(full) === root) return 'the folder\'s own index page';
    return 'ok';
  };
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(d, entry.name);
      const why = skipReason(full);
      const wanted = why === 'ok';
      if (entry.isSymbolicLink()) {
        // A link may point anywhere the service account can read; only what is inside the folder is imported.
        const target = linkTarget(root, full);
        if (target === 'outside' || target === 'unresolved') {
          if (wanted || (target === 'outside' && fs.statSync(full).isDirectory())) problems.push({ file: path.relative(root, full), field: 'file', reason: target === 'outside' ? 'skipped: symbolic link to outside the folder' : 'skipped: symbolic link that does not resolve (a link loop or a missing target)' });
        } else if (target === 'file' && wanted) files.push(full);
        // A linked folder inside is walked where it really is; following the link too could loop.
      } else if (entry.isDirectory()) walk(full);
      else if (wanted) files.push(full);
      else if (why) skipped.push({ file: path.relative(root, full), field: 'file', reason: `skipped: ${why}` });
      else if (/\.docx$/i.test(entry.name) && !entry.name.startsWith('~$')) documents.push(path.relative(root, full));
      else others.push(full);
    }
  };
  walk(root);
  const histRoot = path.join(root, 'history');
  const pages = new Map<string, SourcePage>();
  const read = (file: string): SourceVersion | null => {
    const rel = path.relative(root, file);
    try {
      // History folders are found by name, not walked: a link among them is checked here.
      const target = linkTarget(root, file);
      if (target === 'outside') throw new FileProblem(rel, 'file', 'skipped: symbolic link to outside the folder');
      if (target === 'unresolved') throw new FileProblem(rel, 'file', 'skipped: symbolic link that does not resolve (a link loop or a missing target)');
      return readSourceText(file, fs.readFileSync(file), maxBytes, rel, options);
    } catch (e) {
      if (e instanceof FileProblem) problems.push({ file: e.file, field: e.field, reason: e.message });
      else throw e;
      return null;
    }
  };
  const used = new Set<string>();
  for (const file of files.filter((f) => !f.startsWith(histRoot + path.sep))) {
    const rel = path.relative(root, file);
    const current = read(file);
    if (!current) continue;
    let slug = current.slug ?? slugForFile(rel);
    const notes: string[] = [];
    if (pages.has(slug)) {
      // Every `adr init` writes 0001-record-architecture-decisions.md: two folders, two pages.
      const other = pages.get(slug)!.versions.at(-1)!.file;
      const apart = slugFromPath(rel);
      if (pages.has(apart)) {
        problems.push({ file: rel, field: 'slug', reason: `another file already gives the slug "${slug}" (${other}), and "${apart}" too` });
        continue;
      }
      notes.push(`${other} already gives the slug "${slug}"; this file is the page "${apart}"`);
      slug = apart;
    }
    const hist = path.join(histRoot, slug);
    const earlier = fs.existsSync(hist)
      ? fs.readdirSync(hist).filter((f) => /^\d+\.md$/.test(f)).sort((a, b) => parseInt(a) - parseInt(b)).map((f) => read(path.join(hist, f)))
      : [];
    if (earlier.some((v) => v === null)) continue;
    const versions = [...(earlier as SourceVersion[]), current];
    for (const v of versions) {
      rewriteLocalFiles(v.body, path.dirname(path.join(root, v.file)), root, (ref) => {
        used.add(ref.file);
        return ref.target;
      });
    }
    pages.set(slug, { slug, versions, notes, mode: versions.every((v) => v.revision?.hash) ? 'hashes' : versions.length > 1 ? 'dated' : 'content' });
  }
  for (const file of others) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    if (KNOWN_FILES.test(rel)) continue;
    let real = file;
    try {
      real = fs.realpathSync(file);
    } catch {
      /* reported as not shown below */
    }
    if (!used.has(real) && !used.has(file)) skipped.push({ file: rel, field: 'file', reason: 'skipped: not a markdown page, and no page shows or links it' });
  }
  return { pages: [...pages.values()], problems, skipped, documents };
}

