import type { Store } from '../store/index.js';
import type { Delivery, NotificationKind, NotificationRow, WatchKind, WatchRow } from '../store/notifications.js';
import { redactText } from '../auth/visibility.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
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

export function inbox(store: Store, userId: number, hidden: ReadonlySet<string>): { unread: number; notifications: ShownNotification[] } {
  return { unread: unreadCount(store, userId, hidden), notifications: shown(store.notifications.inbox(userId, INBOX_LIMIT), hidden) };
}

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

export type MarkReadInput = { ids: number[] } | { all: true };

/** Marks some or all of the person's notifications read; returns how many were unread. */
export function markRead(ctx: InboxContext, input: MarkReadInput): number {
  const { store, userId } = ctx;
  const at = ctx.at.toISOString();
  return store.transaction(() => ('all' in input ? store.notifications.markAllRead(userId, at) : store.notifications.markRead(userId, input.ids, at)));
}

/** One notification of this person's, marked read, for opening it; a hidden page's is missing. */
export function openNotification(ctx: InboxContext, input: { id: number }): ShownNotification {
  const row = ctx.store.notifications.byIds(ctx.userId, [input.id])[0];
  const visible = row ? shown([row], ctx.hidden)[0] : undefined;
  if (!visible) throw new NotFoundError('There is no such notification in your inbox.');
  markRead(ctx, { ids: [input.id] });
  return visible;
}

export function preferencesOf(store: Store, userId: number): Record<NotificationKind, Delivery> {
  const set = store.notifications.preferences(userId);
  return Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, set.get(k) ?? 'immediate'])) as Record<NotificationKind, Delivery>;
}

/** `input` maps kinds of notification to a delivery; kinds left out keep their setting. */
export function setPreferences(ctx: InboxContext, input: Partial<Record<string, string>>): Record<NotificationKind, Delivery> {
  const { store, userId } = ctx;
  const errors = Object.entries(input)
    .filter(([k, v]) => !NOTIFICATION_KINDS.includes(k as NotificationKind) || !DELIVERIES.includes(v as Delivery))
    .map(([k, v]) => ({ field: k, message: NOTIFICATION_KINDS.includes(k as NotificationKind) ? `must be immediate, digest or off (got "${v}")` : `is not a kind of notification (kinds: ${NOTIFICATION_KINDS.join(', ')})` }));
  if (errors.length) throw new ValidationError(errors);
  store.transaction(() => {
    for (const [k, v] of Object.entries(input)) store.notifications.setPreference(userId, k as NotificationKind, v as Delivery);
  });
  return preferencesOf(store, userId);
}

/**
 * Checks a watch target against what exists, so only known names are stored (no free text): a page the
 * person may see, a configured system or a module some page has, a person or team in the directory.
 */
export interface WatchInput {
  kind: WatchKind;
  target: string;
}

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

/** The person's explicit watches, without pages they may not see. */
export function watchesOf(store: Store, userId: number, hidden: ReadonlySet<string>): WatchRow[] {
  return store.notifications.watchesOf(userId).filter((w) => w.kind !== 'page' || !hidden.has(w.target));
}

export function isWatching(store: Store, userId: number, slug: string): boolean {
  return store.notifications.watchesOf(userId).some((w) => w.kind === 'page' && w.target === slug);
}
