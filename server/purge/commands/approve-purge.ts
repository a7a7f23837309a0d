import type { CommandContext } from '../../core/context.js';
import type { PurgeRow } from '../../store/purges.js';
import { recordAudit } from '../../audit/log.js';
import { canonicalJson, DIGESTED_FIELDS, fieldDigests, sha256, type FieldDigests } from '../../core/hash.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../core/errors.js';
import { sealVersionDigests } from '../seal.js';
import { fileAware, type PurgeAppliedDetails, type PurgeCopies, purgeView, type PurgeView, REMOVED_MARKER, replaceStrings, withoutText } from './shared.js';

export interface ApprovePurgeInput {
  id: number;
}

/**
 * Second half: a different admin, whose password the route has just checked, approves. The text is
 * replaced by the marker in the version (the digests its hash seals stay as they were), in everyone's
 * drafts of the page, and forgotten by the request; exports made since the version are named as copies
 * to destroy. One transaction, one audit event.
 */
export function approvePurge(ctx: CommandContext, input: ApprovePurgeInput): { purge: PurgeView; slug: string; current: boolean } {
  const { id } = input;
  const pending = ctx.store.purges.get(id);
  if (!pending) throw new NotFoundError(`There is no purge request ${id}.`);
  if (pending.status !== 'awaiting approval') throw new ValidationError([{ field: 'id', message: `Purge request ${id} is already ${pending.status}.` }], 'conflict');
  if (pending.requested_by.toLowerCase() === ctx.actor.username.toLowerCase()) {
    throw new ForbiddenError(`You requested purge ${id}, so you cannot approve it: removing text from the record takes a second admin.`);
  }
  const at = (ctx.at ?? new Date()).toISOString();
  const result = ctx.store.purges.scrubbing(() =>
    ctx.store.transaction(() => {
      // A version imported in the old form since the last start has no digests yet: they are sealed first.
      sealVersionDigests(ctx.store, new Date(at));
      const row: PurgeRow = ctx.store.purges.get(id)!;
      if (row.file !== null) return applyFilePurge(ctx, row, at);
      if (row.status !== 'awaiting approval' || row.pending_text === null) throw new ValidationError([{ field: 'id', message: `Purge request ${id} is already ${row.status}.` }], 'conflict');
      const text = row.pending_text;
      const version = ctx.store.pages.version(row.page_id, row.version)!;
      const head = ctx.store.pages.head(ctx.store.purges.slugOf(row.page_id)!)!;
      if (!version.digests) throw new Error(`version ${row.version} of "${head.slug}" has no sealed digests`);
      const sealed = JSON.parse(version.digests) as FieldDigests;
      const purged = withoutText(version, text);
      const now = fieldDigests(purged);
      const fields: PurgeAppliedDetails['fields'] = {};
      for (const f of DIGESTED_FIELDS) {
        // A field purged before keeps its first sealed digest as "before": that is what the hash covers.
        if (now[f] !== fieldDigests(version)[f]) fields[f] = { before: sealed[f], after: now[f] };
      }
      const copies: PurgeCopies = {
        exports: ctx.store.purges.exportsSince(version.created_at).map((e) => ({ event: e.id, at: e.at, actor: e.actor, what: String((JSON.parse(e.details) as { format?: unknown }).format ?? e.target ?? 'export') })),
        backups_since: version.created_at,
      };
      ctx.store.purges.markApplied({ id, approved_by: ctx.actor.username, approved_at: at, copies: JSON.stringify(copies) });
      ctx.store.purges.replaceContent({ page_id: row.page_id, version: row.version, ...purged });
      const current = head.current_version === row.version;
      if (current) {
        // The lists show the current title and module from the head: they lose the text too.
        const fm = JSON.parse(purged.front_matter) as { title: string; module?: string };
        ctx.store.pages.updateHead({ id: head.id, current_version: head.current_version, title: fm.title, system: head.system, module: fm.module ?? null, status: head.status, archived: head.archived, updated_at: head.updated_at, updated_by: head.updated_by });
      }
      // Drafts of the page hold the text as typed: it goes from them as well.
      for (const d of ctx.store.purges.draftsOf(head.slug)) {
        if (d.fields.includes(JSON.stringify(text).slice(1, -1)) || d.fields.includes(text)) {
          ctx.store.purges.setDraftFields(d.username, d.slug, JSON.stringify(replaceStrings(JSON.parse(d.fields), text)));
        }
      }
      // The events of the page's writes repeat its summaries: the text goes from them too. Each keeps its
      // hash; this purge's event records it with the digest of the new details, for verify.
      const auditEvents: PurgeAppliedDetails['audit_events'] = [];
      const targets = [head.slug, ...ctx.store.renames.earlierSlugs(head.id)];
      for (const e of ctx.store.purges.eventsContaining(targets, JSON.stringify(text).slice(1, -1))) {
        const details = canonicalJson(replaceStrings(JSON.parse(e.details), text));
        if (details === e.details) continue;
        ctx.store.purges.replaceEventDetails(e.id, id, details);
        auditEvents.push({ event: e.id, hash: e.hash, details: sha256(details) });
      }
      // What the notifications and webhooks derived from those events repeat goes too: the inbox, mails
      // still queued and deliveries still pending would otherwise carry the text on.
      ctx.store.notifications.replaceText(targets, text, REMOVED_MARKER);
      ctx.store.integrations.replaceText(targets, JSON.stringify(text).slice(1, -1), JSON.stringify(REMOVED_MARKER).slice(1, -1));
      const details: PurgeAppliedDetails = { purge: id, page_id: row.page_id, version: row.version, fields, requested_by: row.requested_by, reason: row.reason, ...(auditEvents.length ? { audit_events: auditEvents } : {}) };
      recordAudit(ctx.store, { actor: ctx.actor.username, action: 'purge.applied', target: head.slug, client: ctx.client, at, details: { ...details, copies_to_destroy: copies.exports.length } });
      return { slug: head.slug, current };
    }),
  );
  const view = fileAware(ctx, purgeView(ctx.store.purges.listed(id)!));
  return { purge: view, ...result };
}

/**
 * Applies an approved purge of an attachment, inside approvePurge's scrubbing transaction: the file's
 * bytes, thumbnail and extracted text go from the store (for every page that shows it: files are stored
 * once), its digest stays, so every version that shows it still verifies.
 */
function applyFilePurge(ctx: CommandContext, row: PurgeRow, at: string): { slug: string; current: boolean } {
  if (row.status !== 'awaiting approval') throw new ValidationError([{ field: 'id', message: `Purge request ${row.id} is already ${row.status}.` }], 'conflict');
  const file = row.file!;
  const version = ctx.store.pages.version(row.page_id, row.version)!;
  const head = ctx.store.pages.head(ctx.store.purges.slugOf(row.page_id)!)!;
  const copies: PurgeCopies = {
    exports: ctx.store.purges.exportsSince(ctx.store.files.meta(file)?.created_at ?? version.created_at).map((e) => ({ event: e.id, at: e.at, actor: e.actor, what: String((JSON.parse(e.details) as { format?: unknown }).format ?? e.target ?? 'export') })),
    backups_since: ctx.store.files.meta(file)?.created_at ?? version.created_at,
  };
  ctx.store.purges.markApplied({ id: row.id, approved_by: ctx.actor.username, approved_at: at, copies: JSON.stringify(copies) });
  ctx.store.files.purge(file, row.id);
  const pages = ctx.store.files.pagesWith(file);
  const details: PurgeAppliedDetails = { purge: row.id, page_id: row.page_id, version: row.version, fields: {}, requested_by: row.requested_by, reason: row.reason, file };
  recordAudit(ctx.store, { actor: ctx.actor.username, action: 'purge.applied', target: head.slug, client: ctx.client, at, details: { ...details, pages, copies_to_destroy: copies.exports.length } });
  return { slug: head.slug, current: head.current_version === row.version };
}
