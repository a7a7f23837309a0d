import type { Store } from '../store/index.js';

export class StandbyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StandbyError';
  }
}

/**
 * Marks the store as a standby of `primary` before the server starts, or says why it cannot be one.
 * Returns false when the store was promoted: it is a primary now, and WHYWIKI_FOLLOW is left unused.
 */
export function beginFollowing(store: Store, primary: string): boolean {
  if (store.getMeta('standby.promoted_at')) return false;
  const current = store.getMeta('standby.primary');
  if (current !== undefined) {
    if (current !== primary) throw new StandbyError(`this store follows ${current}, not ${primary}: start a standby of another primary from an empty data folder`);
    return true;
  }
  if (store.outbox.lastEventId() > 0) {
    throw new StandbyError(`the data folder already holds a wiki's own history, so it cannot follow ${primary}: start a standby from an empty data folder (WHYWIKI_DATA)`);
  }
  store.setMeta('standby.primary', primary);
  return true;
}
