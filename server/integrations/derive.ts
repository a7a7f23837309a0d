import { randomUUID } from 'node:crypto';
import type { Store } from '../store/index.js';
import type { IntegrationRow } from '../store/integrations.js';
import type { ParsedEvent } from '../outbox/consumer.js';
import type { FrontMatter } from '../pages/schema.js';
import { isIntegrationEvent } from './manage.js';
import { bodyFor, type EventMessage } from './payloads.js';
import { hiddenSlugs, redactValue } from '../auth/visibility.js';

/** What decides whether an integration may hear about a page: its teams, owners and system. */
/**
 * Deliveries kept per integration: each new one prunes the oldest settled ones beyond this, in the
 * transaction that writes it, so the log never grows without bound. The audit log keeps every event a
 * delivery was made from; the deliveries themselves (sent, failed, withheld) are the operator's log.
 */
export const DELIVERY_LOG_KEEP = 1000;
/** At most this many are pruned per new delivery: a log grown before pruning shrinks over the next writes, never in one long transaction. */
export const DELIVERY_PRUNE_BATCH = 20;

export interface PageScope {
  restrictedTo: string[];
  owners: string[];
  system: string;
}

/** A page's scope as it stands now, or null when there is no such page (renamed or never there). */
export function currentScope(store: Store, slug: string): PageScope | null {
  const head = store.pages.head(slug);
  const row = head && store.pages.version(head.id, head.current_version);
  if (!head || !row) return null;
  const fm = JSON.parse(row.front_matter) as FrontMatter;
  return { restrictedTo: fm.restricted_to ?? [], owners: fm.owners, system: fm.system };
}

/**
 * Whether this integration may be told about a page. A restricted page reaches only integrations scoped to
 * one of the teams it is restricted to; a team's integration hears about pages the team or its members own
 * (or that are restricted to it); a system's about that system's pages; an unscoped one about every open page.
 */
export function reachesPage(store: Store, integration: Pick<IntegrationRow, 'team' | 'system'>, page: PageScope): boolean {
  if (page.restrictedTo.length && !(integration.team && page.restrictedTo.includes(integration.team))) return false;
  if (integration.team) {
    if (page.restrictedTo.includes(integration.team) || page.owners.includes(integration.team)) return true;
    const members = new Set(store.parties.members(integration.team).map((p) => p.handle));
    return page.owners.some((o) => members.has(o));
  }
  if (integration.system) return page.system === integration.system;
  return true;
}

function displayName(store: Store, username: string): string {
  const person = store.users.byName(username)?.person;
  return (person && store.parties.get(person)?.name) || username;
}

export interface DeriveOptions {
  publicUrl: string | undefined;
  now: () => Date;
}

/**
 * The integrations consumer's work for one audit event: one pending delivery per integration that wants
 * it and may hear about it, with the exact body to send. Runs inside the consumer's transaction.
 */
export function deriveDeliveries(store: Store, event: ParsedEvent, options: DeriveOptions): number {
  if (!isIntegrationEvent(event.action)) return 0;
  const name = event.action;
  const wanting = store.integrations.active().filter((i) => (JSON.parse(i.events) as string[]).includes(name));
  if (!wanting.length) return 0;
  const base = options.publicUrl ?? '';
  const message: Omit<EventMessage, 'delivery'> = { event: name, occurred_at: event.at, actor: { username: event.actor, name: displayName(store, event.actor) } };
  let reaches: (i: IntegrationRow) => boolean;
  let slug: string | null = null;

  if (name === 'person.departed') {
    const handle = (event.target ?? '').replace(/^person:/, '');
    const person = store.parties.get(handle);
    if (!person) return 0;
    const successor = typeof event.details.successor === 'string' ? event.details.successor : null;
    // The reason for leaving is a person's own business: it stays in the wiki.
    message.person = { handle, name: person.name, departed_on: typeof event.details.date === 'string' ? event.details.date : person.departed_on, successor, url: `${base}/people/${handle}` };
    const teams = new Set(store.parties.teamsOf(handle).map((t) => t.handle));
    reaches = (i) => (i.team ? teams.has(i.team) : !i.system);
  } else {
    slug = event.target;
    const head = slug ? store.pages.head(slug) : undefined;
    const now = slug ? currentScope(store, slug) : null;
    if (!slug || !head || !now) return 0;
    const version = typeof event.details.version === 'number' ? event.details.version : head.current_version;
    const row = store.pages.version(head.id, version) ?? store.pages.version(head.id, head.current_version)!;
    const fm = JSON.parse(row.front_matter) as FrontMatter;
    // Restricted then or now: either keeps the event from integrations outside the page's teams.
    const scope: PageScope = { restrictedTo: [...new Set([...(fm.restricted_to ?? []), ...now.restrictedTo])], owners: fm.owners, system: fm.system };
    message.page = { slug, title: fm.title, system: fm.system, module: fm.module ?? null, status: fm.status, url: `${base}/p/${slug}`, version: row.version };
    const d = event.details;
    if (name === 'page.saved' || name === 'page.status_changed') {
      const status = d.status as { from?: unknown; to?: unknown } | undefined;
      message.change = {
        ...(typeof d.summary === 'string' ? { summary: d.summary } : {}),
        ...(status && typeof status.from === 'string' && typeof status.to === 'string' ? { status: { from: status.from, to: status.to } } : {}),
      };
    }
    if (name === 'page.reviewed' && typeof d.note === 'string') message.change = { note: d.note };
    if (name === 'comment.created') {
      message.comment = { id: d.comment_id ?? null, kind: d.kind ?? null, reply_to: d.reply_to ?? null, reply_to_author: d.reply_to_author ?? null, mentions: d.mentions ?? [], url: d.comment_id === undefined ? null : `${base}/p/${slug}#comment-${String(d.comment_id)}` };
    }
    reaches = (i) => reachesPage(store, i, scope);
  }

  let n = 0;
  const at = options.now().toISOString();
  // An open page's summary or note may name a restricted one: to an integration outside its team it is
  // "a restricted page", as it is to a person outside the team.
  const hiddenFor = new Map<string, Set<string>>();
  const hidden = (team: string | null) => {
    let set = hiddenFor.get(team ?? '');
    if (!set) hiddenFor.set(team ?? '', (set = hiddenSlugs(store, { admin: false, teams: team ? [team] : [] })));
    return set;
  };
  for (const integration of wanting.filter(reaches)) {
    const delivery = randomUUID();
    store.integrations.insertDelivery({
      delivery_id: delivery, integration_id: integration.id, event_id: event.id, event: name, slug,
      body: bodyFor(integration.kind, redactValue({ ...message, delivery }, hidden(integration.team))), state: 'pending', next_attempt_at: at, created_at: at,
    });
    store.integrations.pruneDeliveries(integration.id, DELIVERY_LOG_KEEP, DELIVERY_PRUNE_BATCH);
    n++;
  }
  return n;
}
