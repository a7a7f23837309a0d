import { recordAudit } from '../../audit/log.js';
import type { CommandContext } from '../../core/context.js';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../core/errors.js';
import { moveOwnership } from '../../pages/commands.js';
import { checkSuccessor } from '../../people/directory.js';
import type { HandoverPageRow, HandoverState } from '../../store/knowledge-transfer.js';
import { guard, handleOf, HANDOVER_STATES, NOTE_MAX, person, text } from '../handover.js';

export interface UpdateHandoverPageInput {
  /** The person who is leaving, whose plan holds the page. */
  handle: string;
  slug: string;
  state?: string;
  successor?: string | null;
  note?: string | null;
}

/**
 * Moves one page of a plan along: not started → walked through (a session held, with a note) → accepted.
 * Only the successor (or an active member of a successor team) may accept, and accepting moves the
 * ownership as a new version with its one audit event. The person accepting is the
 * one the signed-in account belongs to (`ctx.actor.person`).
 */
export function updateHandoverPage(ctx: CommandContext, input: UpdateHandoverPageInput): HandoverPageRow {
  const { handle, slug } = input;
  const actorPerson = ctx.actor.person ?? null;
  const p = person(ctx.store, handle);
  const plan = ctx.store.transfer.openHandover(handle);
  if (!plan) {
    if (ctx.store.transfer.latestHandover(handle)) throw new ValidationError([{ field: 'handle', message: `${p.name}'s handover closed on the leaving date; it stays as a record. Use the reassignment screen for what is left.` }], 'conflict');
    throw new NotFoundError(`${p.name} has no handover plan.`);
  }
  const row = ctx.store.transfer.handoverPage(plan.id, slug);
  if (!row) throw new NotFoundError(`The page "${slug}" is not in ${p.name}'s handover plan.`);
  if (row.state === 'accepted') throw new ValidationError([{ field: 'state', message: `"${row.title}" was already accepted by its successor.` }], 'conflict');
  const errors: FieldError[] = [];
  const state = text(input.state) as HandoverState;
  if (!HANDOVER_STATES.includes(state)) errors.push({ field: 'state', message: `The state is one of ${HANDOVER_STATES.join(', ')}.` });
  let successor = row.successor;
  if (input.successor !== undefined && input.successor !== null && handleOf(input.successor) !== '') {
    successor = handleOf(input.successor);
    checkSuccessor(ctx.store, successor, handle, 'successor', errors);
  }
  const note = input.note === undefined ? row.note : text(input.note) || null;
  if (note && note.length > NOTE_MAX) errors.push({ field: 'note', message: `A note is at most ${NOTE_MAX} characters.` });
  if (state === 'accepted' && !successor) errors.push({ field: 'successor', message: 'Name a successor before the page can be accepted.' });
  if (errors.length > 0) throw new ValidationError(errors);
  if (note && note !== row.note) guard(ctx, { note });
  const at = (ctx.at ?? new Date()).toISOString();
  const update = { handover_id: plan.id, slug, successor, state, note, updated_at: at, updated_by: ctx.actor.username };

  if (state === 'accepted') {
    const heir = ctx.store.parties.get(successor!)!;
    const mayAccept = heir.kind === 'person' ? actorPerson === heir.handle : actorPerson !== null && ctx.store.parties.members(heir.handle).some((m) => m.handle === actorPerson && m.status === 'active');
    if (!mayAccept) throw new ForbiddenError(`Only ${heir.name}${heir.kind === 'team' ? ' (a member of the team)' : ''} can accept "${row.title}": accepting says "I can maintain this", and nobody can say it for someone else.`);
    ctx.store.transaction(() => {
      ctx.store.transfer.updateHandoverPage(update);
      // One version and one audit event: the ownership move, naming the plan it completes.
      moveOwnership(ctx, { from: row.via, moves: [{ slug, to: heir.handle }], reason: `accepted in the handover before ${p.name} leaves on ${plan.leaving_on}`, details: { handover: handle, ...(note ? { note } : {}) } });
    });
  } else {
    ctx.store.transaction(() => {
      ctx.store.transfer.updateHandoverPage(update);
      recordAudit(ctx.store, { actor: ctx.actor.username, action: 'handover.page_updated', target: slug, client: ctx.client, at, details: { person: handle, state, ...(successor ? { successor } : {}), ...(note ? { note } : {}) } });
    });
  }
  return ctx.store.transfer.handoverPage(plan.id, slug)!;
}
