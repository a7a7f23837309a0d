import { NotFoundError } from '../../core/errors.js';
import type { InboxContext } from '../inbox.js';

/**
 * Stops one watch by its id, or the watch of one page. A page the person may not see answers as a
 * missing one, so unwatching cannot tell a restricted page from no page.
 */
export function unwatch(ctx: InboxContext, input: { id: number } | { slug: string }): void {
  const { store, userId } = ctx;
  if ('id' in input) {
    if (!store.transaction(() => store.notifications.unwatchById(userId, input.id))) throw new NotFoundError('You have no watch with that id.');
    return;
  }
  if (!store.pages.head(input.slug) || ctx.hidden.has(input.slug)) throw new NotFoundError(`There is no page "${input.slug}".`);
  store.transaction(() => store.notifications.unwatch(userId, 'page', input.slug));
}
