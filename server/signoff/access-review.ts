import type { Store } from '../store/index.js';
import { canonicalJson } from '../core/hash.js';
import { createHash } from 'node:crypto';
import { ACCESS_REVIEW, toSignatureView, type SignatureView } from './signatures.js';

/** An account nobody has used for this long is dormant and should be deactivated or justified. */
export const DORMANT_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface AccessReviewUser {
  username: string;
  role: string;
  active: boolean;
  person: { handle: string; name: string; status: 'active' | 'departed'; departed_on: string | null } | null;
  sign_in: 'password' | 'sso';
  last_signed_in_at: string | null;
  /** The latest of the last sign-in and the last use of any of its tokens. */
  last_active_at: string | null;
  tokens: { id: number; label: string | null; created_at: string; last_used_at: string | null }[];
  /** Active, and not used (signed in or by token) for more than 90 days. */
  dormant: boolean;
  /** Active while its person has departed: the account should have been deactivated. */
  departed_but_active: boolean;
  /** Teams this account's person belongs to that restricted pages are limited to. */
  restricted_teams: string[];
}

export interface AccessReport {
  generated_at: string;
  dormant_days: number;
  users: AccessReviewUser[];
  /** sha256 of the users' canonical JSON: what a reviewer's signature is bound to. */
  hash: string;
}

/**
 * Every account with what an access review asks of it: role, linked person and their status, how it signs
 * in, when it was last used, its live API tokens, whether it is dormant or belongs to someone who has left,
 * and which restricted teams it reaches.
 */
export function accessReport(store: Store, now: Date): AccessReport {
  const restrictedTeams = new Set(store.pages.restrictions().flatMap((r) => r.teams));
  const users = store.users.list().map((u): AccessReviewUser => {
    const party = u.person ? store.parties.get(u.person) : undefined;
    const tokens = store.users.tokens(u.id).filter((t) => !t.revoked_at).map((t) => ({ id: t.id, label: t.label, created_at: t.created_at, last_used_at: t.last_used_at }));
    const last = [u.last_signed_in_at, ...tokens.map((t) => t.last_used_at)].filter((x): x is string => !!x).sort().at(-1) ?? null;
    const since = last ?? u.created_at;
    const active = u.active === 1;
    return {
      username: u.username,
      role: u.role,
      active,
      person: party ? { handle: party.handle, name: party.name, status: party.status, departed_on: party.departed_on } : null,
      sign_in: u.auth_source === 'local' ? 'password' : 'sso',
      last_signed_in_at: u.last_signed_in_at,
      last_active_at: last,
      tokens,
      dormant: active && now.getTime() - new Date(since).getTime() > DORMANT_DAYS * DAY_MS,
      departed_but_active: active && party?.status === 'departed',
      restricted_teams: party ? store.parties.teamsOf(party.handle).map((t) => t.handle).filter((t) => restrictedTeams.has(t)) : [],
    };
  });
  return { generated_at: now.toISOString(), dormant_days: DORMANT_DAYS, users, hash: createHash('sha256').update(canonicalJson(users)).digest('hex') };
}

/** Past access reviews, newest first. */
export function accessReviews(store: Store): SignatureView[] {
  return store.signatures.ofKind('access_review').map(toSignatureView);
}

export { ACCESS_REVIEW };
