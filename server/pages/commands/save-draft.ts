import type { CommandContext } from '../../core/context.js';
import { PayloadTooLargeError, ValidationError } from '../../core/errors.js';
import type { DraftRow } from '../../store/writing.js';
import { PhiRefused } from '../../phi/guard.js';
import { DRAFT_FIELDS, draftTarget, toDraft, type Draft } from '../drafts.js';

export interface SaveDraftInput {
  /** The page's slug, or a new page's `new-` key. */
  slug: string;
  baseVersion?: number | null;
  fields: Record<string, string>;
}

/**
 * Keeps the person's draft, replacing their earlier one. Refused, and not stored, when it holds what looks
 * like patient information: the editor says so beside the fields, and the text stays in the form.
 */
export function saveDraft(ctx: CommandContext, input: SaveDraftInput): Draft {
  const { slug } = input;
  const target = draftTarget(ctx, slug);
  const errors: { field: string; message: string }[] = [];
  const unknown = Object.keys(input.fields).filter((f) => !DRAFT_FIELDS.includes(f));
  if (unknown.length) errors.push({ field: 'fields', message: `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. A draft keeps the page form's fields.` });
  const base = input.baseVersion ?? null;
  if (!target.isNew && (base === null || !Number.isInteger(base) || base < 1 || base > (target.currentVersion ?? 0))) {
    errors.push({ field: 'base_version', message: `base_version must be the version the edit started from (1 to ${target.currentVersion}).` });
  }
  if (target.isNew && base !== null) errors.push({ field: 'base_version', message: 'A new page has no versions yet: leave base_version out.' });
  if (errors.length) throw new ValidationError(errors);
  const fields: Record<string, string> = {};
  for (const f of DRAFT_FIELDS) if (typeof input.fields[f] === 'string') fields[f] = input.fields[f]!.replace(/\r\n/g, '\n');
  if (Buffer.byteLength(fields.body ?? '', 'utf8') > ctx.maxBodyBytes) {
    throw new PayloadTooLargeError(`The draft's body is larger than the page limit of ${Math.floor(ctx.maxBodyBytes / 1024)} KiB; split it into several pages.`);
  }
  if (ctx.phi) {
    const hits = ctx.phi.scan(fields);
    if (hits.length > 0) throw new PhiRefused(hits);
  }
  const row: DraftRow = { username: ctx.actor.username, slug, base_version: target.isNew ? null : base, fields: JSON.stringify(fields), updated_at: (ctx.at ?? new Date()).toISOString() };
  ctx.store.drafts.put(row);
  return toDraft(row, target.isNew);
}
