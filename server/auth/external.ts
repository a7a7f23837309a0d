import type { Store } from '../store/index.js';
import type { Role, UserRow } from '../store/users.js';
import { ROLE_ORDER, type AuthConfig } from '../config.js';
import { recordAudit } from '../audit/log.js';
import { toSessionUser, type SessionUser } from './accounts.js';
import { safeForLog } from './log-safety.js';

/** The identity provider vouched for the person, but Whywiki's configuration does not let them in. */
export class ExternalSignInRefused extends Error {}

export interface ExternalIdentity {
  source: 'oidc' | 'proxy';
  /** Stable and unique at the provider: OIDC's "issuer sub", the proxy's user name. */
  subject: string;
  /** The name to show and to record as author; made unique here if a local account already has it. */
  username: string;
  /** The person's groups, when the provider sends them; undefined when it does not. */
  groups: string[] | undefined;
}

/** The strongest role any of the groups maps to; the default role when none maps; null to refuse. */
export function roleFromGroups(auth: AuthConfig, groups: string[]): Role | null {
  const mapped = new Set(groups.map((g) => auth.roleMap[g]).filter(Boolean));
  return ROLE_ORDER.find((r) => mapped.has(r)) ?? auth.defaultRole;
}

/** Lowercase handle-like text from whatever the provider calls the person. */
function usernameFrom(raw: string): string {
  const cleaned = raw.toLowerCase().replace(/@.*$/, '').replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 32);
  return cleaned || 'user';
}

/**
 * Finds or creates the account for someone signed in by the identity provider. Accounts are matched by
 * the provider's subject, never by name, so a provider user called "admin" does not become the local
 * admin. When the provider sends groups, they decide the role at every sign-in; when it does not, the
 * default role applies to new accounts and admins manage roles here.
 */
export function provisionExternalUser(store: Store, auth: AuthConfig, who: ExternalIdentity, client: string | null): SessionUser {
  const externalId = who.subject.slice(0, 500);
  const existing = store.users.byExternal(who.source, externalId);
  const role = who.groups ? roleFromGroups(auth, who.groups) : existing ? existing.role : auth.defaultRole;
  if (existing && existing.active !== 1) throw new ExternalSignInRefused(`The Whywiki account of ${existing.username} is deactivated. Ask a Whywiki admin to reactivate it.`);
  if (!role) throw new ExternalSignInRefused('Your account is not in any group that may use Whywiki. Ask a Whywiki admin which group to join.');
  if (existing && existing.role === role) return toSessionUser(existing);
  return store.transaction(() => {
    const again = store.users.byExternal(who.source, externalId);
    if (again) {
      if (again.role === role) return toSessionUser(again);
      const next: UserRow = { ...again, role };
      store.users.update(next);
      recordAudit(store, { actor: `${who.source}:${again.username}`, action: 'role.changed', target: `user:${again.username}`, client, details: { from: again.role, to: role, by: `${who.source} groups` } });
      return toSessionUser(next);
    }
    const base = usernameFrom(who.username);
    let username = base;
    for (let n = 2; store.users.byName(username); n++) username = `${base}-${n}`;
    const id = store.users.insert({ username, password_hash: null, role, person: null, created_at: new Date().toISOString(), auth_source: who.source, external_id: externalId });
    recordAudit(store, { actor: `${who.source}:${username}`, action: 'user.created', target: `user:${username}`, client, details: { role, source: who.source, subject: safeForLog(externalId, 200) } });
    return toSessionUser(store.users.byId(id)!);
  });
}
