import { NotFoundError } from '../../core/errors.js';
import { type InboxContext, shown, type ShownNotification } from '../inbox.js';
import { markRead } from './mark-read.js';

/** One notification of this person's, marked read, for opening it; a hidden page's is missing. */
export function openNotification(ctx: InboxContext, input: { id: number }): ShownNotification {
  const row = ctx.store.notifications.byIds(ctx.userId, [input.id])[0];
  const visible = row ? shown([row], ctx.hidden)[0] : undefined;
  if (!visible) throw new NotFoundError('There is no such notification in your inbox.');
  markRead(ctx, { ids: [input.id] });
  return visible;
}
