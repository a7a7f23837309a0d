import type { Store } from '../store/index.js';
import type { Delivery, NotificationKind, NotificationRow, WatchRow } from '../store/notifications.js';
import { redactText } from '../auth/visibility.js';
import { NOTIFICATION_KINDS } from './derive.js';
import { KIND_LABELS } from './mail.js';

export const DELIVERIES: readonly Delivery[] = ['immediate', 'digest', 'off'];
export const KIND_DESCRIPTIONS: Record<NotificationKind, string> = {
  changed: 'A page you own or watch was created, saved, restored, reviewed or changed status',
  mentioned: 'Someone mentioned you or your team on a page or in a comment',
  reply: 'Someone replied to your comment',
  flagged: 'Someone flagged a page you own as wrong',
  review: 'A page you own is due for review within 14 days, or overdue',
  departed: 'Someone on your team (or, for admins, anyone) left, and what they owned',
  approval: 'Someone asks you to approve a version',
};

/** A notification as its reader sees it: nothing about a page they may no longer see, hidden pages unnamed. */
export interface ShownNotification {
  id: number;
  kind: NotificationKind;
  label: string;
  title: string;
  text: string;
  link: string;
  slug: string | null;
  actor: string | null;
  created_at: string;
  read: boolean;
}

/**
 * Visibility is decided again when read: a page restricted since the notification was made drops out of
 * the inbox (and out of the count), as it drops out of every list.
 */
export function shown(rows: NotificationRow[], hidden: ReadonlySet<string>): ShownNotification[] {
  return rows
    .filter((n) => !n.slug || !hidden.has(n.slug))
    .map((n) => ({
      id: n.id,
      kind: n.kind,
      label: KIND_LABELS[n.kind],
      title: redactText(n.title, hidden),
      text: redactText(n.text, hidden),
      link: n.link,
      slug: n.slug,
      actor: n.actor,
      created_at: n.created_at,
      read: n.read_at !== null,
    }));
}

export const INBOX_LIMIT = 200;

/** One page of an inbox (the first `INBOX_LIMIT` when no page is asked for), with the unread and whole counts. */
export function inbox(store: Store, userId: number, hidden: ReadonlySet<string>, page: { limit: number; offset: number } = { limit: INBOX_LIMIT, offset: 0 }): { unread: number; total: number; notifications: ShownNotification[] } {
  const h = [...hidden];
  return { unread: unreadCount(store, userId, hidden), total: store.notifications.inboxCount(userId, h), notifications: shown(store.notifications.inbox(userId, page.limit, page.offset, h), hidden) };
}

/**
 * The inbox read a page at a time for the API: the `limit + 1` notifications after `after` (the one last
 * listed, with whether it was read then, so marking it read meanwhile neither skips nor restarts), with the
 * unread and whole counts. `cursor` is undefined when `after` names no notification this person may see.
 */
export function inboxAfter(store: Store, userId: number, hidden: ReadonlySet<string>, limit: number, after?: { read: boolean; id: number }): { unread: number; total: number; cursorKnown: boolean; notifications: ShownNotification[] } {
  const h = [...hidden];
  const known = after === undefined || shown(store.notifications.byIds(userId, [after.id]), hidden).length === 1;
  const rows = after === undefined ? store.notifications.inbox(userId, limit + 1, 0, h) : known ? store.notifications.inboxAfter(userId, after, limit + 1, h) : [];
  return { unread: unreadCount(store, userId, hidden), total: store.notifications.inboxCount(userId, h), cursorKnown: known, notifications: shown(rows, hidden) };
}

/** The `after` key of a notification in the inbox's order: u or r (unread or read when listed), then its id. */
export const inboxKey = (n: Pick<ShownNotification, 'id' | 'read'>): string => `${n.read ? 'r' : 'u'}${n.id}`;

export function unreadCount(store: Store, userId: number, hidden: ReadonlySet<string>): number {
  return store.notifications.unreadCount(userId, [...hidden]);
}

/**
 * Who changes their own inbox, watches and settings: the signed-in account, the pages it may not see,
 * the configured systems (watch targets) and the time. Each person only ever changes their own rows.
 */
export interface InboxContext {
  store: Store;
  userId: number;
  hidden: ReadonlySet<string>;
  systems: readonly string[];
  at: Date;
}

export function preferencesOf(store: Store, userId: number): Record<NotificationKind, Delivery> {
  const set = store.notifications.preferences(userId);
  return Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, set.get(k) ?? 'immediate'])) as Record<NotificationKind, Delivery>;
}

/** The person's explicit watches, without pages they may not see. */
export function watchesOf(store: Store, userId: number, hidden: ReadonlySet<string>): WatchRow[] {
  return store.notifications.watchesOf(userId).filter((w) => w.kind !== 'page' || !hidden.has(w.target));
}

export function isWatching(store: Store, userId: number, slug: string): boolean {
  return store.notifications.watchesOf(userId).some((w) => w.kind === 'page' && w.target === slug);
}
