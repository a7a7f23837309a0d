import type { Store } from '../store/index.js';
import type { SignatureRow } from '../store/signatures.js';
import { chainHash } from '../core/hash.js';

/** The fields a signature's hash seals: copied to another page, version or person, it no longer matches. */
export function signatureHash(row: Pick<SignatureRow, 'kind' | 'slug' | 'version' | 'content_hash' | 'meaning' | 'signer' | 'signed_at'>): string {
  return chainHash(null, { kind: row.kind, slug: row.slug, version: row.version, content_hash: row.content_hash, meaning: row.meaning, signer: row.signer, signed_at: row.signed_at });
}

/** The first signature that does not hold, in words. */
export interface SignatureBreak {
  id: string;
  expected: string;
  found: string;
  reason: string;
}

/**
 * Checks every signature: its own hash still matches its fields, the audit event that recorded it carries
 * that hash, a page signature's version still has the hash that was signed, and no recorded signature is
 * missing its row.
 */
export function verifySignatures(store: Store): { count: number; break: SignatureBreak | null } {
  const rows = store.signatures.all();
  const byHash = new Set<string>();
  for (const row of rows) {
    const id = `signature ${row.id}${row.slug ? ` (${row.slug} v${row.version})` : ''}`;
    const expected = signatureHash(row);
    if (row.hash !== expected) return { count: rows.length, break: { id, expected, found: row.hash, reason: 'its content does not match its hash (the signature was edited)' } };
    const event = store.signatures.event(row.audit_event_id);
    const recorded = event ? (JSON.parse(event.details) as { hash?: unknown }).hash : undefined;
    if (!event || event.action !== 'signature.added' || recorded !== row.hash) {
      return { count: rows.length, break: { id, expected: String(recorded ?? '(no signature.added event)'), found: row.hash, reason: 'it does not match the audit event that recorded it' } };
    }
    if (row.kind === 'page') {
      const version = row.page_id === null || row.version === null ? undefined : store.pages.version(row.page_id, row.version);
      if (!version || version.hash !== row.content_hash) {
        return { count: rows.length, break: { id, expected: row.content_hash, found: version?.hash ?? '(no such version)', reason: 'the signed version no longer has the hash that was signed' } };
      }
    }
    byHash.add(row.hash);
  }
  for (const event of store.signatures.signedEvents()) {
    const hash = (JSON.parse(event.details) as { hash?: unknown }).hash;
    if (typeof hash === 'string' && !byHash.has(hash)) {
      return { count: rows.length, break: { id: `audit event ${event.id}`, expected: hash, found: '(missing)', reason: 'a recorded signature is no longer stored' } };
    }
  }
  return { count: rows.length, break: null };
}
