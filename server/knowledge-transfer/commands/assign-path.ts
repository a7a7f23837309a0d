import { recordAudit } from '../../audit/log.js';
import type { CommandContext } from '../../core/context.js';
import { ValidationError, type FieldError } from '../../core/errors.js';
import { currentVersion, text } from '../paths.js';

export interface AssignPathInput {
  id: number;
  /** Person handles, as typed (an @ and spaces are allowed). */
  people: unknown[];
}

/** Assigns a path to people: each must be an active person in the directory. */
export function assignPath(ctx: CommandContext, input: AssignPathInput): string[] {
  const { id, people } = input;
  currentVersion(ctx.store, id);
  const handles = [...new Set(people.map((p) => text(p).toLowerCase().replace(/^@/, '')).filter(Boolean))];
  const errors: FieldError[] = [];
  if (handles.length === 0) errors.push({ field: 'people', message: 'Name at least one person by handle.' });
  const unknown = handles.filter((h) => ctx.store.parties.get(h)?.kind !== 'person');
  if (unknown.length) errors.push({ field: 'people', message: `No person has the handle ${unknown.join(', ')}.` });
  const gone = handles.filter((h) => ctx.store.parties.get(h)?.status === 'departed');
  if (gone.length) errors.push({ field: 'people', message: `${gone.join(', ')} ${gone.length > 1 ? 'have' : 'has'} departed.` });
  if (errors.length > 0) throw new ValidationError(errors);
  const at = (ctx.at ?? new Date()).toISOString();
  return ctx.store.transaction(() => {
    const added = handles.filter((h) => ctx.store.transfer.assign(id, h, at, ctx.actor.username));
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'path.assigned', target: `path:${id}`, client: ctx.client, at, details: { people: handles, added } });
    return added;
  });
}
