import type { PartyRow } from '../../store/parties.js';
import { recordAudit } from '../../audit/log.js';
import { ValidationError, type FieldError } from '../../core/errors.js';
import { refuseIfPhi } from '../../phi/guard.js';
import { checkHandle, checkName, done, list, membersFor, text, type DirectoryContext, type TeamInput } from '../directory.js';

/** A new team: a unique handle (shared with people), a name and its members. */
export type AddTeamInput = TeamInput;

export function addTeam(ctx: DirectoryContext, input: AddTeamInput): PartyRow {
  const errors: FieldError[] = [];
  const handle = text(input.handle).toLowerCase();
  checkHandle(ctx.store, handle, errors);
  const name = text(input.name);
  checkName(name, errors);
  const members = membersFor(ctx.store, list(input.members), errors);
  if (errors.length > 0) throw new ValidationError(errors);
  refuseIfPhi(ctx.phi, { name });
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => {
    if (ctx.store.parties.get(handle)) throw new ValidationError([{ field: 'handle', message: `The handle "${handle}" is already taken.` }], 409);
    ctx.store.parties.insert({ handle, kind: 'team', name, title: null, email: null, status: 'active', departed_on: null, created_at: at });
    ctx.store.parties.setMembers(handle, members);
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'team.created', target: `team:${handle}`, client: ctx.client, at, details: { name, members } });
  });
  return done(ctx, handle);
}
