import fs from 'node:fs';
import path from 'node:path';
import type Handlebars from 'handlebars';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from './config.js';
import { roleAllows } from './core/permissions.js';
import handlebarsRuntime from 'handlebars';
import { unreadCount } from './notify/inbox.js';
import { setKey } from './routes/html/page-cache.js';
import { NOTHING_HIDDEN } from './auth/visibility.js';

/** Maps each partial file name (without .hbs) to its path relative to the views folder. */
export function loadPartials(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs.readdirSync(dir)
      .filter((f) => f.endsWith('.hbs'))
      .map((f) => [f.replace(/\.hbs$/, ''), path.join('partials', f)]),
  );
}

const dateFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC', timeZoneName: 'short' });

export function ticketHref(config: Pick<Config, 'ticketUrl'>, id: string): string | null {
  return config.ticketUrl ? config.ticketUrl.replace('{id}', encodeURIComponent(id)) : null;
}

export function registerHelpers(hbs: typeof Handlebars, config: Config): void {
  hbs.registerHelper('date', (value: unknown) => {
    if (typeof value !== 'string' || !value) return '';
    const d = new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
    return isNaN(d.getTime()) ? value : dateFormat.format(d);
  });
  hbs.registerHelper('datetime', (value: unknown) => {
    if (typeof value !== 'string' || !value) return '';
    const d = new Date(value);
    return isNaN(d.getTime()) ? value : dateTimeFormat.format(d);
  });
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
  hbs.registerHelper('gt', (a: number, b: number) => a > b);
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hbs.registerHelper('ticketHref', (id: string) => ticketHref(config, id));
  hbs.registerHelper('plural', (n: number, one: string, many: string) => (n === 1 ? one : many));
}

/**
 * What every screen's header needs: the signed-in person, their name, what their role may reach and a CSRF
 * token for the sign-out form. Error pages use it too, so a refusal keeps the header.
 */
/** The header's unread count beside "Inbox": markup made from a number only. */
export function inboxBadgeHtml(unread: number): string {
  return unread > 0 ? ` <span class="badge unread-count" aria-label="${unread} unread">${unread}</span>` : '';
}

/** The header's unread count, read from the store again only once something was written. */
function unreadOf(request: FastifyRequest, userId: number): number {
  const { store, unreadCounts } = request.server;
  const hidden = request.hidden ?? NOTHING_HIDDEN;
  return unreadCounts.get(`${userId}\u0000${setKey(hidden)}`, request.storeVersion(), () => unreadCount(store, userId, hidden));
}

export function viewLocals(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  const user = request.user;
  const role = user?.role;
  return {
    user,
    displayName: user ? ((user.person ? request.server.store.parties.get(user.person)?.name : undefined) ?? user.username) : '',
    // A standby refuses changes, so it offers no "New page" to begin one.
    canWrite: role !== undefined && roleAllows(role, 'write') && request.server.store.followedPrimary(request.storeVersion()) === undefined,
    canAudit: role !== undefined && roleAllows(role, 'audit'),
    canAdmin: role !== undefined && roleAllows(role, 'admin'),
    inboxBadge: new handlebarsRuntime.SafeString(user ? inboxBadgeHtml(unreadOf(request, user.id)) : ''),
    // API-token requests never post forms, and generating a token would give them a session to store.
    // Someone not signed in gets a token from a cookie, so a visit stores no session either.
    csrfToken: request.authMethod === 'token' ? '' : user ? reply.generateCsrf() : request.server.signinCsrf.token(request, reply),
  };
}
