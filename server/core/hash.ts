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

/**
 * The fields of a page version that its hash seals. `archived` appears only on archived versions and
 * `files` (the digests of the files it references) only on versions that reference files, so versions
 * written before files existed keep their hashes.
 */
export function versionRecord(row: { slug: string; version: number; front_matter: string; body: string; summary: string; author: string; created_at: string; archived: number; files?: string | null }): Record<string, unknown> {
  return {
    slug: row.slug,
    version: row.version,
    front_matter: JSON.parse(row.front_matter) as unknown,
    body: row.body,
    summary: row.summary,
    author: row.author,
    created_at: row.created_at,
    ...(row.archived ? { archived: true } : {}),
    ...(row.files ? { files: JSON.parse(row.files) as unknown } : {}),
  };
}
