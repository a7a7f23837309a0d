import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Slug } from '../../pages/schema.js';
import { reshowForm } from './form-reshow.js';
import { NOTIFICATION_KINDS } from '../../notify/derive.js';
import { inboxContext } from '../command-context.js';
import { KIND_LABELS, smtpServerName } from '../../notify/mail.js';
import { DELIVERIES, inbox, KIND_DESCRIPTIONS, preferencesOf, watchesOf } from '../../notify/inbox.js';
import { markRead } from '../../notify/commands/mark-read.js';
import { openNotification } from '../../notify/commands/open-notification.js';
import { setPreferences } from '../../notify/commands/set-preferences.js';
import { unwatch } from '../../notify/commands/unwatch.js';
import { watch } from '../../notify/commands/watch.js';
import { closedForm } from './forms.js';
import { setFlash, takeFlash } from './flash.js';
import { pager, PageParam } from './paging.js';

const INBOX_PAGE_SIZE = 100;
/** Failed and retrying mails per screen of /admin/notifications; watches per screen of /inbox/settings. */
const TROUBLED_PAGE_SIZE = 100;
const WATCHES_PAGE_SIZE = 100;

const SlugParams = Type.Object({ slug: Slug });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const DELIVERY_LABELS = { immediate: 'Immediately', digest: 'Daily digest', off: 'Off' } as const;

/** The inbox, its settings (preferences and watches), Watch buttons, and the admins' view of mail delivery. */
export async function notificationRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get('/inbox', { config: { access: 'read' }, schema: { querystring: Type.Object({ page: PageParam }) } }, async (request, reply) => {
    const page = request.query.page ?? 1;
    const box = inbox(app.store, request.user!.id, request.hidden, { limit: INBOX_PAGE_SIZE, offset: (page - 1) * INBOX_PAGE_SIZE });
    return reply.view('inbox', { title: box.unread ? `Inbox (${box.unread})` : 'Inbox', ...box, pager: pager('/inbox', {}, box.total, page, INBOX_PAGE_SIZE), flash: takeFlash(request, 'inbox'), mail: app.notifications.mailEnabled });
  });

  r.post('/inbox/read', { config: { access: 'read' }, schema: { body: closedForm({ id: Type.Optional(Type.Integer({ minimum: 1 })), all: Type.Optional(Type.Literal('1')) }) } }, async (request, reply) => {
    const { id, all } = request.body;
    const marked = all ? markRead(inboxContext(app, request), { all: true }) : id ? markRead(inboxContext(app, request), { ids: [id] }) : 0;
    if (all) setFlash(request, 'inbox', marked === 1 ? 'Marked 1 notification read.' : `Marked ${marked} notifications read.`);
    return reply.redirect('/inbox', 303);
  });

  // Opening marks the notification read, then goes where it points (the diff of a changed page).
  r.post('/inbox/:id/open', { config: { access: 'read' }, schema: { params: IdParams, body: closedForm({}) } }, async (request, reply) => {
    const n = openNotification(inboxContext(app, request), { id: request.params.id });
    return reply.redirect(n.link, 303);
  });

  /** The settings screen; `typed` is a refused post's choices, shown instead of the stored ones so none is lost. */
  const settings = async (request: FastifyRequest, reply: FastifyReply, error?: string, typed: Record<string, string | undefined> = {}, page = 1) => {
    const prefs = { ...preferencesOf(app.store, request.user!.id), ...Object.fromEntries(Object.entries(typed).filter(([, v]) => v !== undefined)) };
    const kinds = NOTIFICATION_KINDS.map((k) => ({ kind: k, label: KIND_LABELS[k], description: KIND_DESCRIPTIONS[k], options: DELIVERIES.map((d) => ({ value: d, label: DELIVERY_LABELS[d], checked: prefs[k] === d })) }));
    const person = request.user!.person;
    const ownerOf = person ? [app.store.parties.get(person)?.name ?? person, ...app.store.parties.teamsOf(person).map((t) => t.name)] : [];
    // Watches on hidden pages are left out before counting, so they take no place on a screen and no part in the count.
    const all = watchesOf(app.store, request.user!.id, request.hidden);
    const watchPager = pager('/inbox/settings', {}, all.length, page, WATCHES_PAGE_SIZE);
    const watches = all.slice(watchPager.offset, watchPager.offset + watchPager.size).map((w) => ({
      ...w,
      label: w.kind === 'page' ? (app.store.pages.head(w.target)?.title ?? w.target) : w.kind === 'owner' ? `Everything ${app.store.parties.get(w.target)?.name ?? w.target} owns` : `Every page of ${w.target.replace('/', ' › ')}`,
      href: w.kind === 'page' ? `/p/${w.target}` : w.kind === 'owner' ? `/${app.store.parties.get(w.target)?.kind === 'team' ? 'teams' : 'people'}/${w.target}` : `/#system-${w.target.split('/')[0]}`,
    }));
    const parties = app.store.parties.all().filter((p) => p.status === 'active');
    return reply.view('inbox-settings', {
      title: 'Notification settings',
      kinds,
      watches,
      pager: watchPager,
      ownerOf,
      systems: app.config.systems,
      teams: parties.filter((p) => p.kind === 'team'),
      people: parties.filter((p) => p.kind === 'person'),
      mail: app.notifications.mailEnabled,
      email: person ? app.store.parties.get(person)?.email : null,
      flash: takeFlash(request, 'inbox-settings'),
      error,
    });
  };

  r.get('/inbox/settings', { config: { access: 'read' }, schema: { querystring: Type.Object({ page: PageParam }) } }, async (request, reply) => settings(request, reply, undefined, {}, request.query.page ?? 1));

  r.post(
    '/inbox/settings',
    { config: { access: 'read' }, schema: { body: closedForm(Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, Type.Optional(Type.String({ maxLength: 20 }))]))) } },
    async (request, reply) => {
      const { _csrf, ...choices } = request.body as Record<string, string | undefined>;
      void _csrf;
      try {
        setPreferences(inboxContext(app, request), Object.fromEntries(Object.entries(choices).filter(([, v]) => v !== undefined)));
      } catch (e) {
        // Its messages name their field ("target: ..."), so the error's own sentence is shown.
        return reshowForm(reply, e, (_problem, error) => settings(request, reply, error.message, choices));
      }
      setFlash(request, 'inbox-settings', 'Saved your notification settings.');
      return reply.redirect('/inbox/settings', 303);
    },
  );

  r.post(
    '/inbox/watches',
    { config: { access: 'read' }, schema: { body: closedForm({ kind: Type.Union([Type.Literal('system'), Type.Literal('owner')]), target: Type.String({ maxLength: 200 }), back: Type.Optional(Type.String({ maxLength: 200 })) }) } },
    async (request, reply) => {
      const { kind, target, back } = request.body;
      try {
        watch(inboxContext(app, request), { kind, target });
      } catch (e) {
        return reshowForm(reply, e, (_problem, error) => settings(request, reply, error.message));
      }
      // Back to the team or person page the button was on, or to the settings; never elsewhere.
      const to = back && /^\/(teams|people)\/[a-z0-9._-]+$/.test(back) ? back : '/inbox/settings';
      if (to === '/inbox/settings') setFlash(request, 'inbox-settings', 'Watching.');
      return reply.redirect(to, 303);
    },
  );

  r.post('/inbox/watches/:id/remove', { config: { access: 'read' }, schema: { params: IdParams, body: closedForm({}) } }, async (request, reply) => {
    unwatch(inboxContext(app, request), { id: request.params.id });
    setFlash(request, 'inbox-settings', 'Stopped watching.');
    return reply.redirect('/inbox/settings', 303);
  });

  r.post('/p/:slug/watch', { config: { access: 'read' }, schema: { params: SlugParams, body: closedForm({}) } }, async (request, reply) => {
    watch(inboxContext(app, request), { kind: 'page', target: request.params.slug });
    setFlash(request, request.params.slug, 'Watching: every change to this page reaches your inbox.');
    return reply.redirect(`/p/${request.params.slug}`, 303);
  });

  r.post('/p/:slug/unwatch', { config: { access: 'read' }, schema: { params: SlugParams, body: closedForm({}) } }, async (request, reply) => {
    unwatch(inboxContext(app, request), { slug: request.params.slug });
    setFlash(request, request.params.slug, 'Stopped watching this page.');
    return reply.redirect(`/p/${request.params.slug}`, 303);
  });

  r.get('/admin/notifications', { config: { access: 'admin' }, schema: { querystring: Type.Object({ page: PageParam }) } }, async (request, reply) => {
    const counts = app.store.notifications.mailCounts();
    // Failures used to stop silently at the newest 100; now every one is counted and reachable a screen at a time.
    const paged = pager('/admin/notifications', {}, app.store.notifications.troubledCount(), request.query.page ?? 1, TROUBLED_PAGE_SIZE);
    return reply.view('admin-notifications', {
      title: 'Mail delivery',
      counts,
      server: smtpServerName(app.config.smtpUrl),
      from: app.config.mailFrom,
      digestHour: String(app.config.digestHour).padStart(2, '0'),
      troubled: app.store.notifications.troubled(paged.size, paged.offset),
      pager: paged,
    });
  });
}
