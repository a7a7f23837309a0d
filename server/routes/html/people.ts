import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { partyProfile } from '../../pages/queries.js';
import { NotFoundError } from '../../core/errors.js';
import { reshowForm, type FormProblem } from './form-reshow.js';
import { addPerson } from '../../people/commands/add-person.js';
import { addTeam } from '../../people/commands/add-team.js';
import { departPerson } from '../../people/commands/depart-person.js';
import { editPerson } from '../../people/commands/edit-person.js';
import { editTeam } from '../../people/commands/edit-team.js';
import { reassignPages } from '../../people/commands/reassign-pages.js';
import { pagesOf } from '../../reports/knowledge.js';
import { today } from '../api/turnover.js';
import { redactText, withoutHidden } from '../../auth/visibility.js';
import { handoverOf, openHandovers } from '../../knowledge-transfer/handover.js';
import { commandContext } from '../command-context.js';
import { pager, PageParam } from './paging.js';

const HandleParams = Type.Object({ handle: Type.String({ maxLength: 100 }) });
const PageQuery = Type.Object({ page: PageParam });
/** Pages a person's or team's profile lists per page of what it owns directly. */
const OWNED_PAGE_SIZE = 100;
/** The directory's forms: their known fields (and the reassignment screen's `to:<slug>` choices); any other field is refused. */
const FormBody = Type.Record(
  Type.String({ pattern: '^(_csrf|handle|name|title|email|teams|members|date|reason|successor|summary|to:[a-z0-9-]{1,80})$' }),
  Type.Union([Type.String({ maxLength: 2000 }), Type.Array(Type.String({ maxLength: 200 }), { maxItems: 500 })]),
  { additionalProperties: false },
);

export async function peopleRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const teams = () => app.store.parties.all().filter((p) => p.kind === 'team');
  const activePeople = () => app.store.parties.all().filter((p) => p.kind === 'person' && p.status === 'active');

  // The whole directory's counts, kept until anything is stored: at 50,000 pages the query reads every owner
  // row. A viewer with hidden pages gets them minus the hidden pages' owners (one seek per hidden page).
  let owned: { version: string; counts: Map<string, number> } | undefined;
  const ownedCounts = (hidden: Set<string>) => {
    const version = app.store.version();
    if (owned?.version !== version) owned = { version, counts: app.store.pages.ownedCounts(new Set()) };
    if (hidden.size === 0) return owned.counts;
    const counts = new Map(owned.counts);
    for (const [owner, n] of app.store.pages.ownedCountsAmong(hidden)) counts.set(owner, (counts.get(owner) ?? 0) - n);
    return counts;
  };

  r.get('/people', { config: { access: 'read' }, schema: { querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })) }) } }, async (request, reply) => {
    const q = (request.query.q ?? '').trim();
    const needle = q.toLowerCase();
    const all = app.store.parties.all().filter((p) => !needle || `${p.handle} ${p.name} ${p.title ?? ''} ${p.email ?? ''}`.toLowerCase().includes(needle));
    // Two queries for the whole directory, whatever the number of people and teams.
    const owned = ownedCounts(request.hidden);
    const members = app.store.parties.memberships();
    return reply.view('people', {
      title: 'People and teams',
      q,
      people: all.filter((p) => p.kind === 'person').map((p) => ({ ...p, owned: owned.get(p.handle) ?? 0 })),
      teams: all.filter((p) => p.kind === 'team').map((t) => ({ ...t, owned: owned.get(t.handle) ?? 0, memberCount: members.get(t.handle)?.length ?? 0 })),
    });
  });

  // ---- people ----
  const personForm = (reply: FastifyReply, view: { mode: 'new' | 'edit'; values: Record<string, string>; problem?: FormProblem; handle?: string }) =>
    reply.view('person-form', {
      ...view,
      title: view.mode === 'new' ? 'Add a person' : `Edit ${view.values.name ?? view.handle}`,
      errors: view.problem?.errors ?? {},
      teams: teams().map((t) => ({ ...t, checked: (view.values.teams ?? '').split(',').includes(t.handle) })),
      action: view.mode === 'new' ? '/people/new' : `/people/${view.handle}/edit`,
    });

  r.get('/people/new', { config: { access: 'admin' } }, async (_request, reply) => personForm(reply, { mode: 'new', values: {} }));

  r.post('/people/new', { config: { access: 'admin' }, schema: { body: FormBody } }, async (request, reply) => {
    const values = formValues(request.body as Record<string, string | string[]>);
    try {
      const p = addPerson(commandContext(app, request), { ...values, teams: split(values.teams) });
      return reply.redirect(`/people/${p.handle}`, 303);
    } catch (e) {
      return reshowForm(reply, e, (problem) => personForm(reply, { mode: 'new', values, problem }));
    }
  });

  r.get('/people/:handle', { config: { access: 'read' }, schema: { params: HandleParams, querystring: PageQuery } }, async (request, reply) => {
    const page = request.query.page ?? 1;
    const profile = partyProfile(app.store, request.params.handle, 'person', request.hidden, { limit: OWNED_PAGE_SIZE, offset: (page - 1) * OWNED_PAGE_SIZE });
    const handle = profile.party.handle;
    const account = app.store.users.byPerson(handle);
    const k = app.knowledge(request.hidden, handle);
    const queue = profile.party.status === 'active' ? pagesOf(k, handle).filter((p) => p.review.overdue || p.review.dueSoon).sort((a, b) => a.review.dueAt!.localeCompare(b.review.dueAt!)) : [];
    const successor = profile.party.successor ? app.store.parties.get(profile.party.successor) : undefined;
    return reply.view('party', {
      title: profile.party.name,
      profile,
      isTeam: false,
      successor,
      queue,
      recent: withoutHidden(request.hidden, app.store.pages.recentBy([handle, ...(account ? [account.username] : [])], 10)).map((v) => ({ ...v, summary: redactText(v.summary, request.hidden) })),
      ownsSomething: profile.ownedTotal > 0,
      pager: pager(`/people/${handle}`, {}, profile.ownedTotal, page, OWNED_PAGE_SIZE),
      handover: handoverOf(app.store, handle, app.clock(), request.hidden),
    });
  });

  r.get('/people/:handle/edit', { config: { access: 'admin' }, schema: { params: HandleParams } }, async (request, reply) => {
    const p = app.store.parties.get(request.params.handle);
    if (!p || p.kind !== 'person') throw new NotFoundError(`There is no person "${request.params.handle}".`);
    const values = { name: p.name, title: p.title ?? '', email: p.email ?? '', teams: app.store.parties.teamsOf(p.handle).map((t) => t.handle).join(',') };
    return personForm(reply, { mode: 'edit', handle: p.handle, values });
  });

  r.post('/people/:handle/edit', { config: { access: 'admin' }, schema: { params: HandleParams, body: FormBody } }, async (request, reply) => {
    const values = formValues(request.body as Record<string, string | string[]>);
    try {
      const p = editPerson(commandContext(app, request), { ...values, handle: request.params.handle, teams: split(values.teams) });
      return reply.redirect(`/people/${p.handle}`, 303);
    } catch (e) {
      return reshowForm(reply, e, (problem) => personForm(reply, { mode: 'edit', handle: request.params.handle, values, problem }));
    }
  });

  // ---- departures and reassignment ----
  const departForm = (reply: FastifyReply, handle: string, values: Record<string, string>, problem?: FormProblem) => {
    const errors = problem?.errors ?? {};
    const p = app.store.parties.get(handle);
    if (!p || p.kind !== 'person') throw new NotFoundError(`There is no person "${handle}".`);
    return reply.view('depart', { title: `Mark ${p.name} departed`, person: p, values: { date: today(app), ...values }, errors, problem, people: activePeople().filter((x) => x.handle !== handle), teams: teams(), owned: app.store.pages.ownedBy(handle).length });
  };

  r.get('/people/:handle/depart', { config: { access: 'admin' }, schema: { params: HandleParams } }, async (request, reply) => departForm(reply, request.params.handle, {}));

  r.post('/people/:handle/depart', { config: { access: 'admin' }, schema: { params: HandleParams, body: FormBody } }, async (request, reply) => {
    const values = request.body as Record<string, string>;
    try {
      const p = departPerson(commandContext(app, request), { ...values, handle: request.params.handle, today: today(app) });
      return reply.redirect(p.successor && app.store.pages.ownedBy(p.handle).length > 0 ? `/people/${p.handle}/reassign` : '/reports/orphans', 303);
    } catch (e) {
      return reshowForm(reply, e, (problem) => departForm(reply, request.params.handle, values, problem));
    }
  });

  const reassignScreen = (reply: FastifyReply, handle: string, values: Record<string, string>, problem?: FormProblem) => {
    const errors = problem?.errors ?? {};
    const p = app.store.parties.get(handle);
    if (!p || p.kind !== 'person') throw new NotFoundError(`There is no person "${handle}".`);
    const choices = [...activePeople(), ...teams()].filter((x) => x.handle !== handle);
    const pages = app.store.pages.ownedBy(handle).map((page) => {
      const proposed = values[`to:${page.slug}`] ?? p.successor ?? '';
      return {
        ...page,
        owners: app.store.pages.ownersOf(page.id).filter((o) => o !== handle).map((o) => app.store.parties.get(o)?.name ?? o),
        error: errors[`to:${page.slug}`],
        choices: choices.map((c) => ({ handle: c.handle, name: c.name, kind: c.kind, selected: c.handle === proposed })),
      };
    });
    return reply.view('reassign', { title: `Reassign ${p.name}'s pages`, person: p, successor: p.successor ? app.store.parties.get(p.successor) : undefined, pages, values, errors, problem });
  };

  r.get('/people/:handle/reassign', { config: { access: 'admin' }, schema: { params: HandleParams } }, async (request, reply) => reassignScreen(reply, request.params.handle, {}));

  r.post('/people/:handle/reassign', { config: { access: 'admin' }, schema: { params: HandleParams, body: FormBody } }, async (request, reply) => {
    const from = request.params.handle;
    if (app.store.parties.get(from)?.kind !== 'person') throw new NotFoundError(`There is no person "${from}".`);
    const values = request.body as Record<string, string>;
    // An empty choice leaves that page as it is.
    const moves = Object.entries(values).filter(([key, to]) => key.startsWith('to:') && to).map(([key, to]) => ({ slug: key.slice(3), to, field: key }));
    try {
      reassignPages(commandContext(app, request), { from, moves, reason: values.summary ?? '' });
      return reply.redirect(`/people/${from}?moved=${moves.length}`, 303);
    } catch (e) {
      return reshowForm(reply, e, (problem) => reassignScreen(reply, from, values, problem));
    }
  });

  // ---- teams ----
  const teamForm = (reply: FastifyReply, view: { mode: 'new' | 'edit'; values: Record<string, string>; problem?: FormProblem; handle?: string }) => {
    const members = (view.values.members ?? '').split(',');
    return reply.view('team-form', {
      ...view,
      title: view.mode === 'new' ? 'Add a team' : `Edit ${view.values.name ?? view.handle}`,
      errors: view.problem?.errors ?? {},
      people: app.store.parties.all().filter((p) => p.kind === 'person' && (p.status === 'active' || members.includes(p.handle))).map((p) => ({ ...p, checked: members.includes(p.handle) })),
      action: view.mode === 'new' ? '/teams/new' : `/teams/${view.handle}/edit`,
    });
  };

  r.get('/teams/new', { config: { access: 'admin' } }, async (_request, reply) => teamForm(reply, { mode: 'new', values: {} }));

  r.post('/teams/new', { config: { access: 'admin' }, schema: { body: FormBody } }, async (request, reply) => {
    const values = formValues(request.body as Record<string, string | string[]>);
    try {
      const t = addTeam(commandContext(app, request), { ...values, members: split(values.members) });
      return reply.redirect(`/teams/${t.handle}`, 303);
    } catch (e) {
      return reshowForm(reply, e, (problem) => teamForm(reply, { mode: 'new', values, problem }));
    }
  });

  r.get('/teams/:handle', { config: { access: 'read' }, schema: { params: HandleParams, querystring: PageQuery } }, async (request, reply) => {
    const page = request.query.page ?? 1;
    const profile = partyProfile(app.store, request.params.handle, 'team', request.hidden, { limit: OWNED_PAGE_SIZE, offset: (page - 1) * OWNED_PAGE_SIZE });
    const members = new Set(app.store.parties.members(profile.party.handle).map((m) => m.handle));
    return reply.view('party', { title: profile.party.name, profile, isTeam: true, pager: pager(`/teams/${profile.party.handle}`, {}, profile.ownedTotal, page, OWNED_PAGE_SIZE), handovers: openHandovers(app.store, request.hidden).filter((h) => members.has(h.person)) });
  });

  r.get('/teams/:handle/edit', { config: { access: 'admin' }, schema: { params: HandleParams } }, async (request, reply) => {
    const t = app.store.parties.get(request.params.handle);
    if (!t || t.kind !== 'team') throw new NotFoundError(`There is no team "${request.params.handle}".`);
    return teamForm(reply, { mode: 'edit', handle: t.handle, values: { name: t.name, members: app.store.parties.members(t.handle).map((m) => m.handle).join(',') } });
  });

  r.post('/teams/:handle/edit', { config: { access: 'admin' }, schema: { params: HandleParams, body: FormBody } }, async (request, reply) => {
    const values = formValues(request.body as Record<string, string | string[]>);
    try {
      const t = editTeam(commandContext(app, request), { handle: request.params.handle, name: values.name, members: split(values.members) });
      return reply.redirect(`/teams/${t.handle}`, 303);
    } catch (e) {
      return reshowForm(reply, e, (problem) => teamForm(reply, { mode: 'edit', handle: request.params.handle, values, problem }));
    }
  });
}

/** Checkbox groups arrive as repeated fields; the forms keep them as comma-separated text to re-show them. */
function formValues(body: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (k !== '_csrf') out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

function split(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter(Boolean);
}
