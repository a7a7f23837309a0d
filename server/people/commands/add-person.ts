import type { PartyRow } from '../../store/parties.js';
import { recordAudit } from '../../audit/log.js';
import { ValidationError, type FieldError } from '../../core/errors.js';
import { refuseIfPhi } from '../../phi/guard.js';
import { checkHandle, done, list, personFields, teamsFor, text, type DirectoryContext, type PersonInput } from '../directory.js';

/** A new person: a unique handle (shared with teams), a name, and optionally a title, an email and teams. */
export type AddPersonInput = PersonInput;

export function addPerson(ctx: DirectoryContext, input: AddPersonInput): PartyRow {
  const errors: FieldError[] = [];
  const handle = text(input.handle).toLowerCase();
  checkHandle(ctx.store, handle, errors);
  const fields = personFields(input, errors);
  const teams = teamsFor(ctx.store, list([...(input.teams ?? []), ...(input.team ? [input.team] : [])]), errors);
  if (errors.length > 0) throw new ValidationError(errors);
  refuseIfPhi(ctx.phi, fields);
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => {
    if (ctx.store.parties.get(handle)) throw new ValidationError([{ field: 'handle', message: `The handle "${handle}" is already taken.` }], 409);
    ctx.store.parties.insert({ handle, kind: 'person', ...fields, status: 'active', departed_on: null, created_at: at });
    for (const team of teams) ctx.store.parties.addMember(team, handle);
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'person.created', target: `person:${handle}`, client: ctx.client, at, details: { name: fields.name, teams } });
  });
  return done(ctx, handle);
}
