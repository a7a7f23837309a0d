import path from 'node:path';
import type { CommandContext } from '../pages/commands.js';
import { importFileManifest, importLocalFiles } from './files.js';
import { readFolder, type ImportProblem, type ReadOptions, type SourcePage } from './import.js';
import { readWordFiles } from './docx.js';
import { isConfluenceExport, readConfluenceExport } from './confluence.js';

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
  const root = path.resolve(dir);
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
