import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import JSZip from 'jszip';
import { openStore } from '../setup.js';
import { DB_FILE_NAME } from '../store/db.js';
import type { Store } from '../store/index.js';
import type { CommandContext } from '../pages/commands.js';
import { importFileManifest, importLocalFiles } from './files.js';
import { ImportError, importPages, readFolder, type ImportOptions, type ImportProblem, type ImportRules, type ImportSummary, type ReadOptions, type SourcePage } from './import.js';
import { readWordFiles } from './docx.js';
import { isConfluenceExport, readConfluenceExport } from './confluence.js';
import { readGitHistory } from './git.js';

export interface FolderSource {
  pages: SourcePage[];
  problems: ImportProblem[];
  skipped: ImportProblem[];
  root: string;
  filesAdded: number;
  kind: 'folder' | 'confluence';
}

/**
 * Reads a folder for import, whatever it holds: a Confluence HTML export, or markdown pages (an export,
 * decision records, a docs site) with Word documents among them. Files are stored first, because a
 * version seals the digests of the files it shows. The command line and the admin screen both use this.
 */
export async function readImportFolder(ctx: CommandContext, dir: string, maxBytes: number, options: ReadOptions = {}): Promise<FolderSource> {
  let root = path.resolve(dir);
  // A Confluence zip unpacks to one folder named after the space: the export is inside it.
  const inner = fs.readdirSync(root, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
  if (inner.length === 1 && inner[0]!.isDirectory() && isConfluenceExport(path.join(root, inner[0]!.name))) root = path.join(root, inner[0]!.name);
  if (isConfluenceExport(root)) {
    const c = await readConfluenceExport(ctx, root);
    return { ...c, root, kind: 'confluence' };
  }
  const folder = readFolder(root, maxBytes, options);
  const problems = [...folder.problems];
  let filesAdded = await importFileManifest(ctx, root, problems);
  filesAdded += await importLocalFiles(ctx, root, folder.pages, problems);
  const word = await readWordFiles(ctx, root, folder.documents, new Set(folder.pages.map((p) => p.slug)));
  filesAdded += word.filesAdded;
  return { pages: [...folder.pages, ...word.pages], problems: [...problems, ...word.problems], skipped: folder.skipped, root, filesAdded, kind: 'folder' };
}

/**
 * Runs `fn` against a copy of the store and throws the copy away: how a dry run does exactly what the
 * import would (files read, pictures OCR'd, pages checked and written) without holding the live store's
 * write lock for as long as that takes, so the server goes on saving meanwhile.
 */
export async function onCopy<T>(store: Store, fn: (copy: Store) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whywiki-dry-run-'));
  try {
    await store.copyTo(path.join(dir, DB_FILE_NAME));
    const copy = openStore(dir);
    try {
      return await fn(copy);
    } finally {
      copy.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Everything an import run needs to know, from the command line or the admin screen. */
export interface FolderImportOptions extends ImportOptions, ReadOptions {
  actor?: string;
}

/**
 * Imports a folder (markdown, Word, Confluence): the files first, then the pages. A dry run does the same
 * work and rolls it back, so what it reports is what the import will do.
 */
export async function importFolder(store: Store, rules: ImportRules, dir: string, options: FolderImportOptions = {}): Promise<{ summary: ImportSummary; filesAdded: number; kind: FolderSource['kind'] }> {
  const run = async (target: Store) => {
    const ctx = { store: target, ...rules, actor: { username: options.actor ?? 'cli' }, client: 'import' };
    const folder = await readImportFolder(ctx, dir, rules.maxBodyBytes, { statusMap: options.statusMap });
    const summary = importPages(target, target === store ? rules : { ...rules, events: undefined }, folder, options);
    return { summary, filesAdded: folder.filesAdded, kind: folder.kind };
  };
  // The copy is a copy: nothing a dry run does reaches the live store, and no page-changed event is sent.
  return options.dryRun ? onCopy(store, (copy) => run(copy)) : run(store);
}

const MAX_ZIP_ENTRIES = 20_000;
const MAX_ZIP_BYTES = 1024 * 1024 * 1024;

/**
 * Unpacks an uploaded zip into `dest`, refusing paths that leave it and archives that unpack to more than
 * 1 GiB or 20,000 entries (a zip bomb). Returns the folder to import: the zip's one top folder, if it has one.
 */
export async function unpackZip(bytes: Buffer, dest: string): Promise<string> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch {
    throw new ImportError('The upload is not a zip file. Zip the folder (a docs folder, a Confluence export, Word documents) and upload the .zip.');
  }
  const entries = Object.values(zip.files);
  if (entries.length > MAX_ZIP_ENTRIES) throw new ImportError(`The zip holds ${entries.length} entries; at most ${MAX_ZIP_ENTRIES} are read. Import it in parts, or from the command line.`);
  const root = path.resolve(dest);
  let total = 0;
  for (const entry of entries) {
    const name = entry.name.replace(/\\/g, '/');
    if (name.startsWith('__MACOSX/')) continue;
    const target = path.resolve(root, name);
    if (target !== root && !target.startsWith(root + path.sep)) throw new ImportError(`The zip names a path outside itself ("${entry.name}"); nothing was imported.`);
    if (entry.dir) {
      fs.mkdirSync(target, { recursive: true });
      continue;
    }
    const data = await entry.async('nodebuffer');
    total += data.length;
    if (total > MAX_ZIP_BYTES) throw new ImportError('The zip unpacks to more than 1 GiB; nothing was imported. Import it in parts, or from the command line.');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, data);
  }
  const top = fs.readdirSync(root).filter((f) => !f.startsWith('.') && f !== '__MACOSX');
  return top.length === 1 && fs.statSync(path.join(root, top[0]!)).isDirectory() ? path.join(root, top[0]!) : root;
}

/**
 * Imports a git repository's history (optionally one folder of it). Pictures and documents the pages
 * reference by relative path are taken from the working tree and become files of the page first.
 */
export async function importGit(store: Store, rules: ImportRules, repo: string, subPath: string | undefined, options: FolderImportOptions = {}): Promise<{ summary: ImportSummary; filesAdded: number }> {
  const run = async (target: Store) => {
    const ctx = { store: target, ...rules, actor: { username: options.actor ?? 'cli' }, client: 'import' };
    const source = readGitHistory(target, repo, subPath, rules.maxBodyBytes, { statusMap: options.statusMap });
    const problems = [...source.problems];
    const filesAdded = await importLocalFiles(ctx, path.resolve(repo), source.pages, problems);
    return { summary: importPages(target, target === store ? rules : { ...rules, events: undefined }, { ...source, problems }, options), filesAdded };
  };
  return options.dryRun ? onCopy(store, (copy) => run(copy)) : run(store);
}
