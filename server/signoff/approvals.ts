import type { Store } from '../store/index.js';
import type { PageHeadRow } from '../store/pages.js';
import type { CommandContext } from '../core/context.js';
import { ValidationError } from '../core/errors.js';
import { canSee, viewerFor } from '../auth/visibility.js';

/** The statuses a page may only reach with its system's approvals (WHYWIKI_APPROVALS). */
export const GATED_STATUSES: readonly string[] = ['approved', 'live'];

export function restrictionOf(head: PageHeadRow): string[] | null {
  return head.restricted_to ? (JSON.parse(head.restricted_to) as string[]) : null;
}

/** The owners' teams: teams among the owners, and the teams of the people among them. */
export function ownerTeams(store: Store, owners: readonly string[]): string[] {
  const teams = new Set<string>();
  for (const handle of owners) {
    const party = store.parties.get(handle);
    if (party?.kind === 'team') teams.add(handle);
    else if (party) for (const t of store.parties.teamsOf(handle)) teams.add(t.handle);
  }
  return [...teams].sort();
}

/** Whether an account's approval counts for a page: an admin, or a member of one of the owners' teams. */
function mayApprove(store: Store, username: string, teams: readonly string[]): boolean {
  const user = store.users.byName(username);
  if (!user || user.active !== 1) return false;
  if (user.role === 'admin') return true;
  return !!user.person && store.parties.teamsOf(user.person).some((t) => teams.includes(t.handle));
}

export interface ApprovalState {
  required: number;
  version: number;
  /** Signers whose approval of the current version counts. */
  approvedBy: string[];
  teams: string[];
  met: boolean;
}

/** How many approvals the current version of a page has and needs. */
export function approvalState(store: Store, approvals: Readonly<Record<string, number>>, head: PageHeadRow): ApprovalState {
  const required = approvals[head.system] ?? 0;
  const version = store.pages.version(head.id, head.current_version)!;
  const teams = ownerTeams(store, store.pages.ownersOf(head.id));
  const approvedBy = store.signatures
    .forPage(head.id)
    .filter((s) => s.version === head.current_version && s.meaning === 'approved' && s.signer !== version.author && mayApprove(store, s.signer, teams))
    .map((s) => s.signer);
  return { required, version: head.current_version, approvedBy, teams, met: approvedBy.length >= required };
}

/**
 * Refuses a move to approved or live until the current version has the approvals its system requires,
 * naming what is missing. The importer and the operator (no role) are not held to it: they record history.
 */
export function refuseUnlessApproved(ctx: CommandContext, head: PageHeadRow, toStatus: string): void {
  if (!ctx.approvals || ctx.verbatim || ctx.actor.role === undefined || !GATED_STATUSES.includes(toStatus)) return;
  const state = approvalState(ctx.store, ctx.approvals, head);
  if (state.met) return;
  const teamNames = state.teams.map((t) => ctx.store.parties.get(t)?.name ?? t);
  const from = teamNames.length ? `a member of ${teamNames.join(' or ')} or an admin` : 'an admin';
  throw new ValidationError(
    [{
      field: 'status',
      message:
        `${head.system} needs ${state.required} approved ${state.required === 1 ? 'signature' : 'signatures'} on version ${state.version} (the current one) before the page can become ${toStatus}; ` +
        `it has ${state.approvedBy.length}${state.approvedBy.length ? ` (${state.approvedBy.join(', ')})` : ''}. Each must come from ${from}, not from the version's author. Request approval from the page.`,
    }],
    'conflict',
  );
}

/** A new page in a system with approval rules starts before approval: it cannot be created approved or live. */
export function refuseGatedStart(ctx: CommandContext, system: string, status: string): void {
  if (!ctx.approvals || ctx.verbatim || ctx.actor.role === undefined || !GATED_STATUSES.includes(status)) return;
  const required = ctx.approvals[system] ?? 0;
  if (required < 1) return;
  throw new ValidationError(
    [{ field: 'status', message: `${system} pages need ${required} approved ${required === 1 ? 'signature' : 'signatures'} before they are ${status}: create the page as proposed, then request approval.` }],
    'conflict',
  );
}

/** The accounts that may approve a page and can see it, other than those named. */
export function approversFor(store: Store, head: PageHeadRow, except: readonly string[]): string[] {
  const teams = ownerTeams(store, store.pages.ownersOf(head.id));
  const restricted = restrictionOf(head);
  return store.users
    .list()
    .filter((u) => u.active === 1 && !except.includes(u.username) && mayApprove(store, u.username, teams) && canSee(restricted, viewerFor(store, u)))
    .map((u) => u.username)
    .sort();
}
