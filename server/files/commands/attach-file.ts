import { recordAudit } from '../../audit/log.js';
import { canSee } from '../../auth/visibility.js';
import { NotFoundError } from '../../core/errors.js';
import { FileRefused, cleanFileName } from '../policy.js';
import { inspectFile } from '../inspect.js';
import { fileUrl } from '../refs.js';
import { refuseOverrideUnlessAdmin } from '../../core/permissions.js';
import { type AttachContext, type AttachedFile, FilePhiRefused } from './shared.js';

export interface AttachInput {
  /** The page the file belongs to; it need not exist yet. */
  slug: string;
  name: string;
  bytes: Buffer;
  alt?: string;
}

/**
 * Adds a file to a page: reads what it is and what it says, lets the PHI guard read that, then stores
 * the bytes once (by digest) and records the upload as an audit event. Nothing is stored when anything
 * fails. The page need not exist yet: a new page's screenshots are added before its first save.
 */
export async function attachFile(ctx: AttachContext, input: AttachInput): Promise<AttachedFile> {
  const { slug } = input;
  refuseOverrideUnlessAdmin(ctx);
  const head = ctx.store.pages.head(slug);
  if (head?.restricted_to && ctx.actor.viewer && !canSee(JSON.parse(head.restricted_to) as string[], ctx.actor.viewer)) {
    throw new NotFoundError(`There is no page "${slug}".`);
  }
  const alt = (input.alt ?? '').trim();
  if (alt.length > 300) throw new FileRefused('The description (alt text) must be at most 300 characters.', 'invalid', 'alt');
  cleanFileName(input.name);
  const file = await inspectFile(input.name, input.bytes, ctx.limits);
  if (ctx.phi) {
    const hits = ctx.phi.scan({ file: file.text, file_name: file.name, alt });
    ctx.lastPhiHits = hits;
    if (hits.length > 0 && !ctx.phiOverride) {
      const findings = hits.map((h) => ({ kind: h.kind, line: h.line, excerpt: h.excerpt, ...(h.field === 'file' && file.lines?.[h.line - 1] ? { box: file.lines[h.line - 1]!.box } : {}) }));
      throw new FilePhiRefused(findings, hits);
    }
  }
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => {
    ctx.store.files.put({ sha256: file.sha256, size: file.size, type: file.accepted.type, bytes: file.bytes, text: file.text || null, width: file.width, height: file.height, thumbnail: file.thumbnail, created_at: at });
    ctx.store.files.addToPage({ slug, sha256: file.sha256, name: file.name, alt: alt || null, added_by: ctx.actor.username, added_at: at });
    const override = ctx.phiOverride && ctx.lastPhiHits?.length ? { phi_override: { reason: ctx.phiOverride.reason, kinds: [...new Set(ctx.lastPhiHits.map((h) => h.kind))] } } : {};
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'file.attached', target: slug, client: ctx.client, at, details: { sha256: file.sha256, name: file.name, size: file.size, type: file.accepted.type, ...override } });
  });
  ctx.events?.emit('page-files-changed', { slug });
  return { name: file.name, url: fileUrl(slug, file.sha256, file.name), sha256: file.sha256, size: file.size, type: file.accepted.type };
}
