import { createHash } from 'node:crypto';
import type { Store } from '../store/index.js';
import { FEED_TABLES, type FeedRead, type FeedRow } from '../store/feed.js';
import { chainHash, digestRecord, sha256, versionRecord } from '../core/hash.js';
import { digestsToCheck, type PurgeEvent } from '../audit/verify.js';
import { InvalidError } from '../core/errors.js';

/** One pull of the feed: what lies after the cursor sent, and the cursor to send next. */
export interface FeedBatch extends FeedRead {
  cursor: string;
}

/** Rows per append table in one batch: large enough to catch up fast, small enough to answer in a moment. */
export const FEED_LIMIT = 500;

const APPEND = FEED_TABLES.filter((t) => t.kind === 'append').map((t) => t.name);

/** "audit_events:12,page_versions:40": how far a copy reaches in each append-only table. */
export function formatCursor(cursor: Record<string, number>): string {
  return APPEND.map((t) => `${t}:${cursor[t] ?? 0}`).join(',');
}

export function parseCursor(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!text) return out;
  for (const part of text.split(',')) {
    const m = /^([a-z_]+):(\d{1,15})$/.exec(part);
    if (!m || !APPEND.includes(m[1]!)) {
      throw new InvalidError(`The cursor "${part.slice(0, 80)}" is not one this server gives out: send the "cursor" of the previous answer, or nothing to start from the beginning.`);
    }
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

export function readFeed(store: Store, after: string | undefined, limit = FEED_LIMIT): FeedBatch {
  const cursor = parseCursor(after);
  const read = store.feed.read(cursor, limit);
  const next: Record<string, number> = { ...cursor };
  for (const [table, rows] of Object.entries(read.append)) {
    const last = rows[rows.length - 1];
    if (last) next[table] = Number(last._rowid);
  }
  return { ...read, cursor: formatCursor(next) };
}

/** Where an incoming batch stops verifying: the table, the row ("slug v3", "audit event 41") and why. */
export interface FeedBreak {
  table: 'page_versions' | 'audit_events' | 'files' | 'page_purges' | 'comments';
  at: string;
  reason: string;
}

const str = (v: FeedRow[string] | undefined) => (typeof v === 'string' ? v : v === null || v === undefined ? null : String(v));

/**
 * Recomputes every hash a batch carries against what this store already holds: each audit event must
 * extend the audit chain, each version its page's chain, and each file's bytes must match its digest.
 */
type HeldPurge = PurgeEvent & { id: number };

function parsePurge(e: { id: number; actor: string; at: string; details: string }): HeldPurge | null {
  try {
    return { id: e.id, actor: e.actor, at: e.at, details: JSON.parse(e.details) as PurgeEvent['details'] };
  } catch {
    return null;
  }
}

/** The purge events held here and carried by the batch, oldest first: what vouches for rewritten rows. */
function purgeEventsOf(store: Store, batch: Pick<FeedRead, 'append' | 'changes'>): HeldPurge[] {
  const out: HeldPurge[] = [];
  for (const e of store.feed.purgeEvents()) {
    const p = parsePurge(e);
    if (p) out.push(p);
  }
  for (const e of [...(batch.append.audit_events ?? []), ...(batch.changes?.vouchers ?? [])]) {
    if (e.action !== 'purge.applied') continue;
    const p = parsePurge({ id: Number(e.id), actor: String(e.actor), at: String(e.at), details: String(e.details) });
    if (p) out.push(p);
  }
  return out.sort((a, b) => a.id - b.id);
}

/**
 * A voucher (a purge event beyond the batch that already rewrote rows in it) must be a purge event whose
 * hash matches its content; that it belongs to the chain is checked when it arrives (`pendingVouchers`).
 */
function voucherProblem(v: FeedRow, lastInBatch: number): string | null {
  if (v.action !== 'purge.applied' || Number(v.id) <= lastInBatch) return 'it is not a purge event later than the batch';
  let details: unknown;
  try {
    details = JSON.parse(String(v.details));
  } catch {
    return 'its details are not JSON';
  }
  const expected = chainHash(str(v.prev_hash), { at: str(v.at), actor: str(v.actor), action: str(v.action), target: str(v.target), client: str(v.client), details });
  return v.hash === expected ? null : 'its content does not match its hash';
}

/** The last purge that rewrote an audit event's details: the one whose record of it counts. */
function lastScrubber(purges: HeldPurge[], eventId: number): { hash: string; details: string } | undefined {
  let found: { hash: string; details: string } | undefined;
  for (const p of purges) {
    if (p.id <= eventId) continue;
    const e = p.details.audit_events?.find((a) => a.event === eventId);
    if (e) found = e;
  }
  return found;
}

export function verifyBatch(store: Store, batch: Pick<FeedRead, 'append' | 'changes'>): FeedBreak | null {
  const events = batch.append.audit_events ?? [];
  const lastInBatch = events.length ? Number(events[events.length - 1]!.id) : 0;
  for (const v of batch.changes?.vouchers ?? []) {
    const problem = voucherProblem(v, lastInBatch);
    if (problem) return { table: 'audit_events', at: `audit event ${str(v.id)} (sent ahead to vouch for a purge)`, reason: problem };
  }
  const vouched = store.feed.pendingVouchers();
  const purges = purgeEventsOf(store, batch);
  const ofVersion = (pageId: number, version: number) => purges.filter((p) => !p.details.file && p.details.page_id === pageId && p.details.version === version);
  let last = store.feed.lastAuditHash();
  for (const e of batch.append.audit_events ?? []) {
    const at = `audit event ${e.id}`;
    if (str(e.prev_hash) !== last) return { table: 'audit_events', at, reason: 'its previous-hash link does not match the event before (an event was removed, inserted or moved)' };
    if (vouched[String(e.id)] !== undefined && vouched[String(e.id)] !== e.hash) return { table: 'audit_events', at, reason: 'it is not the purge event sent ahead earlier to vouch for rows already applied' };
    let details: unknown;
    try {
      details = JSON.parse(String(e.details));
    } catch {
      return { table: 'audit_events', at, reason: 'its details are not JSON' };
    }
    // An event a later purge of this batch removed text from keeps its hash; that purge's event vouches for its new details.
    const scrubbed = lastScrubber(purges, Number(e.id));
    const expected = scrubbed && scrubbed.hash === e.hash && scrubbed.details === sha256(String(e.details))
      ? scrubbed.hash
      : chainHash(last, { at: str(e.at), actor: str(e.actor), action: str(e.action), target: str(e.target), client: str(e.client), details });
    if (e.hash !== expected) return { table: 'audit_events', at, reason: 'its content does not match its hash' };
    last = expected;
  }
  const heads = new Map<string, string>();
  for (const v of batch.append.page_versions ?? []) {
    const pageId = Number(v.page_id);
    const version = Number(v.version);
    const at = `${str(v.slug)} v${version}`;
    const prev = version === 1 ? null : (heads.get(`${pageId}:${version - 1}`) ?? store.feed.versionHash(pageId, version - 1));
    if (version > 1 && prev === null) return { table: 'page_versions', at, reason: `version ${version - 1} of the page never arrived` };
    if (str(v.prev_hash) !== prev) return { table: 'page_versions', at, reason: 'its previous-hash link does not match the version before' };
    let record: Record<string, unknown>;
    try {
      const row = {
        slug: String(v.slug), version, front_matter: String(v.front_matter), body: String(v.body), summary: String(v.summary),
        author: String(v.author), created_at: String(v.created_at), archived: Number(v.archived ?? 0), files: str(v.files),
        record_form: Number(v.record_form ?? 1), digests: str(v.digests),
      };
      // A purged version of form 2 is checked as verify checks it: against the digests it sealed, each purged
      // field against what its last purge left there.
      const purged = row.record_form === 2 ? ofVersion(pageId, version) : [];
      if (purged.length) {
        const checked = digestsToCheck(row, purged);
        if ('problem' in checked) return { table: 'page_versions', at, reason: checked.problem };
        record = digestRecord(row, checked.digests);
      } else {
        record = versionRecord(row);
      }
    } catch {
      return { table: 'page_versions', at, reason: 'its front matter or file list is not JSON' };
    }
    const expected = chainHash(prev, record);
    if (v.hash !== expected) return { table: 'page_versions', at, reason: 'its content does not match its hash' };
    heads.set(`${pageId}:${version}`, expected);
  }
  for (const f of batch.append.files ?? []) {
    const bytes = f.bytes;
    // A file a purge emptied: the purge's event must name this file and the purge the row points at.
    if (f.purged_by !== null && f.purged_by !== undefined && bytes !== null && typeof bytes === 'object' && bytes.base64 === '') {
      if (purges.some((p) => p.details.file === f.sha256 && p.details.purge === Number(f.purged_by))) continue;
      return { table: 'files', at: `file ${str(f.sha256)}`, reason: 'its bytes were removed without a purge event that names it' };
    }
    const digest = bytes !== null && typeof bytes === 'object' ? createHash('sha256').update(Buffer.from(bytes.base64, 'base64')).digest('hex') : '(no bytes)';
    if (digest !== f.sha256) return { table: 'files', at: `file ${str(f.sha256)}`, reason: 'its bytes do not match their digest' };
  }
  return verifyChanges(store, batch, purges);
}

/** Checks each in-place change the batch carries against the hash-chained event that made it. */
function verifyChanges(store: Store, batch: Pick<FeedRead, 'append' | 'changes'>, purges: HeldPurge[]): FeedBreak | null {
  const changes = batch.changes;
  if (!changes) return null;
  const inBatch = new Map(purges.filter((p) => (batch.append.audit_events ?? []).some((e) => Number(e.id) === p.id)).map((p) => [p.details.purge, p]));
  for (const row of changes.purges) {
    const at = `purge ${str(row.id)}`;
    const event = inBatch.get(Number(row.id));
    if (!event) return { table: 'page_purges', at, reason: 'no purge.applied event of this batch records it' };
    const d = event.details;
    if (row.status !== 'applied' || row.pending_text !== null || Number(row.page_id) !== d.page_id || Number(row.version) !== d.version || str(row.file) !== (d.file ?? null) || row.requested_by !== d.requested_by || row.reason !== d.reason || row.approved_by !== event.actor) {
      return { table: 'page_purges', at, reason: 'it does not match the purge.applied event that records it' };
    }
  }
  for (const row of changes.purgedEvents) {
    const vouched = purges.some((p) => p.details.purge === Number(row.purge_id) && p.details.audit_events?.some((a) => a.event === Number(row.event_id)));
    if (!vouched) return { table: 'page_purges', at: `audit event ${str(row.event_id)}`, reason: 'no purge.applied event names it as rewritten by that purge' };
  }
  for (const c of changes.contents) {
    const at = `page ${c.page_id} v${c.version}`;
    const held = store.feed.heldVersion(c.page_id, c.version);
    const events = purges.filter((p) => !p.details.file && p.details.page_id === c.page_id && p.details.version === c.version);
    if (!held || events.length === 0) return { table: 'page_versions', at, reason: 'new content was sent for a version no purge event names' };
    if (!held.digests) return { table: 'page_versions', at, reason: 'the version was purged but this standby holds no sealed digests for it (copy a fresh backup of the primary)' };
    const checked = digestsToCheck({ ...held, ...c }, events);
    if ('problem' in checked) return { table: 'page_versions', at, reason: checked.problem };
  }
  for (const d of changes.details) {
    const scrubbed = lastScrubber(purges, d.id);
    if (!scrubbed || scrubbed.hash !== store.feed.heldEventHash(d.id) || scrubbed.details !== sha256(d.details)) {
      return { table: 'audit_events', at: `audit event ${d.id}`, reason: 'its new details are not the ones its purge event records' };
    }
  }
  for (const c of changes.comments) {
    const problem = commentProblem(store, batch, c);
    if (problem) return { table: 'comments', at: `comment ${str(c.id)}`, reason: problem };
  }
  return null;
}

/** Why a comment row does not match the events about it (held here or in the batch), or null when it does. */
function commentProblem(store: Store, batch: Pick<FeedRead, 'append'>, c: FeedRow): string | null {
  const id = Number(c.id);
  const parse = (details: string): Record<string, unknown> => {
    try {
      return JSON.parse(details) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  const events = [
    ...store.feed.commentEvents(id).map((e) => ({ ...e, details: parse(e.details) })),
    ...(batch.append.audit_events ?? [])
      .filter((e) => String(e.action).startsWith('comment.'))
      .map((e) => ({ id: Number(e.id), action: String(e.action), actor: String(e.actor), at: String(e.at), details: parse(String(e.details)) }))
      .filter((e) => e.details.comment_id === id),
  ];
  const created = events.find((e) => e.action === 'comment.created');
  if (!created) return 'no comment.created event records it';
  const d = created.details;
  if (c.author !== created.actor || c.kind !== d.kind || Number(c.version) !== d.version || c.created_at !== created.at || (c.thread_id ?? null) !== (d.reply_to ?? null)) {
    return 'it does not match the comment.created event that records it';
  }
  // Events written before comments carried their digest vouch for everything but the text.
  if (typeof d.body_sha256 === 'string' && d.body_sha256 !== sha256(String(c.body))) return 'its text does not match the digest its comment.created event holds';
  const mark = events.filter((e) => e.action === 'comment.resolved' || e.action === 'comment.reopened').at(-1);
  const resolved = mark?.action === 'comment.resolved';
  if (resolved ? c.resolved_at !== mark.at || c.resolved_by !== mark.actor : c.resolved_at !== null || c.resolved_by !== null) {
    return 'its resolved mark does not match the last event that resolved or reopened it';
  }
  return null;
}

export function describeBreak(b: FeedBreak): string {
  return `The primary's history does not verify at ${b.at} (${b.table}): ${b.reason}. The standby stopped applying there; it keeps serving what it verified before.`;
}
