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
