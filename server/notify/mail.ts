import fs from 'node:fs';
import path from 'node:path';
import handlebars from 'handlebars';
import nodemailer from 'nodemailer';
import type { Store } from '../store/index.js';
import type { MailRow, NotificationKind, NotificationRow } from '../store/notifications.js';
import { hiddenSlugs, redactText, viewerFor } from '../auth/visibility.js';
import { VIEWS_DIR } from '../paths.js';
import { maySeePage } from './derive.js';

/** What a mail says about each kind, above the page's title. */
export const KIND_LABELS: Record<NotificationKind, string> = {
  changed: 'Changed',
  mentioned: 'Mentioned you',
  reply: 'Reply',
  flagged: 'Flagged as wrong',
  review: 'Review',
  departed: 'Departure',
  approval: 'Approval requested',
};

/** A separate Handlebars instance: mail templates are not screens and share nothing with the layout. */
const hbs = handlebars.create();
const template = (name: string, escape: boolean) => hbs.compile(fs.readFileSync(path.join(VIEWS_DIR, 'mail', name), 'utf8'), { noEscape: !escape, strict: false });
let templates: { html: HandlebarsTemplateDelegate; text: HandlebarsTemplateDelegate } | undefined;
type HandlebarsTemplateDelegate = ReturnType<typeof hbs.compile>;

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
}

/**
 * The mail for a queued row as it should go out now, or why it should not: the recipient may have lost
 * their address, their account, or the right to see a page since the mail was queued, so visibility is
 * decided again here and what they may no longer see is left out.
 */
export function composeMail(store: Store, mail: MailRow, baseUrl: string, messageDomain: string): OutgoingMail | { drop: string } {
  const user = store.users.byId(mail.user_id);
  if (!user || !user.active) return { drop: 'the account is deactivated' };
  const to = user.person ? store.parties.get(user.person)?.email?.trim() : undefined;
  if (!to) return { drop: 'no e-mail address in the directory' };
  const hidden = hiddenSlugs(store, viewerFor(store, user));
  const items = store.notifications.notificationsOfMail(mail.id).filter((n) => !n.slug || maySeePage(store, user, n.slug));
  if (items.length === 0) return { drop: 'nothing the recipient may still see' };
  const shown = items.map((n: NotificationRow) => ({
    label: KIND_LABELS[n.kind],
    title: redactText(n.title, hidden),
    text: redactText(n.text, hidden),
    url: `${baseUrl}${n.link}`,
  }));
  const digest = mail.kind === 'digest';
  const subject = digest
    ? `Whywiki digest: ${items.length} ${items.length === 1 ? 'notification' : 'notifications'}`
    : `${shown[0]!.label}: ${shown[0]!.title}`;
  templates ??= { html: template('notifications.html.hbs', true), text: template('notifications.text.hbs', false) };
  const context = { subject, digest, items: shown, inboxUrl: `${baseUrl}/inbox`, settingsUrl: `${baseUrl}/inbox/settings` };
  return { to, subject, text: templates.text(context), html: templates.html(context), messageId: `<${mail.key}@${messageDomain}>` };
}

/** Sends one composed mail; throws what the server or the network said. */
export interface MailTransport {
  send(mail: OutgoingMail, from: string): Promise<void>;
  close(): void;
}

/**
 * An SMTP transport from WHYWIKI_SMTP_URL. Nodemailer upgrades to TLS with STARTTLS whenever the server
 * offers it, and logs nothing unless asked, so the password in the URL never reaches a log.
 */
export function smtpTransport(url: string): MailTransport {
  // Bounded waits: a server that accepts the connection and then says nothing must not hold the sender.
  const transport = nodemailer.createTransport({ url, connectionTimeout: 20_000, greetingTimeout: 20_000, socketTimeout: 60_000 });
  return {
    async send(mail, from) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId: mail.messageId });
    },
    close() {
      transport.close();
    },
  };
}

/** Where an SMTP URL points, without its credentials, for the admin screen. */
export function smtpServerName(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}
