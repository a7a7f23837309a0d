import { recordAudit } from '../../audit/log.js';
import type { CommandContext } from '../../core/context.js';
import { ValidationError, type FieldError } from '../../core/errors.js';
import { isCalendarDate } from '../../core/rules.js';
import { checkSuccessor } from '../../people/directory.js';
import type { HandoverRow } from '../../store/knowledge-transfer.js';
import { handleOf, pagesAnsweredBy, person, text } from '../handover.js';

export interface OpenHandoverInput {
  /** The person who is leaving. */
  handle: string;
  /** The leaving date, YYYY-MM-DD, today or later. */
  date?: string;
  successor?: string | null;
  /** The caller's calendar date (the app's clock): a leaving date before it is refused. */
  today: string;
}

/** Opens a handover plan for a departure known in advance; every page the person answers for, with a proposed successor. */
export function openHandover(ctx: CommandContext, input: OpenHandoverInput): HandoverRow {
  const { handle, today } = input;
  const p = person(ctx.store, handle);
  if (p.status === 'departed') throw new ValidationError([{ field: 'handle', message: `${p.name} has already departed (on ${p.departed_on ?? 'an unknown date'}); see the orphan report instead.` }], 'conflict');
  if (ctx.store.transfer.openHandover(handle)) throw new ValidationError([{ field: 'handle', message: `${p.name} already has an open handover plan.` }], 'conflict');
  const errors: FieldError[] = [];
  const date = text(input.date);
  if (!isCalendarDate(date)) errors.push({ field: 'date', message: 'The leaving date must be a real date written YYYY-MM-DD.' });
  else if (date < today) errors.push({ field: 'date', message: `The leaving date ${date} is in the past; record a departure instead.` });
  const successor = handleOf(input.successor) || null;
  if (successor) checkSuccessor(ctx.store, successor, handle, 'successor', errors);
  if (errors.length > 0) throw new ValidationError(errors);
  const at = (ctx.at ?? new Date()).toISOString();
  const pages = pagesAnsweredBy(ctx.store, handle);
  ctx.store.transaction(() => {
    const id = ctx.store.transfer.insertHandover({ person: handle, leaving_on: date, successor, opened_at: at, opened_by: ctx.actor.username });
    for (const page of pages) ctx.store.transfer.insertHandoverPage({ handover_id: id, ...page, successor });
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'handover.opened', target: `person:${handle}`, client: ctx.client, at, details: { date, pages: pages.map((x) => x.slug), ...(successor ? { successor } : {}) } });
  });
  return ctx.store.transfer.openHandover(handle)!;
}
