import fs from 'node:fs';
import path from 'node:path';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify as verifySignature } from 'node:crypto';
import type { Store } from '../store/index.js';
import { canonicalJson, chainHash, sha256, DIGESTED_FIELDS, digestRecord, frontMatterDigest, sealLine, versionRecord, type DigestedField, type FieldDigests } from '../core/hash.js';
import type { VersionRow } from '../store/pages.js';
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
  /** Versions text was purged from: the chain still holds through the digests sealed for them. */
  purges?: PurgeListed[];
  /** Files whose bytes a purge removed: versions still seal their digests. */
  filePurges?: FilePurgeListed[];
}

/** One purged attachment as verify lists it. */
export interface FilePurgeListed {
  sha256: string;
  slug: string;
  version: number;
  at: string;
  approved_by: string;
  requested_by: string;
  reason: string;
}

/** One applied purge as verify lists it. */
export interface PurgeListed {
  slug: string;
  version: number;
  fields: DigestedField[];
  at: string;
  approved_by: string;
  requested_by: string;
  reason: string;
}

export interface PurgeEvent {
  at: string;
  actor: string;
  details: { purge: number; page_id: number; version: number; fields: Partial<Record<DigestedField, { before: string; after: string }>>; requested_by: string; reason: string; audit_events?: { event: number; hash: string; details: string }[]; file?: string };
}

/** The purges and digest seals the audit log records; the audit chain walk below proves they are genuine. */
function purgeRecords(store: Store): { purges: Map<string, PurgeEvent[]>; filePurges: Map<string, PurgeEvent & { id: number }>; seals: Map<number, { versions: number; root: string }>; scrubbed: Map<number, { hash: string; details: string; by: number }> } {
  const purges = new Map<string, PurgeEvent[]>();
  const filePurges = new Map<string, PurgeEvent & { id: number }>();
  const scrubbed = new Map<number, { hash: string; details: string; by: number }>();
  const seals = new Map<number, { versions: number; root: string }>();
  // One pass over the log for both actions, in chain order.
  for (const row of store.audit.ofActions(['purge.applied', 'store.digests_sealed'])) {
    if (row.action === 'store.digests_sealed') {
      seals.set(row.id, JSON.parse(row.details) as { versions: number; root: string });
      continue;
    }
    const details = JSON.parse(row.details) as PurgeEvent['details'];
    // A purged attachment leaves the version's content as it was: it is checked with the files below.
    if (details.file) {
      if (!filePurges.has(details.file)) filePurges.set(details.file, { id: row.id, at: row.at, actor: row.actor, details });
      continue;
    }
    const key = `${details.page_id}:${details.version}`;
    purges.set(key, [...(purges.get(key) ?? []), { at: row.at, actor: row.actor, details }]);
    for (const e of details.audit_events ?? []) scrubbed.set(e.event, { hash: e.hash, details: e.details, by: row.id });
  }
  return { purges, filePurges, seals, scrubbed };
}

/**
 * Which digests a version's hash is checked with. Unpurged, they are computed from its content. Purged,
 * they are the digests sealed when it was written, and each purged field must hold exactly what its purge
 * left there (the digest the purge's audit event records), every other field exactly what was sealed.
 */
export function digestsToCheck(row: Pick<VersionRow, 'front_matter' | 'body' | 'summary' | 'digests'>, events: PurgeEvent[], digestOfFrontMatter: (text: string) => string = frontMatterDigest): { digests: FieldDigests } | { problem: string; expected: string; found: string } {
  const computed: FieldDigests = { front_matter: digestOfFrontMatter(row.front_matter), body: sha256(row.body), summary: sha256(row.summary) };
  if (events.length === 0) return { digests: computed };
  if (!row.digests) return { problem: 'the version was purged but has no sealed digests', expected: 'sealed digests', found: '(none)' };
  const sealed = JSON.parse(row.digests) as FieldDigests;
  for (const f of DIGESTED_FIELDS) {
    const touching = events.filter((e) => e.details.fields[f]);
    if (touching.length === 0) {
      if (computed[f] !== sealed[f]) return { problem: `its ${f} does not match the digest sealed for it`, expected: sealed[f], found: computed[f] };
      continue;
    }
    if (touching[0]!.details.fields[f]!.before !== sealed[f]) return { problem: `the purge of its ${f} does not start from the sealed digest`, expected: sealed[f], found: touching[0]!.details.fields[f]!.before };
    const after = touching[touching.length - 1]!.details.fields[f]!.after;
    if (computed[f] !== after) return { problem: `its ${f} changed after it was purged`, expected: after, found: computed[f] };
  }
  return { digests: sealed };
}

/**
 * `frontMatterDigest`, remembering the last text: most versions keep the front matter of
 * the version before, and its canonical JSON is the dearest step of the walk.
 */
function rememberingFrontMatterDigest(): (text: string) => string {
  let lastText: string | null = null;
  let lastDigest = '';
  return (text) => {
    if (text !== lastText) {
      lastDigest = frontMatterDigest(text);
      lastText = text;
    }
    return lastDigest;
  };
}

/**
 * Walks every page's version chain and the audit chain, recomputing each hash from the row's content
 * and the hash before it. Stops at the first break, since everything after it is suspect.
 */
export function verifyStore(store: Store): VerifyReport {
  const { purges, filePurges, seals, scrubbed } = purgeRecords(store);
  const filesListed: FilePurgeListed[] = [];
  const sealed = new Map<number, { hash: ReturnType<typeof createHash>; count: number }>();
  const listed: PurgeListed[] = [];
  let versions = 0;
  const pages = new Set<number>();
  let prevPage = -1;
  let prev: string | null = null;
  let expectedVersion = 1;
  const frontMatterDigestOf = rememberingFrontMatterDigest();
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
    const events = purges.get(`${row.page_id}:${row.version}`) ?? [];
    const checked = digestsToCheck(row, events, frontMatterDigestOf);
    if ('problem' in checked) {
      return report(pages.size, versions, 0, null, 0, { table: 'page_versions', id, expected: checked.expected, found: checked.found, reason: checked.problem });
    }
    if (row.record_form !== 2 && row.digests && events.length === 0 && canonicalJson(JSON.parse(row.digests)) !== canonicalJson(checked.digests)) {
      return report(pages.size, versions, 0, null, 0, { table: 'page_versions', id, expected: canonicalJson(checked.digests), found: row.digests, reason: 'the digests sealed for it do not match its content' });
    }
    // A purged version of the old form cannot be rehashed from its content: its hash stands on the digests
    // sealed in the audit log while the content was whole (checked against the seal's root below).
    const expected: string = row.record_form === 2 ? chainHash(prev, digestRecord(row, checked.digests)) : events.length ? row.hash : chainHash(prev, versionRecord(row));
    if (row.hash !== expected) {
      return report(pages.size, versions, 0, null, 0, { table: 'page_versions', id, expected, found: row.hash, reason: 'content does not match its hash' });
    }
    if (row.record_form !== 2 && events.length && !row.sealed_by) {
      return report(pages.size, versions, 0, null, 0, { table: 'page_versions', id, expected: 'a seal event', found: '(none)', reason: 'the version was purged but its digests were never sealed' });
    }
    if (row.record_form !== 2 && row.sealed_by && row.digests) {
      const group = sealed.get(row.sealed_by) ?? { hash: createHash('sha256'), count: 0 };
      group.hash.update(sealLine({ page_id: row.page_id, version: row.version, hash: row.hash, digests: row.digests }));
      group.count++;
      sealed.set(row.sealed_by, group);
    }
    for (const e of events) {
      listed.push({ slug: store.purges.slugOf(row.page_id) ?? row.slug, version: row.version, fields: Object.keys(e.details.fields) as DigestedField[], at: e.at, approved_by: e.actor, requested_by: e.details.requested_by, reason: e.details.reason });
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

  // The digests of old-form versions must be exactly those their seal event sealed.
  for (const [eventId, group] of sealed) {
    const seal = seals.get(eventId);
    const root = group.hash.digest('hex');
    if (!seal || seal.root !== root || seal.versions !== group.count) {
      return report(pages.size, versions, 0, null, 0, { table: 'audit_events', id: String(eventId), expected: seal ? `${seal.root} over ${seal.versions} versions` : 'a store.digests_sealed event', found: `${root} over ${group.count} versions`, reason: 'the version digests do not match the seal recorded in the audit log' });
    }
  }

  let files = 0;
  for (const file of store.files.all()) {
    files++;
    // A purged file keeps its digest but not its bytes; the purge.applied event (whose own hash the audit
    // walk below checks) must name this file and the purge the row points at. Any bytes still there are checked.
    const purge = filePurges.get(file.sha256);
    if (file.bytes.length === 0 && file.purged_by !== null && purge && purge.details.purge === file.purged_by) {
      filesListed.push({ sha256: file.sha256, slug: store.purges.slugOf(purge.details.page_id) ?? String(purge.details.page_id), version: purge.details.version, at: purge.at, approved_by: purge.actor, requested_by: purge.details.requested_by, reason: purge.details.reason });
      continue;
    }
    const actual = createHash('sha256').update(file.bytes).digest('hex');
    if (actual !== file.sha256 || file.bytes.length !== file.size) {
      return report(pages.size, versions, 0, null, 0, { table: 'files', id: file.sha256, expected: file.sha256, found: actual, reason: 'the stored bytes do not match their digest (the file was altered)' }, files);
    }
  }

  let events = 0;
  let last: string | null = null;
  for (const row of store.audit.each()) {
    events++;
    const { id, hash, prev_hash, details, ...rest } = row;
    if (prev_hash !== last) {
      return report(pages.size, versions, events, last, events - 1, { table: 'audit_events', id: String(id), expected: last ?? '(none)', found: prev_hash ?? '(none)', reason: 'previous-hash link does not match the event before (an event was removed, inserted or moved)' });
    }
    // An event a later purge removed text from keeps its hash; the purge's event vouches for its new details.
    const purged = scrubbed.get(id);
    const expected: string = purged && purged.by > id && purged.hash === hash && sha256(details) === purged.details ? hash : chainHash(last, { ...rest, details: JSON.parse(details) as unknown });
    if (hash !== expected) {
      return report(pages.size, versions, events, last, events - 1, { table: 'audit_events', id: String(id), expected, found: hash, reason: 'content does not match its hash' });
    }
    last = hash;
  }
  const signed = verifySignatures(store);
  if (signed.break) return { ...report(pages.size, versions, events, last, events, { table: 'signatures', ...signed.break }, files), signatures: signed.count, purges: listed, filePurges: filesListed };
  return { ...report(pages.size, versions, events, last, events, null, files), signatures: signed.count, purges: listed, filePurges: filesListed };
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
    ...(r.purges?.length
      ? [`Text was purged from ${r.purges.length === 1 ? '1 version' : `${r.purges.length} versions`}; each still verifies against the digests sealed for it:`, ...r.purges.map((p) => `  ${p.slug} v${p.version} (${p.fields.join(', ')}) on ${p.at}: requested by ${p.requested_by}, approved by ${p.approved_by}: ${p.reason}`)]
      : []),
    ...(r.filePurges?.length
      ? [`${r.filePurges.length === 1 ? '1 file was' : `${r.filePurges.length} files were`} purged; the versions that show them still seal their digests:`, ...r.filePurges.map((p) => `  ${p.sha256} (${p.slug} v${p.version}) on ${p.at}: requested by ${p.requested_by}, approved by ${p.approved_by}: ${p.reason}`)]
      : []),
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
  const size = store.audit.size();
  if (size < anchor.count) return `The audit log has ${size} events but the anchor of ${anchor.at} covered ${anchor.count}: it was truncated.`;
  const event = anchor.count === 0 ? undefined : store.audit.atPosition(anchor.count);
  const atAnchor = anchor.count === 0 ? null : event!.hash;
  if (atAnchor !== anchor.hash) {
    return `Audit event ${anchor.count} (id ${event?.id}) has hash ${atAnchor} but the anchor of ${anchor.at} recorded ${anchor.hash}: the chain was rewritten.`;
  }
  return null;
}
