import type { Store } from '../store/index.js';
import type { PartyRow } from '../store/parties.js';
import type { FieldError } from '../core/errors.js';
import { HANDLE_PATTERN } from '../core/rules.js';
import type { CommandContext } from '../core/context.js';

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

export function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

export function list(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return [...new Set(items.map((v) => text(v).toLowerCase().replace(/^@/, '')).filter(Boolean))];
}

export function checkHandle(store: Store, handle: string, errors: FieldError[]): void {
  if (!handleRe.test(handle)) {
    errors.push({ field: 'handle', message: 'A handle is 1 to 40 lowercase letters, digits, dots, dashes or underscores, starting with a letter or digit, for example mreyes or epic-clindoc.' });
  }
  else if (store.parties.get(handle)) errors.push({ field: 'handle', message: `The handle "${handle}" is already taken by a ${store.parties.get(handle)!.kind}; people and teams share one set of handles.` });
}

export function checkName(name: string, errors: FieldError[]): void {
  if (name.length < 1 || name.length > 120) errors.push({ field: 'name', message: 'A name is required, at most 120 characters.' });
}

export function personFields(input: PersonInput, errors: FieldError[]) {
  const name = text(input.name);
  checkName(name, errors);
  const title = text(input.title) || null;
  if (title && title.length > 120) errors.push({ field: 'title', message: 'A job title is at most 120 characters.' });
  const email = text(input.email) || null;
  if (email && !EMAIL_RE.test(email)) errors.push({ field: 'email', message: 'That does not look like an email address, such as maria.reyes@example-health.org.' });
  return { name, title, email };
}

export function teamsFor(store: Store, handles: string[], errors: FieldError[]): string[] {
  const bad = handles.filter((h) => store.parties.get(h)?.kind !== 'team');
  if (bad.length > 0) errors.push({ field: 'teams', message: `No team has the handle ${bad.join(', ')}.` });
  return handles;
}

export function membersFor(store: Store, handles: string[], errors: FieldError[]): string[] {
  const bad = handles.filter((h) => store.parties.get(h)?.kind !== 'person');
  if (bad.length > 0) errors.push({ field: 'members', message: `No person has the handle ${bad.join(', ')}; add them to the directory first.` });
  const gone = handles.filter((h) => store.parties.get(h)?.status === 'departed');
  if (gone.length > 0) errors.push({ field: 'members', message: `${gone.join(', ')} ${gone.length > 1 ? 'have' : 'has'} departed and cannot join a team.` });
  return handles;
}

/** After a directory command commits: tells the caches, and answers the row as it now stands. */
export function done(ctx: DirectoryContext, handle: string): PartyRow {
  ctx.events?.emit('directory-changed', { handle });
  return ctx.store.parties.get(handle)!;
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

export function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
