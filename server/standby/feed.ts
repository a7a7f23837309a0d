import { createHash } from 'node:crypto';
import type { Store } from '../store/index.js';
import { FEED_TABLES, type FeedRead, type FeedRow } from '../store/feed.js';
import { chainHash, versionRecord } from '../core/hash.js';
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
  table: 'page_versions' | 'audit_events' | 'files';
  at: string;
  reason: string;
}

const str = (v: FeedRow[string] | undefined) => (typeof v === 'string' ? v : v === null || v === undefined ? null : String(v));

/**
 * Recomputes every hash a batch carries against what this store already holds: each audit event must
 * extend the audit chain, each version its page's chain, and each file's bytes must match its digest.
 */
export function verifyBatch(store: Store, batch: Pick<FeedRead, 'append'>): FeedBreak | null {
  let last = store.feed.lastAuditHash();
  for (const e of batch.append.audit_events ?? []) {
    const at = `audit event ${e.id}`;
    if (str(e.prev_hash) !== last) return { table: 'audit_events', at, reason: 'its previous-hash link does not match the event before (an event was removed, inserted or moved)' };
    let details: unknown;
    try {
      details = JSON.parse(String(e.details));
    } catch {
      return { table: 'audit_events', at, reason: 'its details are not JSON' };
    }
    const expected = chainHash(last, { at: str(e.at), actor: str(e.actor), action: str(e.action), target: str(e.target), client: str(e.client), details });
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
      record = versionRecord({
        slug: String(v.slug), version, front_matter: String(v.front_matter), body: String(v.body), summary: String(v.summary),
        author: String(v.author), created_at: String(v.created_at), archived: Number(v.archived ?? 0), files: str(v.files),
        record_form: Number(v.record_form ?? 1),
      });
    } catch {
      return { table: 'page_versions', at, reason: 'its front matter or file list is not JSON' };
    }
    const expected = chainHash(prev, record);
    if (v.hash !== expected) return { table: 'page_versions', at, reason: 'its content does not match its hash' };
    heads.set(`${pageId}:${version}`, expected);
  }
  for (const f of batch.append.files ?? []) {
    const bytes = f.bytes;
    const digest = bytes !== null && typeof bytes === 'object' ? createHash('sha256').update(Buffer.from(bytes.base64, 'base64')).digest('hex') : '(no bytes)';
    if (digest !== f.sha256) return { table: 'files', at: `file ${str(f.sha256)}`, reason: 'its bytes do not match their digest' };
  }
  return null;
}

export function describeBreak(b: FeedBreak): string {
  return `The primary's history does not verify at ${b.at} (${b.table}): ${b.reason}. The standby stopped applying there; it keeps serving what it verified before.`;
}
