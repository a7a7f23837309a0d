import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** RFC 8785 canonical JSON, so the same content always hashes the same on any machine. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be serialized as canonical JSON');
  return text;
}

/** sha256(previous hash + canonical JSON of the record): each record seals the one before it. */
export function chainHash(prevHash: string | null, record: unknown): string {
  return createHash('sha256')
    .update(prevHash ?? '')
    .update(canonicalJson(record))
    .digest('hex');
}
