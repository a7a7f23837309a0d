import type { IntegrationKind } from '../store/integrations.js';
import type { IntegrationEvent } from './manage.js';

/** What one event says, built once when the delivery is derived, so every retry sends the same bytes. */
export interface EventMessage {
  event: IntegrationEvent;
  delivery: string;
  occurred_at: string;
  actor: { username: string; name: string };
  page?: { slug: string; title: string; system: string; module: string | null; status: string; url: string; version: number };
  change?: { summary?: string; status?: { from: string; to: string }; note?: string };
  comment?: { id: unknown; kind: unknown; reply_to: unknown; reply_to_author: unknown; mentions: unknown; url: string | null };
  person?: { handle: string; name: string; departed_on: string | null; successor: string | null; url: string };
}

/** One line saying what happened, for chat. */
export function headline(m: EventMessage): string {
  const who = m.actor.name;
  switch (m.event) {
    case 'page.created': return `${who} wrote a new page`;
    case 'page.saved': return `${who} edited the page${m.change?.summary ? `: ${m.change.summary}` : ''}`;
    case 'page.status_changed': return `${who} changed the status${m.change?.status ? ` from ${m.change.status.from} to ${m.change.status.to}` : ''}`;
    case 'page.reviewed': return `${who} reviewed the page: it still holds${m.change?.note ? ` (${m.change.note})` : ''}`;
    case 'comment.created': return `${who} commented on the page`;
    case 'person.departed': return `${m.person?.name ?? 'Someone'} has left${m.person?.successor ? `; ${m.person.successor} takes over` : ''} (recorded by ${who})`;
  }
}

const titleOf = (m: EventMessage) => m.page ? `${m.page.title}` : m.person ? `${m.person.name} (${m.person.handle})` : m.event;
const linkOf = (m: EventMessage) => m.comment?.url ?? m.page?.url ?? m.person?.url ?? null;
const absolute = (url: string | null) => (url && /^https?:\/\//.test(url) ? url : null);

/** Slack's mrkdwn treats &, < and > as markup. */
const slackEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A Slack incoming-webhook message: a plain-text fallback plus blocks. */
export function slackPayload(m: EventMessage): object {
  const link = absolute(linkOf(m));
  const title = slackEscape(titleOf(m));
  const context = [m.page ? `${m.page.system}${m.page.module ? ` · ${m.page.module}` : ''}` : null, `by ${m.actor.name}`, m.event].filter(Boolean).join(' · ');
  return {
    // The notification text is mrkdwn too: unescaped, a summary could hold <!channel> or a disguised link.
    text: slackEscape(`${titleOf(m)}: ${headline(m)}`),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${link ? `<${link}|${title}>` : title}*\n${slackEscape(headline(m))}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(context) }] },
    ],
  };
}

/** A Teams Workflows ("post to a channel when a webhook request is received") message: one Adaptive Card. */
export function teamsPayload(m: EventMessage): object {
  const link = absolute(linkOf(m));
  const facts = [
    ...(m.page ? [{ title: 'System', value: m.page.module ? `${m.page.system} · ${m.page.module}` : m.page.system }, { title: 'Status', value: m.page.status }] : []),
    { title: 'By', value: m.actor.name },
    { title: 'Event', value: m.event },
  ];
  // Teams renders Markdown (links included) in TextBlock and FactSet; a TextRun shows its text as written,
  // so a title or summary cannot put a link of its own on a card that carries the wiki's name.
  const text = (t: string, style: Record<string, string> = {}) => ({ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: t, ...style }] });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            text(titleOf(m), { weight: 'Bolder', size: 'Medium' }),
            text(headline(m)),
            ...facts.map((f) => ({ type: 'RichTextBlock', spacing: 'Small', inlines: [{ type: 'TextRun', text: `${f.title}: `, weight: 'Bolder' }, { type: 'TextRun', text: f.value }] })),
          ],
          // Teams opens only absolute links: without WHYWIKI_PUBLIC_URL the card has no button.
          ...(link ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in Whywiki', url: link }] } : {}),
        },
      },
    ],
  };
}

/** The exact body sent to an integration of this kind. */
export function bodyFor(kind: IntegrationKind, m: EventMessage): string {
  return JSON.stringify(kind === 'slack' ? slackPayload(m) : kind === 'teams' ? teamsPayload(m) : m);
}
