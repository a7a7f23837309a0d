import type { DB } from './db.js';

export type NotificationKind = 'changed' | 'mentioned' | 'reply' | 'flagged' | 'review' | 'departed' | 'approval';
export type Delivery = 'immediate' | 'digest' | 'off';
export type WatchKind = 'page' | 'system' | 'owner';

export interface WatchRow {
  id: number;
  user_id: number;
  kind: WatchKind;
  target: string;
  created_at: string;
}

export interface NotificationRow {
  id: number;
  key: string;
  user_id: number;
  kind: NotificationKind;
  event_id: number | null;
  slug: string | null;
  actor: string | null;
  title: string;
  text: string;
  link: string;
  delivery: 'immediate' | 'digest';
  created_at: string;
  read_at: string | null;
  mail_id: number | null;
}

export type NewNotification = Omit<NotificationRow, 'id' | 'read_at' | 'mail_id'>;

export interface MailRow {
  id: number;
  key: string;
  user_id: number;
  kind: 'immediate' | 'digest';
  state: 'queued' | 'sent' | 'failed' | 'dropped';
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface MailListRow extends MailRow {
  username: string;
}

/**
 * The first page of a person's inbox: unread first, then newest first. The ORDER BY is written exactly as the
 * notifications_inbox_order index (migration 024) is, so the rows are read off the index, not sorted.
 */
export const INBOX_SQL = `SELECT * FROM notifications WHERE user_id = ? AND (slug IS NULL OR slug NOT IN (SELECT value FROM json_each(?)))
       ORDER BY read_at IS NOT NULL, id DESC LIMIT ? OFFSET ?`;

/** Watches, preferences, the inbox and the mail queue (see migration 010). */
export class NotificationStore {
  private readonly addWatchStmt;
  private readonly removeWatchStmt;
  private readonly removeWatchByIdStmt;
  private readonly watchesOfStmt;
  private readonly watchersStmt;
  private readonly prefsStmt;
  private readonly setPrefStmt;
  private readonly insertStmt;
  private readonly inboxStmt;
  private readonly inboxCountStmt;
  private readonly inboxAfterStmt;
  private readonly byIdsStmt;
  private readonly unreadStmt;
  private readonly unreadCountStmt;
  private readonly markReadStmt;
  private readonly markAllReadStmt;
  private readonly insertMailStmt;
  private readonly attachMailStmt;
  private readonly dueMailsStmt;
  private readonly mailStmt;
  private readonly ofMailStmt;
  private readonly mailSentStmt;
  private readonly mailRetryStmt;
  private readonly mailEndStmt;
  private readonly digestPendingStmt;
  private readonly digestUsersStmt;
  private readonly mailCountsStmt;
  private readonly troubleStmt;
  private readonly troubleCountStmt;
  private readonly replaceTextStmt;

  constructor(db: DB) {
    this.addWatchStmt = db.prepare<[number, string, string, string]>('INSERT OR IGNORE INTO watches (user_id, kind, target, created_at) VALUES (?, ?, ?, ?)');
    this.removeWatchStmt = db.prepare<[number, string, string]>('DELETE FROM watches WHERE user_id = ? AND kind = ? AND target = ?');
    this.removeWatchByIdStmt = db.prepare<[number, number]>('DELETE FROM watches WHERE user_id = ? AND id = ?');
    this.watchesOfStmt = db.prepare<[number], WatchRow>('SELECT * FROM watches WHERE user_id = ? ORDER BY kind, target');
    this.watchersStmt = db.prepare<[string], { user_id: number }>(
      `SELECT DISTINCT user_id FROM watches WHERE (kind, target) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))`,
    );
    this.prefsStmt = db.prepare<[number], { kind: NotificationKind; delivery: Delivery }>('SELECT kind, delivery FROM notification_preferences WHERE user_id = ?');
    this.setPrefStmt = db.prepare<[number, string, string]>(
      `INSERT INTO notification_preferences (user_id, kind, delivery) VALUES (?, ?, ?)
       ON CONFLICT(user_id, kind) DO UPDATE SET delivery = excluded.delivery`,
    );
    this.replaceTextStmt = db.prepare<[{ slugs: string; text: string; marker: string }]>(
      `UPDATE notifications SET title = replace(title, @text, @marker), text = replace(text, @text, @marker)
       WHERE slug IN (SELECT value FROM json_each(@slugs)) AND (instr(title, @text) > 0 OR instr(text, @text) > 0)`,
    );
    this.insertStmt = db.prepare<[NewNotification]>(
      `INSERT OR IGNORE INTO notifications (key, user_id, kind, event_id, slug, actor, title, text, link, delivery, created_at)
       VALUES (@key, @user_id, @kind, @event_id, @slug, @actor, @title, @text, @link, @delivery, @created_at)`,
    );
    // Unread first, then newest first.
    // Hidden pages' notifications are left out in the query, so they take no place in a page and no part in the count.
    this.inboxStmt = db.prepare<[number, string, number, number], NotificationRow>(INBOX_SQL);
    // The same order continued after one notification: its read state (0 unread, 1 read) and id.
    this.inboxAfterStmt = db.prepare<[{ user: number; hidden: string; read: number; id: number; limit: number }], NotificationRow>(
      `SELECT * FROM notifications WHERE user_id = @user AND (slug IS NULL OR slug NOT IN (SELECT value FROM json_each(@hidden)))
         AND ((read_at IS NOT NULL) > @read OR ((read_at IS NOT NULL) = @read AND id < @id))
       ORDER BY read_at IS NOT NULL, id DESC LIMIT @limit`,
    );
    this.inboxCountStmt = db.prepare<[number, string], number>(
      'SELECT count(*) FROM notifications WHERE user_id = ? AND (slug IS NULL OR slug NOT IN (SELECT value FROM json_each(?)))',
    ).pluck();
    this.byIdsStmt = db.prepare<[number, string], NotificationRow>('SELECT * FROM notifications WHERE user_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id');
    this.unreadStmt = db.prepare<[number], NotificationRow>('SELECT * FROM notifications WHERE user_id = ? AND read_at IS NULL ORDER BY id DESC');
    this.unreadCountStmt = db.prepare<[number, string], number>(
      'SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL AND (slug IS NULL OR slug NOT IN (SELECT value FROM json_each(?)))',
    ).pluck();
    this.markReadStmt = db.prepare<[string, number, string]>(
      'UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL AND id IN (SELECT value FROM json_each(?))',
    );
    this.markAllReadStmt = db.prepare<[string, number]>('UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL');
    this.insertMailStmt = db.prepare<[string, number, string, string, string]>(
      `INSERT OR IGNORE INTO notification_mails (key, user_id, kind, state, next_attempt_at, created_at) VALUES (?, ?, ?, 'queued', ?, ?)`,
    );
    this.attachMailStmt = db.prepare<[number, string]>('UPDATE notifications SET mail_id = ? WHERE id IN (SELECT value FROM json_each(?))');
    this.dueMailsStmt = db.prepare<[string, number], MailRow>(
      `SELECT * FROM notification_mails WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
    );
    this.mailStmt = db.prepare<[number], MailRow>('SELECT * FROM notification_mails WHERE id = ?');
    this.ofMailStmt = db.prepare<[number], NotificationRow>('SELECT * FROM notifications WHERE mail_id = ? ORDER BY id');
    this.mailSentStmt = db.prepare<[string, number]>(`UPDATE notification_mails SET state = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND state = 'queued'`);
    this.mailRetryStmt = db.prepare<[string, string, number]>(
      `UPDATE notification_mails SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'queued'`,
    );
    this.mailEndStmt = db.prepare<[string, string | null, number]>(`UPDATE notification_mails SET state = ?, last_error = coalesce(?, last_error) WHERE id = ? AND state = 'queued'`);
    this.digestUsersStmt = db.prepare<[string], { user_id: number }>(
      `SELECT DISTINCT user_id FROM notifications WHERE delivery = 'digest' AND mail_id IS NULL AND created_at < ?`,
    );
    this.digestPendingStmt = db.prepare<[number, string], NotificationRow>(
      `SELECT * FROM notifications WHERE user_id = ? AND delivery = 'digest' AND mail_id IS NULL AND created_at < ? ORDER BY id`,
    );
    this.mailCountsStmt = db.prepare<[], { state: string; failing: number; n: number }>(
      'SELECT state, last_error IS NOT NULL AS failing, count(*) AS n FROM notification_mails GROUP BY state, failing',
    );
    this.troubleStmt = db.prepare<[number, number], MailListRow>(
      `SELECT m.*, u.username FROM notification_mails m JOIN users u ON u.id = m.user_id
       WHERE m.state = 'failed' OR (m.state = 'queued' AND m.last_error IS NOT NULL) ORDER BY m.id DESC LIMIT ? OFFSET ?`,
    );
    this.troubleCountStmt = db.prepare<[], number>(
      `SELECT count(*) FROM notification_mails WHERE state = 'failed' OR (state = 'queued' AND last_error IS NOT NULL)`,
    ).pluck();
  }

  watch(userId: number, kind: WatchKind, target: string, at: string): void {
    this.addWatchStmt.run(userId, kind, target, at);
  }

  unwatch(userId: number, kind: WatchKind, target: string): boolean {
    return this.removeWatchStmt.run(userId, kind, target).changes > 0;
  }

  unwatchById(userId: number, id: number): boolean {
    return this.removeWatchByIdStmt.run(userId, id).changes > 0;
  }

  watchesOf(userId: number): WatchRow[] {
    return this.watchesOfStmt.all(userId);
  }

  /** Users watching any of the given (kind, target) pairs. */
  watchers(targets: [WatchKind, string][]): number[] {
    return this.watchersStmt.all(JSON.stringify(targets)).map((r) => r.user_id);
  }

  preferences(userId: number): Map<NotificationKind, Delivery> {
    return new Map(this.prefsStmt.all(userId).map((r) => [r.kind, r.delivery]));
  }

  setPreference(userId: number, kind: NotificationKind, delivery: Delivery): void {
    this.setPrefStmt.run(userId, kind, delivery);
  }

  /** Adds the notification unless one with its key exists; returns its id when it was added. */
  /**
   * Replaces `text` with `marker` in the notifications about these pages (a purge): mails are composed
   * from them when sent, so mails still queued lose it too. Returns how many changed.
   */
  replaceText(slugs: string[], text: string, marker: string): number {
    return this.replaceTextStmt.run({ slugs: JSON.stringify(slugs), text, marker }).changes;
  }

  insert(row: NewNotification): number | null {
    const r = this.insertStmt.run(row);
    return r.changes > 0 ? Number(r.lastInsertRowid) : null;
  }

  /** One page of a person's inbox, unread first then newest, hidden pages' notifications left out. */
  inbox(userId: number, limit: number, offset = 0, hidden: readonly string[] = []): NotificationRow[] {
    return this.inboxStmt.all(userId, JSON.stringify(hidden), limit, offset);
  }

  /** The inbox in the same order after a notification that was `read` (or not) when listed, hidden pages' left out. */
  inboxAfter(userId: number, after: { read: boolean; id: number }, limit: number, hidden: readonly string[] = []): NotificationRow[] {
    return this.inboxAfterStmt.all({ user: userId, hidden: JSON.stringify(hidden), read: after.read ? 1 : 0, id: after.id, limit });
  }

  /** How many notifications a person's inbox holds, hidden pages' left out. */
  inboxCount(userId: number, hidden: readonly string[]): number {
    return this.inboxCountStmt.get(userId, JSON.stringify(hidden)) as number;
  }

  byIds(userId: number, ids: number[]): NotificationRow[] {
    return this.byIdsStmt.all(userId, JSON.stringify(ids));
  }

  unread(userId: number): NotificationRow[] {
    return this.unreadStmt.all(userId);
  }

  /** Unread notifications, leaving out those about the given (hidden) pages. */
  unreadCount(userId: number, hiddenSlugs: string[]): number {
    return this.unreadCountStmt.get(userId, JSON.stringify(hiddenSlugs)) as number;
  }

  markRead(userId: number, ids: number[], at: string): number {
    return this.markReadStmt.run(at, userId, JSON.stringify(ids)).changes;
  }

  markAllRead(userId: number, at: string): number {
    return this.markAllReadStmt.run(at, userId).changes;
  }

  /** Queues a mail carrying the given notifications, unless a mail with its key exists; returns its id when queued. */
  queueMail(key: string, userId: number, kind: 'immediate' | 'digest', notificationIds: number[], at: string): number | null {
    const r = this.insertMailStmt.run(key, userId, kind, at, at);
    if (r.changes === 0) return null;
    const id = Number(r.lastInsertRowid);
    this.attachMailStmt.run(id, JSON.stringify(notificationIds));
    return id;
  }

  dueMails(now: string, limit: number): MailRow[] {
    return this.dueMailsStmt.all(now, limit);
  }

  mail(id: number): MailRow | undefined {
    return this.mailStmt.get(id);
  }

  notificationsOfMail(mailId: number): NotificationRow[] {
    return this.ofMailStmt.all(mailId);
  }

  markSent(id: number, at: string): void {
    this.mailSentStmt.run(at, id);
  }

  retryLater(id: number, nextAttemptAt: string, error: string): void {
    this.mailRetryStmt.run(nextAttemptAt, error, id);
  }

  /** Ends a queued mail without sending it: 'failed' (gave up) or 'dropped' (nothing left the recipient may see). */
  endMail(id: number, state: 'failed' | 'dropped', error: string | null): void {
    this.mailEndStmt.run(state, error, id);
  }

  /** Users with digest notifications made before `before` that no digest has collected yet. */
  digestUsers(before: string): number[] {
    return this.digestUsersStmt.all(before).map((r) => r.user_id);
  }

  digestPending(userId: number, before: string): NotificationRow[] {
    return this.digestPendingStmt.all(userId, before);
  }

  /** Mails by state; `failing` counts queued mails whose last attempt failed. */
  mailCounts(): { queued: number; failing: number; sent: number; failed: number; dropped: number } {
    const out = { queued: 0, failing: 0, sent: 0, failed: 0, dropped: 0 };
    for (const r of this.mailCountsStmt.all()) {
      out[r.state as keyof typeof out] += r.n;
      if (r.state === 'queued' && r.failing) out.failing += r.n;
    }
    return out;
  }

  /** Mails that failed for good, or whose last attempt failed, newest first. */
  troubled(limit: number, offset = 0): MailListRow[] {
    return this.troubleStmt.all(limit, offset);
  }

  /** How many mails `troubled` lists in all. */
  troubledCount(): number {
    return this.troubleCountStmt.get() as number;
  }
}
