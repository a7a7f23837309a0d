import type { Store } from '../store/index.js';
import type { PartyRow } from '../store/parties.js';
import { recordAudit } from '../audit/log.js';
import { NotFoundError, ValidationError, type FieldError } from '../core/errors.js';
import { HANDLE_PATTERN, isCalendarDate, REASON_MAX } from '../core/rules.js';
import type { CommandContext } from '../core/context.js';
import { refuseIfPhi } from '../phi/guard.js';

/** Who changes the directory: the same context page commands use (store, actor, client, events, clock, PHI guard). */
export type DirectoryContext = Pick<CommandContext, 'store' | 'actor' | 'client' | 'events' | 'at' | 'phi'>;

export interface PersonInput {
  handle?: string;
  name?: string;
  title?: string | null;
  email?: string | null;
  /** Teams the person belongs to. On add, `team` (one handle) is accepted too. */
  teams?: string[];
  team?: string | null;
}

export interface TeamInput {
  handle?: string;
  name?: string;
  members?: string[];
}

const handleRe = new RegExp(HANDLE_PATTERN);
const EMAIL_RE = /^[^\s@<>]{1,64}@[^\s@<>]{1,190}\.[^\s@<>]{2,}$/;

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function list(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return [...new Set(items.map((v) => text(v).toLowerCase().replace(/^@/, '')).filter(Boolean))];
}

function checkHandle(store: Store, handle: string, errors: FieldError[]): void {
  if (!handleRe.test(handle)) {
    errors.push({ field: 'handle', message: 'A handle is 1 to 40 lowercase letters, digits, dots, dashes or underscores, starting with a letter or digit, for example mreyes or epic-clindoc.' });
  }
  else if (store.parties.get(handle)) errors.push({ field: 'handle', message: `The handle "${handle}" is already taken by a ${store.parties.get(handle)!.kind}; people and teams share one set of handles.` });
}

function checkName(name: string, errors: FieldError[]): void {
  if (name.length < 1 || name.length > 120) errors.push({ field: 'name', message: 'A name is required, at most 120 characters.' });
}

function personFields(input: PersonInput, errors: FieldError[]) {
  const name = text(input.name);
  checkName(name, errors);
  const title = text(input.title) || null;
  if (title && title.length > 120) errors.push({ field: 'title', message: 'A job title is at most 120 characters.' });
  const email = text(input.email) || null;
  if (email && !EMAIL_RE.test(email)) errors.push({ field: 'email', message: 'That does not look like an email address, such as maria.reyes@example-health.org.' });
  return { name, title, email };
}

function teamsFor(store: Store, handles: string[], errors: FieldError[]): string[] {
  const bad = handles.filter((h) => store.parties.get(h)?.kind !== 'team');
  if (bad.length > 0) errors.push({ field: 'teams', message: `No team has the handle ${bad.join(', ')}.` });
  return handles;
}

function membersFor(store: Store, handles: string[], errors: FieldError[]): string[] {
  const bad = handles.filter((h) => store.parties.get(h)?.kind !== 'person');
  if (bad.length > 0) errors.push({ field: 'members', message: `No person has the handle ${bad.join(', ')}; add them to the directory first.` });
  const gone = handles.filter((h) => store.parties.get(h)?.status === 'departed');
  if (gone.length > 0) errors.push({ field: 'members', message: `${gone.join(', ')} ${gone.length > 1 ? 'have' : 'has'} departed and cannot join a team.` });
  return handles;
}

function done(ctx: DirectoryContext, handle: string): PartyRow {
  ctx.events?.emit('directory-changed', { handle });
  return ctx.store.parties.get(handle)!;
}

export function addPerson(ctx: DirectoryContext, input: PersonInput): PartyRow {
  const errors: FieldError[] = [];
  const handle = text(input.handle).toLowerCase();
  checkHandle(ctx.store, handle, errors);
  const fields = personFields(input, errors);
  const teams = teamsFor(ctx.store, list([...(input.teams ?? []), ...(input.team ? [input.team] : [])]), errors);
  if (errors.length > 0) throw new ValidationError(errors);
  refuseIfPhi(ctx.phi, fields);
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => {
    if (ctx.store.parties.get(handle)) throw new ValidationError([{ field: 'handle', message: `The handle "${handle}" is already taken.` }], 409);
    ctx.store.parties.insert({ handle, kind: 'person', ...fields, status: 'active', departed_on: null, created_at: at });
    for (const team of teams) ctx.store.parties.addMember(team, handle);
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'person.created', target: `person:${handle}`, client: ctx.client, at, details: { name: fields.name, teams } });
  });
  return done(ctx, handle);
}

export function editPerson(ctx: DirectoryContext, handle: string, input: PersonInput): PartyRow {
  const existing = ctx.store.parties.get(handle);
  if (!existing || existing.kind !== 'person') throw new NotFoundError(`There is no person "${handle}".`);
  const errors: FieldError[] = [];
  const fields = personFields({ name: existing.name, title: existing.title, email: existing.email, ...stripUndefined(input) }, errors);
  const teams = input.teams === undefined ? undefined : teamsFor(ctx.store, list(input.teams), errors);
  if (errors.length > 0) throw new ValidationError(errors);
  refuseIfPhi(ctx.phi, fields);
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => {
    const before = ctx.store.parties.teamsOf(handle).map((t) => t.handle);
    ctx.store.parties.update({ handle, ...fields });
    if (teams) {
      for (const team of before.filter((t) => !teams.includes(t))) {
        ctx.store.parties.setMembers(team, ctx.store.parties.members(team).map((m) => m.handle).filter((m) => m !== handle));
      }
      for (const team of teams.filter((t) => !before.includes(t))) ctx.store.parties.addMember(team, handle);
    }
    const changed: Record<string, unknown> = {};
    for (const k of ['name', 'title', 'email'] as const) if (existing[k] !== fields[k]) changed[k] = { from: existing[k], to: fields[k] };
    if (teams && teams.slice().sort().join() !== before.slice().sort().join()) changed.teams = { from: before, to: teams };
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'person.changed', target: `person:${handle}`, client: ctx.client, at, details: changed });
  });
  return done(ctx, handle);
}

export function addTeam(ctx: DirectoryContext, input: TeamInput): PartyRow {
  const errors: FieldError[] = [];
  const handle = text(input.handle).toLowerCase();
  checkHandle(ctx.store, handle, errors);
  const name = text(input.name);
  checkName(name, errors);
  const members = membersFor(ctx.store, list(input.members), errors);
  if (errors.length > 0) throw new ValidationError(errors);
  refuseIfPhi(ctx.phi, { name });
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => {
    if (ctx.store.parties.get(handle)) throw new ValidationError([{ field: 'handle', message: `The handle "${handle}" is already taken.` }], 409);
    ctx.store.parties.insert({ handle, kind: 'team', name, title: null, email: null, status: 'active', departed_on: null, created_at: at });
    ctx.store.parties.setMembers(handle, members);
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'team.created', target: `team:${handle}`, client: ctx.client, at, details: { name, members } });
  });
  return done(ctx, handle);
}

export function editTeam(ctx: DirectoryContext, handle: string, input: TeamInput): PartyRow {
  const existing = ctx.store.parties.get(handle);
  if (!existing || existing.kind !== 'team') throw new NotFoundError(`There is no team "${handle}".`);
  const errors: FieldError[] = [];
  const name = input.name === undefined ? existing.name : text(input.name);
  checkName(name, errors);
  const before = ctx.store.parties.members(handle).map((m) => m.handle);
  let members = input.members === undefined ? before : list(input.members);
  // Departed members stay on the team's record (history says who was on it); only newcomers are checked.
  membersFor(ctx.store, members.filter((m) => !before.includes(m)), errors);
  members = [...new Set(members)];
  if (errors.length > 0) throw new ValidationError(errors);
  refuseIfPhi(ctx.phi, { name });
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => {
    ctx.store.parties.update({ handle, name, title: null, email: null });
    ctx.store.parties.setMembers(handle, members);
    const details: Record<string, unknown> = {};
    if (name !== existing.name) details.name = { from: existing.name, to: name };
    const added = members.filter((m) => !before.includes(m));
    const removed = before.filter((m) => !members.includes(m));
    if (added.length) details.added = added;
    if (removed.length) details.removed = removed;
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'team.changed', target: `team:${handle}`, client: ctx.client, at, details });
  });
  return done(ctx, handle);
}

export interface DepartureInput {
  date?: string;
  successor?: string | null;
  reason?: string;
}

/**
 * Marks a person as departed. Nobody is deleted: their name stays on every version they wrote and every
 * page they own, shown as departed, until the pages are reassigned.
 */
export function departPerson(ctx: DirectoryContext, handle: string, input: DepartureInput, today: string): PartyRow {
  const person = ctx.store.parties.get(handle);
  if (!person) throw new NotFoundError(`There is no person "${handle}".`);
  const errors: FieldError[] = [];
  if (person.kind !== 'person') errors.push({ field: 'handle', message: `"${handle}" is a team; only people depart. Edit the team's members instead.` });
  else if (person.status === 'departed') throw new ValidationError([{ field: 'handle', message: `${person.name} is already marked departed (on ${person.departed_on ?? 'an unknown date'}).` }], 409);
  const date = text(input.date) || today;
  if (!isCalendarDate(date)) {
    errors.push({ field: 'date', message: 'The departure date must be a real date written YYYY-MM-DD.' });
  }
  const reason = text(input.reason);
  if (!reason) errors.push({ field: 'reason', message: 'Say why: for example "Left the organisation" or "Moved to the Workday team".' });
  else if (reason.length > REASON_MAX) errors.push({ field: 'reason', message: `The reason is at most ${REASON_MAX} characters.` });
  const successor = text(input.successor).toLowerCase().replace(/^@/, '') || null;
  if (successor) checkSuccessor(ctx.store, successor, handle, 'successor', errors);
  if (errors.length > 0) throw new ValidationError(errors);
  refuseIfPhi(ctx.phi, { reason });
  const at = (ctx.at ?? new Date()).toISOString();
  ctx.store.transaction(() => {
    ctx.store.parties.depart({ handle, departed_on: date, successor, departure_reason: reason });
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'person.departed', target: `person:${handle}`, client: ctx.client, at, details: { date, reason, ...(successor ? { successor } : {}) } });
  });
  return done(ctx, handle);
}

/** A successor or new owner must be someone who is still here: an active person, or a team with an active member. */
export function checkSuccessor(store: Store, handle: string, from: string, field: string, errors: FieldError[]): void {
  const party = store.parties.get(handle);
  if (!party) errors.push({ field, message: `There is no person or team "${handle}".` });
  else if (handle === from) errors.push({ field, message: 'Pages cannot move to the person they move from.' });
  else if (party.status === 'departed') errors.push({ field, message: `${party.name} has departed; choose someone who is still here.` });
  else if (party.kind === 'team' && !store.parties.members(handle).some((m) => m.status === 'active')) {
    errors.push({ field, message: `The team ${party.name} has no active member; pages moved there would still be orphaned.` });
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
