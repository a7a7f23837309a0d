import type { Store } from '../store/index.js';
import type { UserRow } from '../store/users.js';
import type { NotificationKind, WatchKind } from '../store/notifications.js';
import type { ParsedEvent } from '../outbox/consumer.js';
import { extractMentions } from '../core/mentions.js';
import { canSee, viewerFor } from '../auth/visibility.js';
import { knowledge, knowledgeBase } from '../reports/knowledge.js';

export const NOTIFICATION_KINDS: readonly NotificationKind[] = ['changed', 'mentioned', 'reply', 'flagged', 'review', 'departed', 'approval'];

/** When one event concerns a person in several ways, they get one notification: the most specific. */
const PRIORITY: Record<NotificationKind, number> = { approval: 7, flagged: 6, reply: 5, mentioned: 4, review: 3, departed: 2, changed: 1 };

/** Reminders start this many days before a page's review falls due. */
export const REVIEW_REMINDER_DAYS = 14;

export interface DeriveOptions {
  /** Whether mails are sent at all (an SMTP server is configured); without, the inbox alone. */
  mail: boolean;
}

interface Draft {
  kind: NotificationKind;
  title: string;
  text: string;
  link: string;
}

/** The people one event concerns, each with the one notification they get. */
class Recipients {
  readonly byUser = new Map<number, Draft>();
  constructor(private readonly store: Store) {}

  add(user: UserRow | undefined, draft: Draft): void {
    if (!user || !user.active) return;
    const had = this.byUser.get(user.id);
    if (!had || PRIORITY[draft.kind] > PRIORITY[had.kind]) this.byUser.set(user.id, draft);
  }

  /** A person's handle names their account; a team's names its active members' accounts. */
  addHandles(handles: Iterable<string>, draft: Draft): void {
    for (const user of usersOfHandles(this.store, handles)) this.add(user, draft);
  }
}

/** The accounts behind handles: a person's linked account, a team's active members' accounts. */
export function usersOfHandles(store: Store, handles: Iterable<string>): UserRow[] {
  const out = new Map<number, UserRow>();
  const addPerson = (handle: string) => {
    const party = store.parties.get(handle);
    if (party?.kind !== 'person' || party.status !== 'active') return;
    const user = store.users.byPerson(handle);
    if (user?.active) out.set(user.id, user);
  };
  for (const handle of handles) {
    const party = store.parties.get(handle);
    if (!party) continue;
    if (party.kind === 'person') addPerson(handle);
    else for (const m of store.parties.members(handle)) addPerson(m.handle);
  }
  return [...out.values()];
}

/** Whether this account may see the page now (a missing page counts as unseen). */
export function maySeePage(store: Store, user: Pick<UserRow, 'role' | 'person'>, slug: string): boolean {
  const head = store.pages.head(slug);
  if (!head) return false;
  const restricted = head.restricted_to ? (JSON.parse(head.restricted_to) as string[]) : null;
  return canSee(restricted, viewerFor(store, user));
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * Derives the notifications one audit event causes and writes them (and their queued mails). Runs inside
 * the consumer's transaction: synchronous, store only.
 */
export function deriveFromEvent(store: Store, event: ParsedEvent, options: DeriveOptions): void {
  const recipients = new Recipients(store);
  let slug: string | null = null;
  switch (event.action) {
    case 'page.created':
    case 'page.saved':
    case 'page.restored':
    case 'page.status_changed':
    case 'page.reviewed':
    case 'page.archived':
    case 'page.unarchived': {
      slug = event.target;
      if (slug) pageEvent(store, event, slug, recipients);
      break;
    }
    case 'comment.created': {
      slug = event.target;
      if (slug) commentEvent(store, event, slug, recipients);
      break;
    }
    case 'approval.requested': {
      slug = event.target;
      const head = slug ? store.pages.head(slug) : undefined;
      if (!head) break;
      const version = int(event.details.version) ?? head.current_version;
      const draft: Draft = { kind: 'approval', title: head.title, text: `${who(store, event.actor)} asks you to approve version ${version}.`, link: `/p/${head.slug}/v/${version}` };
      for (const username of strings(event.details.approvers)) recipients.add(store.users.byName(username), draft);
      break;
    }
    case 'person.departed': {
      departureEvent(store, event, recipients, options);
      return;
    }
    default:
      return;
  }
  write(store, recipients, { eventId: event.id, actor: event.actor, slug, at: event.at, keyOf: (userId) => `e${event.id}.u${userId}` }, options);
}

function pageEvent(store: Store, event: ParsedEvent, slug: string, recipients: Recipients): void {
  const head = store.pages.head(slug);
  if (!head) return;
  const version = int(event.details.version) ?? head.current_version;
  const row = store.pages.version(head.id, version);
  const summary = row?.summary ?? '';
  const what: Record<string, string> = {
    'page.created': 'created the page',
    'page.saved': `saved version ${version}`,
    'page.restored': `restored an earlier version as version ${version}`,
    'page.status_changed': 'changed the status',
    'page.reviewed': 'marked the page reviewed',
    'page.archived': 'archived the page',
    'page.unarchived': 'brought the page back from the archive',
  };
  const changed: Draft = {
    kind: 'changed',
    title: head.title,
    text: `${who(store, event.actor)} ${what[event.action] ?? 'changed the page'}${summary && event.action !== 'page.reviewed' ? `: ${summary}` : ''}`,
    link: version > 1 && event.action !== 'page.reviewed' ? `/p/${head.slug}/diff?from=${version - 1}&to=${version}` : `/p/${head.slug}`,
  };
  // Watchers: of the page, of its system or module, or of one of its owners; and the owners themselves.
  const owners = store.pages.ownersOf(head.id);
  const targets: [WatchKind, string][] = [['page', head.slug], ['system', head.system], ...owners.map((o): [WatchKind, string] => ['owner', o])];
  if (head.module) targets.push(['system', `${head.system}/${head.module}`]);
  for (const id of store.notifications.watchers(targets)) recipients.add(store.users.byId(id), changed);
  recipients.addHandles(owners, changed);
  // People and teams the new version mentions that the one before did not.
  if (row && (event.action === 'page.created' || event.action === 'page.saved' || event.action === 'page.restored')) {
    const before = version > 1 ? new Set(extractMentions(store.pages.version(head.id, version - 1)?.body ?? '')) : new Set<string>();
    const added = extractMentions(row.body).filter((h) => !before.has(h));
    recipients.addHandles(added, { kind: 'mentioned', title: head.title, text: `${who(store, event.actor)} mentioned you: ${summary}`, link: `/p/${head.slug}` });
  }
}

function commentEvent(store: Store, event: ParsedEvent, slug: string, recipients: Recipients): void {
  const head = store.pages.head(slug);
  if (!head) return;
  const commentId = int(event.details.comment_id);
  const link = `/p/${head.slug}${commentId ? `#comment-${commentId}` : ''}`;
  if (event.details.kind === 'wrong') {
    recipients.addHandles(store.pages.ownersOf(head.id), { kind: 'flagged', title: head.title, text: `${who(store, event.actor)} flagged something on the page as wrong.`, link });
  }
  const replyTo = str(event.details.reply_to_author);
  if (replyTo) recipients.add(store.users.byName(replyTo), { kind: 'reply', title: head.title, text: `${who(store, event.actor)} replied to your comment.`, link });
  recipients.addHandles(strings(event.details.mentions), { kind: 'mentioned', title: head.title, text: `${who(store, event.actor)} mentioned you in a comment.`, link });
}

function departureEvent(store: Store, event: ParsedEvent, recipients: Recipients, options: DeriveOptions): void {
  const handle = event.target?.startsWith('person:') ? event.target.slice('person:'.length) : null;
  const person = handle ? store.parties.get(handle) : undefined;
  if (!handle || !person) return;
  const teams = store.parties.teamsOf(handle).map((t) => t.handle);
  const people = new Set<UserRow>([...usersOfHandles(store, teams), ...store.users.list().filter((u) => u.role === 'admin' && u.active)]);
  // Pages the departure left without an active owner, counted per recipient over the pages they may see.
  const orphaned = knowledgeBase(store).pages.filter((p) => p.orphaned && p.owners.some((o) => o.handle === handle));
  for (const user of people) {
    const n = orphaned.filter((p) => maySeePage(store, user, p.slug)).length;
    recipients.add(user, {
      kind: 'departed',
      title: `${person.name} has left`,
      text: n === 0 ? `${person.name} left; every page they owned still has an active owner.` : `${person.name} left; ${n} ${n === 1 ? 'page has' : 'pages have'} no active owner now.`,
      link: n === 0 ? `/people/${handle}` : '/reports/orphans',
    });
  }
  write(store, recipients, { eventId: event.id, actor: event.actor, slug: null, at: event.at, keyOf: (userId) => `e${event.id}.u${userId}` }, options);
}

/**
 * Review reminders: owners hear once per page, due date and stage ("due within 14 days", then "overdue").
 * The key carries all three, so sweeping again (every hour, at every start) adds nothing new.
 */
export function sweepReviews(store: Store, reviewDefaults: Record<string, string>, now: Date, options: DeriveOptions): number {
  // Worked out before the write transaction, so the lock is held only for the inserts.
  const due: { slug: string; id: number; day: string; stage: 'due' | 'overdue'; recipients: Recipients }[] = [];
  for (const page of knowledge(store, reviewDefaults, now).pages) {
    const dueAt = page.review.dueAt;
    if (!dueAt) continue;
    const stage = page.review.overdue ? 'overdue' : Date.parse(dueAt) - now.getTime() <= REVIEW_REMINDER_DAYS * 86_400_000 ? 'due' : null;
    if (!stage) continue;
    const recipients = new Recipients(store);
    const day = dueAt.slice(0, 10);
    recipients.addHandles(page.activePeople, {
      kind: 'review',
      title: page.title,
      text: stage === 'overdue' ? `The review was due on ${day} and is overdue.` : `The review falls due on ${day}.`,
      link: `/p/${page.slug}`,
    });
    due.push({ slug: page.slug, id: page.id, day, stage, recipients });
  }
  return store.transaction(() => {
    let added = 0;
    for (const d of due) {
      added += write(store, d.recipients, { eventId: null, actor: null, slug: d.slug, at: now.toISOString(), keyOf: (userId) => `r.${d.id}.${d.day}.${d.stage}.u${userId}` }, options);
    }
    return added;
  });
}

/**
 * Writes each recipient's notification, unless it concerns a page they may not see, they caused it
 * themselves, or they turned that kind off; then queues a mail for those who want it at once.
 */
function write(
  store: Store,
  recipients: Recipients,
  meta: { eventId: number | null; actor: string | null; slug: string | null; at: string; keyOf: (userId: number) => string },
  options: DeriveOptions,
): number {
  let added = 0;
  for (const [userId, draft] of recipients.byUser) {
    const user = store.users.byId(userId);
    if (!user) continue;
    if (meta.actor && user.username.toLowerCase() === meta.actor.toLowerCase()) continue;
    if (meta.slug && !maySeePage(store, user, meta.slug)) continue;
    const delivery = store.notifications.preferences(userId).get(draft.kind) ?? 'immediate';
    if (delivery === 'off') continue;
    const key = meta.keyOf(userId);
    const id = store.notifications.insert({ key, user_id: userId, kind: draft.kind, event_id: meta.eventId, slug: meta.slug, actor: meta.actor, title: draft.title, text: draft.text, link: draft.link, delivery, created_at: meta.at });
    if (id === null) continue;
    added++;
    if (options.mail && delivery === 'immediate') store.notifications.queueMail(`n.${key}`, userId, 'immediate', [id], meta.at);
  }
  return added;
}

/** The day's digest instant at `now`: today at `hour` UTC. */
export function digestInstant(now: Date, hour: number): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hour));
}

/**
 * Once the day's digest hour has passed, collects each person's digest notifications made before it into
 * one queued mail per person per day (the key makes it once, however often this runs).
 */
export function collectDigests(store: Store, now: Date, hour: number): number {
  const at = digestInstant(now, hour);
  if (now < at) return 0;
  const before = at.toISOString();
  const day = before.slice(0, 10);
  let made = 0;
  for (const userId of store.notifications.digestUsers(before)) {
    const pending = store.notifications.digestPending(userId, before);
    if (pending.length && store.notifications.queueMail(`d.${day}.u${userId}`, userId, 'digest', pending.map((n) => n.id), now.toISOString()) !== null) made++;
  }
  return made;
}

/** How a notification names who acted: their directory name when the account is linked to a person, else the username. */
function who(store: Store, actor: string): string {
  const person = store.users.byName(actor)?.person;
  return (person && store.parties.get(person)?.name) || actor;
}
