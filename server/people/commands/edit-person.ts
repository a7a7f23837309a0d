import type { PartyRow } from '../../store/parties.js';
import { recordAudit } from '../../audit/log.js';
import { NotFoundError, ValidationError, type FieldError } from '../../core/errors.js';
import { refuseIfPhi } from '../../phi/guard.js';
import { done, list, personFields, stripUndefined, teamsFor, type DirectoryContext } from '../directory.js';

/** The person by handle, and the fields to change; a field left out keeps its value. */
export interface EditPersonInput {
  handle: string;
  name?: string;
  title?: string | null;
  email?: string | null;
  /** The teams the person belongs to afterwards; left out, memberships stay as they are. */
  teams?: string[];
}

export function editPerson(ctx: DirectoryContext, input: EditPersonInput): PartyRow {
  const { handle, ...change } = input;
  const existing = ctx.store.parties.get(handle);
  if (!existing || existing.kind !== 'person') throw new NotFoundError(`There is no person "${handle}".`);
  const errors: FieldError[] = [];
  const fields = personFields({ name: existing.name, title: existing.title, email: existing.email, ...stripUndefined(change) }, errors);
  const teams = input.teams === undefined ? undefined : teamsFor(ctx.store, list(input.teams), errors);
  if (errors.length > 0) throw new ValidationError(errors);
  refuseIfPhi(ctx.phi, fields);
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => {
    const before = ctx.store.parties.teamsOf(handle).map((t) => t.handle);
    ctx.store.parties.update({ handle, ...fields });
    if (teams) {
      for (const team of before.filter((t) => !teams.includes(t))) {
        ctx.store.parties.setMembers(team, ctx.store.parties.members(team).map((m) => m.handle).filter((m) => m !== handle));
      }
      for (const team of teams.filter((t) => !before.includes(t))) ctx.store.parties.addMember(team, handle);
    }
    const changed: Record<string, unknown> = {};
    for (const k of ['name', 'title', 'email'] as const) if (existing[k] !== fields[k]) changed[k] = { from: existing[k], to: fields[k] };
    if (teams && teams.slice().sort().join() !== before.slice().sort().join()) changed.teams = { from: before, to: teams };
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'person.changed', target: `person:${handle}`, client: ctx.client, at, details: changed });
  });
  return done(ctx, handle);
}
