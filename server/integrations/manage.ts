import { randomBytes } from 'node:crypto';
import type { CommandContext } from '../core/context.js';
import { NotFoundError, ValidationError, type FieldError } from '../core/errors.js';
import { recordAudit } from '../audit/log.js';
import { refuseIfPhi } from '../phi/guard.js';
import type { IntegrationKind, IntegrationRow } from '../store/integrations.js';

/** The audit actions an integration can be told about, by the same names. */
export const INTEGRATION_EVENTS = ['page.created', 'page.saved', 'page.status_changed', 'page.reviewed', 'comment.created', 'person.departed'] as const;
export type IntegrationEvent = (typeof INTEGRATION_EVENTS)[number];
export const INTEGRATION_KINDS: readonly IntegrationKind[] = ['webhook', 'slack', 'teams'];

export const isIntegrationEvent = (name: string): name is IntegrationEvent => (INTEGRATION_EVENTS as readonly string[]).includes(name);

export interface IntegrationInput {
  kind?: IntegrationKind;
  url: string;
  events?: string[];
  secret?: string;
  label?: string;
  team?: string;
  system?: string;
}

/** An integration as admins see it: never its secret, and never the secret part of a chat URL. */
export interface IntegrationView {
  id: number;
  kind: IntegrationKind;
  label: string;
  url: string;
  events: string[];
  team: string | null;
  system: string | null;
  created_at: string;
  created_by: string;
  removed_at: string | null;
}

/**
 * The address shown back: a webhook's without its query (which may carry a token), a Slack or Teams URL
 * only by its host, since the whole URL is what lets anyone post to the channel.
 */
export function urlHint(kind: IntegrationKind, url: string): string {
  const u = new URL(url);
  return kind === 'webhook' ? `${u.origin}${u.pathname}` : `${u.origin}/…`;
}

export function integrationView(row: IntegrationRow): IntegrationView {
  return {
    id: row.id,
    kind: row.kind,
    label: row.label,
    url: urlHint(row.kind, row.url),
    events: JSON.parse(row.events) as string[],
    team: row.team,
    system: row.system,
    created_at: row.created_at,
    created_by: row.created_by,
    removed_at: row.removed_at,
  };
}

/** Why a receiver URL is refused, or null. Only http(s): the wiki posts nowhere else (no file:, no gopher:). */
export function urlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${url.slice(0, 80)}" is not a URL: give the full address, such as https://hooks.example.org/whywiki.`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `Only http:// and https:// addresses can receive events (got ${u.protocol}).`;
  if (u.username || u.password) return 'Put no user name or password in the URL: webhooks are signed with their secret instead.';
  return null;
}

/**
 * Connects a webhook, or a Slack or Teams channel, with one audit event. Returns the stored row and, for a
 * webhook, its secret: the one time it is shown (a generated one when none was given).
 */
export function connectIntegration(ctx: CommandContext, input: IntegrationInput): { integration: IntegrationView; secret: string | null } {
  const kind = input.kind ?? 'webhook';
  const url = input.url.trim();
  const errors: FieldError[] = [];
  const problem = urlProblem(url);
  if (problem) errors.push({ field: 'url', message: problem });
  const unknown = (input.events ?? []).filter((e) => !isIntegrationEvent(e));
  if (unknown.length) errors.push({ field: 'events', message: `Unknown event${unknown.length > 1 ? 's' : ''} ${unknown.map((e) => `"${e}"`).join(', ')}: choose from ${INTEGRATION_EVENTS.join(', ')}.` });
  let events = [...new Set(input.events ?? [])].filter(isIntegrationEvent);
  // A channel with no choice made hears about everything; a webhook's receiver must say what it handles.
  if (events.length === 0 && !unknown.length) {
    if (kind === 'webhook') errors.push({ field: 'events', message: `Choose at least one event: ${INTEGRATION_EVENTS.join(', ')}.` });
    else events = [...INTEGRATION_EVENTS];
  }
  const givenSecret = input.secret?.trim() || undefined;
  if (kind !== 'webhook' && givenSecret) errors.push({ field: 'secret', message: 'Slack and Teams URLs carry their own secret: leave the secret empty.' });
  if (kind === 'webhook' && givenSecret !== undefined && (givenSecret.length < 16 || givenSecret.length > 256)) {
    errors.push({ field: 'secret', message: 'A secret must be 16 to 256 characters; leave it empty to have one made.' });
  }
  const team = input.team?.trim().toLowerCase() || null;
  const system = input.system?.trim() || null;
  if (team && system) errors.push({ field: 'team', message: 'Choose a team or a system, not both.' });
  if (team && ctx.store.parties.get(team)?.kind !== 'team') errors.push({ field: 'team', message: `There is no team "${team}".` });
  if (system && !ctx.systems.includes(system)) errors.push({ field: 'system', message: `"${system}" is not one of the systems: ${ctx.systems.join(', ')}.` });
  const label = input.label?.trim() || (problem ? '' : new URL(url).host);
  if (label.length > 100) errors.push({ field: 'label', message: 'A name is at most 100 characters.' });
  if (errors.length) throw new ValidationError(errors);
  refuseIfPhi(ctx.phi, { label });

  const secret = kind === 'webhook' ? (givenSecret ?? randomBytes(32).toString('hex')) : null;
  const at = (ctx.at ?? new Date()).toISOString();
  const id = ctx.store.transaction(() => {
    const newId = ctx.store.integrations.insert({ kind, label, url, secret, events: JSON.stringify(events), team, system, created_at: at, created_by: ctx.actor.username });
    // The host only: a chat URL's path is its secret, and the audit log is read by auditors.
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'integration.added', target: `integration:${newId}`, client: ctx.client, at, details: { kind, label, host: new URL(url).host, events, team, system } });
    return newId;
  });
  return { integration: integrationView(ctx.store.integrations.get(id)!), secret };
}

/** Disconnects it: nothing more is sent, pending deliveries are withheld; its delivery log stays readable. */
export function removeIntegration(ctx: CommandContext, id: number): IntegrationView {
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => {
    const row = ctx.store.integrations.get(id);
    if (!row || !ctx.store.integrations.remove(id, at)) throw new NotFoundError(`There is no connected integration ${id}.`);
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'integration.removed', target: `integration:${id}`, client: ctx.client, at, details: { kind: row.kind, label: row.label } });
  });
  return integrationView(ctx.store.integrations.get(id)!);
}
