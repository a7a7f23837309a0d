import fs from 'node:fs';
import path from 'node:path';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify as verifySignature } from 'node:crypto';
import type { Store } from '../store/index.js';
import { canonicalJson, chainHash, versionRecord } from '../core/hash.js';
import { verifySignatures } from './signatures.js';

/** The first link that does not hold: which table and row, what its hash should be and what is stored. */
export interface ChainBreak {
  table: 'page_versions' | 'audit_events' | 'files' | 'signatures';
  id: string;
  expected: string;
  found: string;
  reason: string;
}

export interface VerifyReport {
  pages: number;
  versions: number;
  events: number;
  /** Stored files whose bytes were checked against their digest. */
  files?: number;
  /** Signatures checked against their own hash, their audit event and the version they sign. */
  signatures?: number;
  head: { hash: string | null; count: number };
  break: ChainBreak | null;
}

/**
 * Walks every page's version chain and the audit chain, recomputing each hash from the row's content
 * and the hash before it. Stops at the first break, since everything after it is suspect.
 */
export function verifyStore(store: Store): VerifyReport {
  let versions = 0;
  const pages = new Set<number>();
  let prevPage = -1;
  let prev: string | null = null;
  let expectedVersion = 1;
  for (const row of store.pages.allVersions()) {
    if (row.page_id !== prevPage) {
      prevPage = row.page_id;
      prev = null;
      expectedVersion = 1;
      pages.add(row.page_id);
    }
    versions++;
    const id = `${row.slug} v${row.version}`;
    if (row.version !== expectedVersion) {
      return report(pages.size, versions, 0, null, 0, { table: 'page_versions', id, expected: `version ${expectedVersion}`, found: `version ${row.version}`, reason: `version ${expectedVersion} of "${row.slug}" is missing` });
    }
    if (row.prev_hash !== prev) {
      return report(pages.size, versions, 0, null, 0, { table: 'page_versions', id, expected: prev ?? '(none)', found: row.prev_hash ?? '(none)', reason: 'previous-hash link does not match the version before' });
    }
    const expected = chainHash(prev, versionRecord(row));
    if (row.hash !== expected) {
      return report(pages.size, versions, 0, null, 0, { table: 'page_versions', id, expected, found: row.hash, reason: 'content does not match its hash' });
    }
    // A version seals the digests of the files it shows: each must still be stored.
    for (const sha of row.files ? (JSON.parse(row.files) as string[]) : []) {
      if (!store.files.meta(sha)) {
        return report(pages.size, versions, 0, null, 0, { table: 'files', id: `${sha} (in ${id})`, expected: 'a stored file', found: '(missing)', reason: `a file that ${id} shows is no longer stored` });
      }
    }
    prev = row.hash;
    expectedVersion++;
  }

  let files = 0;
  for (const file of store.files.all()) {
    files++;
    const actual = createHash('sha256').update(file.bytes).digest('hex');
    if (actual !== file.sha256 || file.bytes.length !== file.size) {
      return report(pages.size, versions, 0, null, 0, { table: 'files', id: file.sha256, expected: file.sha256, found: actual, reason: 'the stored bytes do not match their digest (the file was altered)' }, files);
    }
  }

  let events = 0;
  let last: string | null = null;
  for (const row of store.audit.all()) {
    events++;
    const { id, hash, prev_hash, details, ...rest } = row;
    if (prev_hash !== last) {
      return report(pages.size, versions, events, last, events - 1, { table: 'audit_events', id: String(id), expected: last ?? '(none)', found: prev_hash ?? '(none)', reason: 'previous-hash link does not match the event before (an event was removed, inserted or moved)' });
    }
    const expected = chainHash(last, { ...rest, details: JSON.parse(details) as unknown });
    if (hash !== expected) {
      return report(pages.size, versions, events, last, events - 1, { table: 'audit_events', id: String(id), expected, found: hash, reason: 'content does not match its hash' });
    }
    last = hash;
  }
  const signed = verifySignatures(store);
  if (signed.break) return { ...report(pages.size, versions, events, last, events, { table: 'signatures', ...signed.break }, files), signatures: signed.count };
  return { ...report(pages.size, versions, events, last, events, null, files), signatures: signed.count };
}

function report(pages: number, versions: number, events: number, hash: string | null, count: number, brk: ChainBreak | null, files = 0): VerifyReport {
  return { pages, versions, events, files, head: { hash, count }, break: brk };
}

export function describeReport(r: VerifyReport): string[] {
  if (r.break) {
    const where = r.break.table === 'page_versions' ? `${r.versions} versions in ${r.pages} pages` : `all ${r.versions} versions and ${r.events} audit events`;
    return [`Stopped at the first break, after checking ${where}.`, `BROKEN: ${r.break.table} ${r.break.id}: ${r.break.reason}.`, `  expected ${r.break.expected}`, `  found    ${r.break.found}`];
  }
  return [
    `Checked ${r.pages} pages with ${r.versions} versions${r.files ? `, ${r.files} files` : ''}${r.signatures ? `, ${r.signatures} signatures` : ''} and ${r.events} audit events.`,
    `Every hash link holds. Audit head: ${r.head.hash ?? '(empty)'} after ${r.head.count} events.`,
  ];
}

/** A signed statement of the audit chain's head, to be kept off the server. */
export interface Anchor {
  hash: string | null;
  count: number;
  at: string;
  signature: string;
}

/** Loads the Ed25519 signing key, creating it (readable by its owner only) on first use. */
export function anchorKey(file: string): { privateKey: ReturnType<typeof createPrivateKey>; publicKey: ReturnType<typeof createPublicKey>; created: boolean } {
  let created = false;
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    created = true;
  }
  const privateKey = createPrivateKey(fs.readFileSync(file));
  return { privateKey, publicKey: createPublicKey(privateKey), created };
}

export function makeAnchor(store: Store, keyFile: string): Anchor {
  const r = verifyStore(store);
  if (r.break) throw new Error(`The store does not verify, so it cannot be anchored: ${describeReport(r).slice(1).join(' ')}`);
  const statement = { hash: r.head.hash, count: r.head.count, at: new Date().toISOString() };
  const signature = sign(null, Buffer.from(canonicalJson(statement)), anchorKey(keyFile).privateKey).toString('base64');
  return { ...statement, signature };
}

/**
 * Proves that the audit log still extends an earlier anchored head: the anchor's signature is ours, and
 * the event at the anchored position still has the anchored hash. A chain recomputed or truncated by
 * someone with write access to the database fails here even though it verifies on its own.
 */
export function checkAnchor(store: Store, anchor: Anchor, keyFile: string): string | null {
  const { publicKey } = anchorKey(keyFile);
  const statement = { hash: anchor.hash, count: anchor.count, at: anchor.at };
  const ok = typeof anchor.signature === 'string' && verifySignature(null, Buffer.from(canonicalJson(statement)), publicKey, Buffer.from(anchor.signature, 'base64'));
  if (!ok) return 'The anchor is not signed by this installation\'s anchor key (or it was edited).';
  const events = store.audit.all();
  if (events.length < anchor.count) return `The audit log has ${events.length} events but the anchor of ${anchor.at} covered ${anchor.count}: it was truncated.`;
  const atAnchor = anchor.count === 0 ? null : events[anchor.count - 1]!.hash;
  if (atAnchor !== anchor.hash) {
    return `Audit event ${anchor.count} (id ${events[anchor.count - 1]?.id}) has hash ${atAnchor} but the anchor of ${anchor.at} recorded ${anchor.hash}: the chain was rewritten.`;
  }
  return null;
}
