import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import type { Store } from '../store/index.js';
import type { CommandContext } from '../pages/commands.js';
import { attachFile, FilePhiRefused } from '../files/commands.js';
import { DEFAULT_INSPECT_LIMITS } from '../files/inspect.js';
import { rewriteLocalFiles, type LocalFileRef } from '../files/local.js';
import { fileRemovedNotice } from '../files/refs.js';
import { DomainError } from '../core/errors.js';
import type { ImportProblem, SourcePage } from './import.js';

/**
 * Files travel with their pages. An export writes each file once, by digest, under files/ with a
 * files.yaml naming the pages it belongs to; import reads it back before the pages, so every version
 * that shows a file seals the same digests (and the same hash) as before. A plain folder's images and
 * documents referenced by relative paths are added to their pages and the references rewritten.
 */

interface FilesManifest {
  files?: { sha256: string; size?: number; type?: string; removed?: string; pages?: { slug: string; name: string; alt?: string; added_by?: string; added_at?: string }[] }[];
}

/** Writes the files of the exported pages (added to them, or shown by any of their versions). */
export function exportFiles(store: Store, out: string, slugs: Set<string>): number {
  const entries = new Map<string, NonNullable<FilesManifest['files']>[number]>();
  for (const slug of slugs) {
    for (const f of store.files.forPage(slug)) {
      const entry = entries.get(f.sha256) ?? { sha256: f.sha256, size: f.size, type: f.type, pages: [] };
      entry.pages!.push({ slug, name: f.name, ...(f.alt ? { alt: f.alt } : {}), added_by: f.added_by, added_at: f.added_at });
      entries.set(f.sha256, entry);
    }
  }
  if (entries.size === 0) return 0;
  fs.mkdirSync(path.join(out, 'files'), { recursive: true });
  for (const [sha, entry] of entries) {
    // A purged file has no bytes to export: the manifest says so, in place of the file.
    const removal = store.files.removal(sha);
    if (removal) entry.removed = fileRemovedNotice(removal);
    else fs.writeFileSync(path.join(out, 'files', sha), store.files.bytes(sha)!.bytes);
  }
  fs.writeFileSync(path.join(out, 'files.yaml'), YAML.stringify({ files: [...entries.values()] }, { lineWidth: 0 }));
  return entries.size;
}

function refusal(e: unknown): string | null {
  if (e instanceof FilePhiRefused) return e.errors.map((x) => x.message).join(' ');
  if (e instanceof DomainError) return e.message;
  return null;
}

/** Reads an export's files.yaml back: each file checked against its digest and by the PHI guard. */
export async function importFileManifest(ctx: CommandContext, root: string, problems: ImportProblem[]): Promise<number> {
  const manifestFile = path.join(root, 'files.yaml');
  if (!fs.existsSync(manifestFile)) return 0;
  const realRoot = fs.realpathSync(root);
  const manifest = (YAML.parse(fs.readFileSync(manifestFile, 'utf8'), { maxAliasCount: 100 }) ?? {}) as FilesManifest;
  let added = 0;
  for (const entry of manifest.files ?? []) {
    const rel = `files/${entry.sha256}`;
    if (entry.removed) {
      problems.push({ file: rel, field: 'file', reason: `not in the export: ${entry.removed}` });
      continue;
    }
    if (!/^[0-9a-f]{64}$/.test(entry.sha256 ?? '')) {
      problems.push({ file: 'files.yaml', field: 'sha256', reason: `"${entry.sha256}" is not a sha256 digest` });
      continue;
    }
    const file = path.join(root, rel);
    let real: string;
    try {
      real = fs.realpathSync(file);
    } catch {
      problems.push({ file: rel, field: 'file', reason: 'listed in files.yaml but missing' });
      continue;
    }
    if (!real.startsWith(realRoot + path.sep)) {
      problems.push({ file: rel, field: 'file', reason: 'skipped: symbolic link to outside the folder' });
      continue;
    }
    const bytes = fs.readFileSync(real);
    if (createHash('sha256').update(bytes).digest('hex') !== entry.sha256) {
      problems.push({ file: rel, field: 'sha256', reason: 'the bytes do not match their digest (the file was altered or damaged)' });
      continue;
    }
    for (const page of entry.pages ?? []) {
      try {
        const at = page.added_at ? new Date(page.added_at) : ctx.at;
        await attachFile({ ...ctx, actor: { username: page.added_by ?? ctx.actor.username }, at, limits: DEFAULT_INSPECT_LIMITS }, { slug: page.slug, name: page.name, bytes, alt: page.alt });
        added++;
      } catch (e) {
        const reason = refusal(e);
        if (!reason) throw e;
        problems.push({ file: rel, field: 'file', reason: `${page.name} for ${page.slug}: ${reason}` });
      }
    }
  }
  return added;
}

/**
 * Adds the files a folder's markdown references by relative path to the page that references them and
 * rewrites those references, version by version. A reference that cannot be added is reported and left
 * as written.
 */
export async function importLocalFiles(ctx: CommandContext, root: string, pages: SourcePage[], problems: ImportProblem[]): Promise<number> {
  let added = 0;
  for (const page of pages) {
    const urls = new Map<string, string>();
    for (const version of page.versions) {
      const dir = path.dirname(path.join(root, version.file));
      const refs: LocalFileRef[] = [];
      const found = rewriteLocalFiles(version.body, dir, root, (ref) => {
        refs.push(ref);
        return ref.target;
      });
      for (const p of found.problems) problems.push({ file: version.file, field: 'file', reason: p });
      for (const ref of refs) {
        if (urls.has(ref.file)) continue;
        try {
          const file = await attachFile({ ...ctx, limits: DEFAULT_INSPECT_LIMITS }, { slug: page.slug, name: path.basename(ref.file), bytes: fs.readFileSync(ref.file) });
          urls.set(ref.file, file.url);
          added++;
        } catch (e) {
          const reason = refusal(e);
          if (!reason) throw e;
          problems.push({ file: version.file, field: 'file', reason: `${ref.target}: ${reason}` });
          urls.set(ref.file, ref.target);
        }
      }
      if (refs.length > 0) version.body = rewriteLocalFiles(version.body, dir, root, (ref) => urls.get(ref.file) ?? ref.target).body;
    }
  }
  return added;
}
