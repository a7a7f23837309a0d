import type { PartyRow } from '../../store/parties.js';
import { recordAudit } from '../../audit/log.js';
import { NotFoundError, ValidationError, type FieldError } from '../../core/errors.js';
import { refuseIfPhi } from '../../phi/guard.js';
import { checkName, done, list, membersFor, text, type DirectoryContext } from '../directory.js';

/** The team by handle, and what changes; a field left out keeps its value. */
export interface EditTeamInput {
  handle: string;
  name?: string;
  /** The members afterwards; left out, the members stay as they are. */
  members?: string[];
}

export function editTeam(ctx: DirectoryContext, input: EditTeamInput): PartyRow {
  const { handle } = input;
  const existing = ctx.store.parties.get(handle);
  if (!existing || existing.kind !== 'team') throw new NotFoundError(`There is no team "${handle}".`);
  const errors: FieldError[] = [];
  const name = input.name === undefined ? existing.name : text(input.name);
  checkName(name, errors);
  const before = ctx.store.parties.members(handle).map((m) => m.handle);
  let members = input.members === undefined ? before : list(input.members);
  // Departed members stay on the team's record (history says who was on it); only newcomers are checked.
  membersFor(ctx.store, members.filter((m) => !before.includes(m)), errors);
  members = [...new Set(members)];
  if (errors.length > 0) throw new ValidationError(errors);
  refuseIfPhi(ctx.phi, { name });
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => {
    ctx.store.parties.update({ handle, name, title: null, email: null });
    ctx.store.parties.setMembers(handle, members);
    const details: Record<string, unknown> = {};
    if (name !== existing.name) details.name = { from: existing.name, to: name };
    const added = members.filter((m) => !before.includes(m));
    const removed = before.filter((m) => !members.includes(m));
    if (added.length) details.added = added;
    if (removed.length) details.removed = removed;
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'team.changed', target: `team:${handle}`, client: ctx.client, at, details });
  });
  return done(ctx, handle);
}
