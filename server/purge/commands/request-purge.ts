import { randomBytes } from 'node:crypto';
import type { CommandContext } from '../../core/context.js';
import { recordAudit } from '../../audit/log.js';
import { sha256 } from '../../core/hash.js';
import { ValidationError } from '../../core/errors.js';
import { refuseIfPhi } from '../../phi/guard.js';
import { fileAware, occurrences, PURGE_REASON_MAX, PURGE_TEXT_MAX, PURGE_TEXT_MIN, purgeView, type PurgeView, REMOVED_MARKER, versionFiles, versionOf } from './shared.js';

export interface PurgeRequestInput {
  slug: string;
  /** The version the text or file is in. */
  version: number;
  reason: string;
  /** The exact text to remove; or else `file`. */
  text?: string;
  /** The sha256 of an attachment the version shows, whose bytes to remove; or else `text`. */
  file?: string;
}

/**
 * First half of the two-person rule: an admin names text in one version and says why it must go. Nothing
 * changes yet. The text is kept with the request only until it is applied (the version holds it in clear
 * until then anyway); what lasts is a salted digest of it and where it occurs. The audit event holds
 * neither the text nor its digest.
 */
export function requestPurge(ctx: CommandContext, input: PurgeRequestInput): PurgeView {
  const { slug, version: n } = input;
  const hasText = typeof input.text === 'string' && input.text !== '';
  const hasFile = typeof input.file === 'string' && input.file !== '';
  if (hasText === hasFile) {
    throw new ValidationError([{ field: hasText ? 'file' : 'text', message: 'Name exactly one thing to remove: either "text" (the exact text) or "file" (the sha256 of one of the version\'s files), not both.' }]);
  }
  if (hasFile) return requestFilePurge(ctx, slug, n, input.reason, input.file!);
  const reason = (input.reason ?? '').trim();
  const text = typeof input.text === 'string' ? input.text.replace(/\r\n/g, '\n') : '';
  const errors = [];
  if (!reason) errors.push({ field: 'reason', message: 'Say why this text must be removed (for the record and the approving admin).' });
  else if (reason.length > PURGE_REASON_MAX) errors.push({ field: 'reason', message: `The reason must be at most ${PURGE_REASON_MAX} characters.` });
  if (text.trim().length < PURGE_TEXT_MIN) errors.push({ field: 'text', message: `Give the exact text to remove, at least ${PURGE_TEXT_MIN} characters, as it appears in the version.` });
  else if (text.length > PURGE_TEXT_MAX) errors.push({ field: 'text', message: `The text to remove must be at most ${PURGE_TEXT_MAX} characters; purge a long passage in parts.` });
  else if (text.includes(REMOVED_MARKER)) errors.push({ field: 'text', message: `The text to remove cannot contain the removal marker ${REMOVED_MARKER}.` });
  if (errors.length) throw new ValidationError(errors);
  // The reason is kept and shown on the page: it must not itself carry patient information.
  refuseIfPhi(ctx.phi, { reason });
  const { head, row } = versionOf(ctx, slug, n);
  const where = occurrences(row, text);
  if (Object.keys(where).length === 0) {
    throw new ValidationError([{ field: 'text', message: `That text does not occur in version ${n} of "${slug}" (the match is exact, including case and spaces). Nothing was requested.` }]);
  }
  const at = (ctx.at ?? new Date()).toISOString();
  const salt = randomBytes(16).toString('hex');
  const id = ctx.store.transaction(() => {
    const purgeId = ctx.store.purges.insert({
      page_id: head.id,
      version: n,
      reason,
      text_salt: salt,
      text_digest: sha256(salt + text),
      fields: JSON.stringify(where),
      pending_text: text,
      status: 'awaiting approval',
      requested_by: ctx.actor.username,
      requested_at: at,
    });
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'purge.requested', target: slug, client: ctx.client, at, details: { purge: purgeId, version: n, fields: where, reason } });
    return purgeId;
  });
  return purgeView(ctx.store.purges.listed(id)!);
}

/**
 * First half of purging an attachment: the file must be one the version shows. Its digest is public (it
 * is in the version record), so the request keeps it; nothing changes until a second admin approves.
 */
function requestFilePurge(ctx: CommandContext, slug: string, n: number, rawReason: string | undefined, rawFile: string): PurgeView {
  const reason = (rawReason ?? '').trim();
  const file = rawFile.trim().toLowerCase();
  const errors = [];
  if (!reason) errors.push({ field: 'reason', message: 'Say why this file must be removed (for the record and the approving admin).' });
  else if (reason.length > PURGE_REASON_MAX) errors.push({ field: 'reason', message: `The reason must be at most ${PURGE_REASON_MAX} characters.` });
  if (!/^[0-9a-f]{64}$/.test(file)) errors.push({ field: 'file', message: 'Give the file as its sha256 digest (64 hexadecimal characters), as the version lists it.' });
  if (errors.length) throw new ValidationError(errors);
  refuseIfPhi(ctx.phi, { reason });
  const { head, row } = versionOf(ctx, slug, n);
  if (!versionFiles(row).includes(file)) {
    throw new ValidationError([{ field: 'file', message: `Version ${n} of "${slug}" does not show the file ${file.slice(0, 12)}…; pick one of the files that version shows. Nothing was requested.` }]);
  }
  const meta = ctx.store.files.meta(file);
  if (meta?.purged_by) throw new ValidationError([{ field: 'file', message: `The file ${file.slice(0, 12)}… was already removed (purge ${meta.purged_by}).` }], 'conflict');
  const at = (ctx.at ?? new Date()).toISOString();
  const id = ctx.store.transaction(() => {
    const purgeId = ctx.store.purges.insert({
      page_id: head.id,
      version: n,
      reason,
      text_salt: '',
      text_digest: file,
      fields: '{}',
      pending_text: null,
      status: 'awaiting approval',
      requested_by: ctx.actor.username,
      requested_at: at,
      file,
    });
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'purge.requested', target: slug, client: ctx.client, at, details: { purge: purgeId, version: n, file, reason } });
    return purgeId;
  });
  return fileAware(ctx, purgeView(ctx.store.purges.listed(id)!));
}
