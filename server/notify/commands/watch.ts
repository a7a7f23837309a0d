import type { WatchKind, WatchRow } from '../../store/notifications.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import type { InboxContext } from '../inbox.js';

export interface WatchInput {
  kind: WatchKind;
  target: string;
}

/**
 * Checks a watch target against what exists, so only known names are stored (no free text): a page the
 * person may see, a configured system or a module some page has, a person or team in the directory.
 */
export function watch(ctx: InboxContext, input: WatchInput): WatchRow {
  const { store, userId } = ctx;
  const { kind } = input;
  const t = input.target.trim();
  if (kind === 'page') {
    if (!store.pages.head(t) || ctx.hidden.has(t)) throw new NotFoundError(`There is no page "${t}".`);
  } else if (kind === 'system') {
    const [system, module] = t.split('/', 2) as [string, string | undefined];
    if (!ctx.systems.includes(system)) throw new ValidationError([{ field: 'target', message: `is not one of the systems (${ctx.systems.join(', ')})` }]);
    if (module !== undefined && !store.pages.allHeads().some((h) => h.system === system && h.module === module && !ctx.hidden.has(h.slug))) {
      throw new ValidationError([{ field: 'target', message: `no page of ${system} has the module "${module}"` }]);
    }
  } else if (!store.parties.get(t)) {
    throw new ValidationError([{ field: 'target', message: `there is no person or team "@${t}"` }]);
  }
  store.transaction(() => store.notifications.watch(userId, kind, t, ctx.at.toISOString()));
  return store.notifications.watchesOf(userId).find((w) => w.kind === kind && w.target === t)!;
}
