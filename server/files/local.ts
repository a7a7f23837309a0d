import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Store } from '../store/index.js';
import { recordAudit } from '../audit/log.js';
import { cleanFileName } from './policy.js';
import { fileUrl } from './refs.js';

/**
 * Files that markdown beside them references by relative path (an ADR folder's diagrams, the demo
 * content's screenshots): found, read from inside the folder only, and the references rewritten to the
 * page's own file URLs.
 */

/** `![alt](target)` and `[text](target)`, with an optional title; `<target>` form too. */
const LOCAL_LINK = /(!?)\[([^\]\n]{0,500})\]\(\s*(?:<([^>\n]{1,500})>|([^\s)]{1,500}))(\s+"[^"\n]{0,300}")?\s*\)/g;

function isRelative(target: string): boolean {
  return !/^(?:[a-z][a-z0-9+.-]*:|\/|#|\?)/i.test(target);
}

export interface LocalFileRef {
  /** The reference as written, and the absolute path it names. */
  target: string;
  file: string;
}

export interface RewriteResult {
  body: string;
  /** References that name a missing file or a place outside the folder, to be reported. */
  problems: string[];
}

/**
 * Rewrites each relative reference in `body` (written in `fileDir`) to what `attach` returns for the file,
 * refusing paths that leave `rootDir`, also through symbolic links. Markdown pages linked the same way
 * are left alone (they are pages, not files).
 */
export function rewriteLocalFiles(body: string, fileDir: string, rootDir: string, attach: (ref: LocalFileRef) => string): RewriteResult {
  const problems: string[] = [];
  const root = fs.realpathSync(rootDir);
  const out = body.replace(LOCAL_LINK, (whole, bang: string, text: string, angled: string | undefined, bare: string | undefined, title: string | undefined) => {
    const raw = (angled ?? bare ?? '').trim();
    if (!raw || !isRelative(raw)) return whole;
    let target: string;
    try {
      target = decodeURIComponent(raw.split('#')[0]!.split('?')[0]!);
    } catch {
      return whole;
    }
    if (/\.(?:md|markdown)$/i.test(target)) return whole;
    const file = path.resolve(fileDir, target);
    let real: string;
    try {
      real = fs.realpathSync(file);
    } catch {
      problems.push(`${raw}: no such file beside the page`);
      return whole;
    }
    if (real !== root && !real.startsWith(root + path.sep)) {
      problems.push(`${raw}: outside the folder being read (not followed)`);
      return whole;
    }
    if (!fs.statSync(real).isFile()) return whole;
    const url = attach({ target: raw, file: real });
    return `${bang}[${text}](<${url}>${title ?? ''})`;
  });
  return { body: out, problems };
}

/** The type of a trusted file (the demo content) from its first bytes, without the upload checks. */
function trustedType(bytes: Buffer, name: string): { type: string; width: number | null; height: number | null } {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return { type: 'image/png', width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return { type: 'image/jpeg', width: null, height: null };
  if (bytes.subarray(0, 4).toString('latin1') === '%PDF') return { type: 'application/pdf', width: null, height: null };
  if (/\.svg$/i.test(name)) return { type: 'image/svg+xml', width: null, height: null };
  return { type: 'text/plain; charset=utf-8', width: null, height: null };
}

/**
 * Stores a file of the demo content for a page, synchronously, inside the seeding transaction. Only for
 * content shipped with Whywiki: uploads and imports go through the upload checks and the PHI guard.
 */
export function attachTrustedFile(store: Store, slug: string, file: string, actor: string, at: string): string {
  const bytes = fs.readFileSync(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const name = cleanFileName(path.basename(file));
  const { type, width, height } = trustedType(bytes, name);
  store.files.put({ sha256, size: bytes.length, type, bytes, text: null, width, height, thumbnail: null, created_at: at });
  store.files.addToPage({ slug, sha256, name, alt: null, added_by: actor, added_at: at });
  recordAudit(store, { actor, action: 'file.attached', target: slug, client: 'seed', at, details: { sha256, name, size: bytes.length, type } });
  return fileUrl(slug, sha256, name);
}
