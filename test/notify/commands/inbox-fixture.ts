import { createUser } from '../../../server/auth/commands/create-user.js';
import type { InboxContext } from '../../../server/notify/inbox.js';
import type { Store } from '../../../server/store/index.js';
import { auditCount, PASSWORD, seedPage, seedRestrictedPage, testStore } from '../../helpers.js';

export const AT = new Date('2026-03-02T09:00:00Z');

/**
 * Two accounts, each with a notification about an open page, and one about a restricted page the first
 * may not see; the inbox commands never write audit events (a person's own reading state is not the
 * record), so the count taken here must not move.
 */
export async function inboxFixture(): Promise<{ store: Store; ctx: InboxContext; other: InboxContext; mine: number; theirs: number; hiddenOne: number; audit: number }> {
  const { store } = testStore();
  seedPage(store);
  seedRestrictedPage(store);
  const me = await createUser({ store, actor: { username: 'test' } }, { username: 'reader1', password: PASSWORD, role: 'reader' });
  const them = await createUser({ store, actor: { username: 'test' } }, { username: 'reader2', password: PASSWORD, role: 'reader' });
  const note = (userId: number, slug: string, key: string) =>
    store.notifications.insert({ key, user_id: userId, kind: 'changed', event_id: null, slug, actor: 'mreyes', title: 'Changed', text: 'A change', link: `/p/${slug}`, delivery: 'immediate', created_at: AT.toISOString() })!;
  const mine = note(me.id, 'sepsis-screening-bpa', 'a');
  const hiddenOne = note(me.id, 'restricted-page', 'b');
  const theirs = note(them.id, 'sepsis-screening-bpa', 'c');
  const base = { store, hidden: new Set(['restricted-page']), systems: ['Epic', 'Workday'], at: AT };
  return { store, ctx: { ...base, userId: me.id }, other: { ...base, userId: them.id }, mine, theirs, hiddenOne, audit: auditCount(store) };
}
