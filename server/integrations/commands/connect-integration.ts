import { randomBytes } from 'node:crypto';
import type { CommandContext } from '../../core/context.js';
import { ValidationError, type FieldError } from '../../core/errors.js';
import { recordAudit } from '../../audit/log.js';
import { refuseIfPhi } from '../../phi/guard.js';
import { INTEGRATION_EVENTS, integrationView, isIntegrationEvent, urlProblem, type IntegrationInput, type IntegrationView } from '../manage.js';

/** The receiver: its kind, URL, the events it hears, a webhook's secret, and a team or system to narrow it. */
export type ConnectIntegrationInput = IntegrationInput;

export interface ConnectedIntegration {
  integration: IntegrationView;
  /** A webhook's secret, shown this once; null for Slack and Teams. */
  secret: string | null;
}

/**
 * Connects a webhook, or a Slack or Teams channel, with one audit event. Returns the stored row and, for a
 * webhook, its secret: the one time it is shown (a generated one when none was given).
 */
export function connectIntegration(ctx: CommandContext, input: ConnectIntegrationInput): ConnectedIntegration {
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
