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
export function versionRecord(row: { slug: string; version: number; front_matter: string; body: string; summary: string; author: string; created_at: string; archived: number; files?: string | null; record_form?: number }): Record<string, unknown> {
  // Form 2 seals digests of the fields; computed here from the content, so a changed field shows as a break.
  if (row.record_form === 2) return digestRecord(row, fieldDigests(row));
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

/** The content fields a version's digests cover; a purge can remove text from any of them. */
export const DIGESTED_FIELDS = ['front_matter', 'body', 'summary'] as const;
export type DigestedField = (typeof DIGESTED_FIELDS)[number];
export type FieldDigests = Record<DigestedField, string>;

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** sha256 of each content field as stored; front matter in its canonical form, so spacing cannot matter. */
export function fieldDigests(row: { front_matter: string; body: string; summary: string }): FieldDigests {
  return { front_matter: frontMatterDigest(row.front_matter), body: sha256(row.body), summary: sha256(row.summary) };
}

/** The front matter's digest as `fieldDigests` computes it. */
export function frontMatterDigest(text: string): string {
  return sha256(canonicalJson(JSON.parse(text) as unknown));
}

/**
 * What a version of record form 2 seals: everything `versionRecord` seals except that its content fields
 * are replaced by their digests, so text can be removed from a field and the hash still checked against
 * the digest that was sealed. `form: 2` is part of the record, so the two forms can never collide.
 */
export function digestRecord(row: { slug: string; version: number; author: string; created_at: string; archived: number; files?: string | null }, digests: FieldDigests): Record<string, unknown> {
  return {
    form: 2,
    slug: row.slug,
    version: row.version,
    author: row.author,
    created_at: row.created_at,
    digests,
    ...(row.archived ? { archived: true } : {}),
    ...(row.files ? { files: JSON.parse(row.files) as unknown } : {}),
  };
}

/**
 * The digest over every version one seal event covers, in chain order: each line binds a version's
 * position, its (old-form) hash and its field digests.
 */
export function sealRoot(rows: Iterable<{ page_id: number; version: number; hash: string; digests: string }>): { root: string; count: number } {
  const h = createHash('sha256');
  let count = 0;
  for (const r of rows) {
    h.update(sealLine(r));
    count++;
  }
  return { root: h.digest('hex'), count };
}

/** One version's line in a seal root. */
export function sealLine(r: { page_id: number; version: number; hash: string; digests: string }): string {
  return `${r.page_id}:${r.version}:${r.hash}:${canonicalJson(JSON.parse(r.digests) as unknown)}\n`;
}
