import type { PartyRow } from '../../store/parties.js';
import { recordAudit } from '../../audit/log.js';
import { NotFoundError, ValidationError, type FieldError } from '../../core/errors.js';
import { isCalendarDate, REASON_MAX } from '../../core/rules.js';
import { refuseIfPhi } from '../../phi/guard.js';
import { checkSuccessor, done, text, type DirectoryContext } from '../directory.js';

export interface DepartPersonInput {
  handle: string;
  /** YYYY-MM-DD; left out or empty, `today`. */
  date?: string;
  /** Who takes over their pages: an active person, or a team with an active member. */
  successor?: string | null;
  reason?: string;
  /** The caller's calendar date (the server's clock, in its time zone), the departure date by default. */
  today: string;
}

/**
 * Marks a person as departed. Nobody is deleted: their name stays on every version they wrote and every
 * page they own, shown as departed, until the pages are reassigned.
 */
export function departPerson(ctx: DirectoryContext, input: DepartPersonInput): PartyRow {
  const { handle, today } = input;
  const person = ctx.store.parties.get(handle);
  if (!person) throw new NotFoundError(`There is no person "${handle}".`);
  const errors: FieldError[] = [];
  if (person.kind !== 'person') errors.push({ field: 'handle', message: `"${handle}" is a team; only people depart. Edit the team's members instead.` });
  else if (person.status === 'departed') throw new ValidationError([{ field: 'handle', message: `${person.name} is already marked departed (on ${person.departed_on ?? 'an unknown date'}).` }], 409);
  const date = text(input.date) || today;
  if (!isCalendarDate(date)) {
    errors.push({ field: 'date', message: 'The departure date must be a real date written YYYY-MM-DD.' });
  }
  const reason = text(input.reason);
  if (!reason) errors.push({ field: 'reason', message: 'Say why: for example "Left the organisation" or "Moved to the Workday team".' });
  else if (reason.length > REASON_MAX) errors.push({ field: 'reason', message: `The reason is at most ${REASON_MAX} characters.` });
  const successor = text(input.successor).toLowerCase().replace(/^@/, '') || null;
  if (successor) checkSuccessor(ctx.store, successor, handle, 'successor', errors);
  if (errors.length > 0) throw new ValidationError(errors);
  refuseIfPhi(ctx.phi, { reason });
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => {
    ctx.store.parties.depart({ handle, departed_on: date, successor, departure_reason: reason });
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'person.departed', target: `person:${handle}`, client: ctx.client, at, details: { date, reason, ...(successor ? { successor } : {}) } });
  });
  return done(ctx, handle);
}
