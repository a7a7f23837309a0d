import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'ww_';

/** A new bearer token; only its hash is stored. */
export function newToken(): { token: string; hash: string } {
  const token = PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
