import type { InboxContext } from '../inbox.js';

export type MarkReadInput = { ids: number[] } | { all: true };

/** Marks some or all of the person's notifications read; returns how many were unread. */
export function markRead(ctx: InboxContext, input: MarkReadInput): number {
  const { store, userId } = ctx;
  const at = ctx.at.toISOString();
  return store.transaction(() => ('all' in input ? store.notifications.markAllRead(userId, at) : store.notifications.markRead(userId, input.ids, at)));
}
