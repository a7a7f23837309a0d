import { recordAudit } from '../audit/log.js';
import type { CommandContext } from '../core/context.js';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../core/errors.js';
import { isCalendarDate } from '../core/rules.js';
import { moveOwnership } from '../pages/commands.js';
import type { FrontMatter } from '../pages/schema.js';
import { phiMessages } from '../phi/guard.js';
import { checkSuccessor } from '../people/directory.js';
import { departPerson } from '../people/commands/depart-person.js';
import type { Store } from '../store/index.js';
import type { HandoverRow, HandoverState } from '../store/knowledge-transfer.js';
import { captureChecklist, type Gap } from './checklist.js';

export const HANDOVER_STATES: readonly HandoverState[] = ['not_started', 'walked_through', 'accepted'];
export const NOTE_MAX = 2000;

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
const handleOf = (v: unknown) => text(v).toLowerCase().replace(/^@/, '');

function person(store: Store, handle: string) {
  const p = store.parties.get(handle);
  if (!p || p.kind !== 'person') throw new NotFoundError(`There is no person "${handle}".`);
  return p;
}

/** Free text refused when the PHI guard finds a likely patient identifier in it (422, as a page save). */
function guard(ctx: CommandContext, fields: Record<string, unknown>): void {
  const hits = ctx.phi?.scan(fields) ?? [];
  if (hits.length > 0) throw new ValidationError(phiMessages(hits), 'refused');
}

/**
 * The pages a person answers for alone in the directory's eyes: owned directly, or owned by a team of
 * which they are the last active member. `via` is the owner whose name moves when the page is accepted.
 */
export function pagesAnsweredBy(store: Store, handle: string): { slug: string; title: string; via: string }[] {
  const out = new Map<string, { slug: string; title: string; via: string }>();
  for (const p of store.pages.ownedBy(handle)) out.set(p.slug, { slug: p.slug, title: p.title, via: handle });
  for (const team of store.parties.teamsOf(handle)) {
    const active = store.parties.members(team.handle).filter((m) => m.status === 'active');
    if (active.length !== 1 || active[0]!.handle !== handle) continue;
    for (const p of store.pages.ownedBy(team.handle)) if (!out.has(p.slug)) out.set(p.slug, { slug: p.slug, title: p.title, via: team.handle });
  }
  return [...out.values()];
}

export interface OpenHandoverInput {
  date?: string;
  successor?: string | null;
}

/** Opens a handover plan for a departure known in advance; every page the person answers for, with a proposed successor. */
export function openHandover(ctx: CommandContext, handle: string, input: OpenHandoverInput, today: string): HandoverRow {
  const p = person(ctx.store, handle);
  if (p.status === 'departed') throw new ValidationError([{ field: 'handle', message: `${p.name} has already departed (on ${p.departed_on ?? 'an unknown date'}); see the orphan report instead.` }], 'conflict');
  if (ctx.store.transfer.openHandover(handle)) throw new ValidationError([{ field: 'handle', message: `${p.name} already has an open handover plan.` }], 'conflict');
  const errors: FieldError[] = [];
  const date = text(input.date);
  if (!isCalendarDate(date)) errors.push({ field: 'date', message: 'The leaving date must be a real date written YYYY-MM-DD.' });
  else if (date < today) errors.push({ field: 'date', message: `The leaving date ${date} is in the past; record a departure instead.` });
  const successor = handleOf(input.successor) || null;
  if (successor) checkSuccessor(ctx.store, successor, handle, 'successor', errors);
  if (errors.length > 0) throw new ValidationError(errors);
  const at = (ctx.at ?? new Date()).toISOString();
  const pages = pagesAnsweredBy(ctx.store, handle);
  ctx.store.transaction(() => {
    const id = ctx.store.transfer.insertHandover({ person: handle, leaving_on: date, successor, opened_at: at, opened_by: ctx.actor.username });
    for (const page of pages) ctx.store.transfer.insertHandoverPage({ handover_id: id, ...page, successor });
    recordAudit(ctx.store, { actor: ctx.actor.username, action: 'handover.opened', target: `person:${handle}`, client: ctx.client, at, details: { date, pages: pages.map((x) => x.slug), ...(successor ? { successor } : {}) } });
  });
  return ctx.store.transfer.openHandover(handle)!;
}

export interface HandoverPageUpdate {
  state?: string;
  successor?: string | null;
  note?: string | null;
}

/**
 * Moves one page of a plan along: not started → walked through (a session held, with a note) → accepted.
 * Only the successor (or an active member of a successor team) may accept, and accepting moves the
 * ownership as a new version with its one audit event. `actorPerson` is the person the signed-in account
 * belongs to.
 */
export function updateHandoverPage(ctx: CommandContext, handle: string, slug: string, input: HandoverPageUpdate, actorPerson: string | null) {
  const p = person(ctx.store, handle);
  const plan = ctx.store.transfer.openHandover(handle);
  if (!plan) {
    if (ctx.store.transfer.latestHandover(handle)) throw new ValidationError([{ field: 'handle', message: `${p.name}'s handover closed on the leaving date; it stays as a record. Use the reassignment screen for what is left.` }], 'conflict');
    throw new NotFoundError(`${p.name} has no handover plan.`);
  }
  const row = ctx.store.transfer.handoverPage(plan.id, slug);
  if (!row) throw new NotFoundError(`The page "${slug}" is not in ${p.name}'s handover plan.`);
  if (row.state === 'accepted') throw new ValidationError([{ field: 'state', message: `"${row.title}" was already accepted by its successor.` }], 'conflict');
  const errors: FieldError[] = [];
  const state = text(input.state) as HandoverState;
  if (!HANDOVER_STATES.includes(state)) errors.push({ field: 'state', message: `The state is one of ${HANDOVER_STATES.join(', ')}.` });
  let successor = row.successor;
  if (input.successor !== undefined && input.successor !== null && handleOf(input.successor) !== '') {
    successor = handleOf(input.successor);
    checkSuccessor(ctx.store, successor, handle, 'successor', errors);
  }
  const note = input.note === undefined ? row.note : text(input.note) || null;
  if (note && note.length > NOTE_MAX) errors.push({ field: 'note', message: `A note is at most ${NOTE_MAX} characters.` });
  if (state === 'accepted' && !successor) errors.push({ field: 'successor', message: 'Name a successor before the page can be accepted.' });
  if (errors.length > 0) throw new ValidationError(errors);
  if (note && note !== row.note) guard(ctx, { note });
  const at = (ctx.at ?? new Date()).toISOString();
  const update = { handover_id: plan.id, slug, successor, state, note, updated_at: at, updated_by: ctx.actor.username };

  if (state === 'accepted') {
    const heir = ctx.store.parties.get(successor!)!;
    const mayAccept = heir.kind === 'person' ? actorPerson === heir.handle : actorPerson !== null && ctx.store.parties.members(heir.handle).some((m) => m.handle === actorPerson && m.status === 'active');
    if (!mayAccept) throw new ForbiddenError(`Only ${heir.name}${heir.kind === 'team' ? ' (a member of the team)' : ''} can accept "${row.title}": accepting says "I can maintain this", and nobody can say it for someone else.`);
    ctx.store.transaction(() => {
      ctx.store.transfer.updateHandoverPage(update);
      // One version and one audit event: the ownership move, naming the plan it completes.
      moveOwnership(ctx, { from: row.via, moves: [{ slug, to: heir.handle }], reason: `accepted in the handover before ${p.name} leaves on ${plan.leaving_on}`, details: { handover: handle, ...(note ? { note } : {}) } });
    });
  } else {
    ctx.store.transaction(() => {
      ctx.store.transfer.updateHandoverPage(update);
      recordAudit(ctx.store, { actor: ctx.actor.username, action: 'handover.page_updated', target: slug, client: ctx.client, at, details: { person: handle, state, ...(successor ? { successor } : {}), ...(note ? { note } : {}) } });
    });
  }
  return ctx.store.transfer.handoverPage(plan.id, slug)!;
}

export interface HandoverPageView {
  slug: string;
  title: string;
  via: string;
  successor: string | null;
  successor_name: string | null;
  state: HandoverState;
  note: string | null;
  updated_at: string | null;
  updated_by: string | null;
  checklist: Gap[];
}

export interface HandoverView {
  person: string;
  name: string;
  date: string | null;
  successor: string | null;
  opened_at: string | null;
  /** True once the leaving date passed: the plan is a record. */
  closed: boolean;
  pages: HandoverPageView[];
  done: number;
  total: number;
}

/** A person's newest plan with each page's state and capture checklist; `date` is null when there is none. */
export function handoverOf(store: Store, handle: string, now: Date, hidden: Set<string> = new Set()): HandoverView {
  const p = person(store, handle);
  const plan = store.transfer.latestHandover(handle);
  if (!plan) return { person: handle, name: p.name, date: null, successor: null, opened_at: null, closed: false, pages: [], done: 0, total: 0 };
  const pages = store.transfer.handoverPages(plan.id).filter((r) => !hidden.has(r.slug)).map((r): HandoverPageView => {
    const head = store.pages.head(r.slug);
    const version = head ? store.pages.version(head.id, head.current_version) : undefined;
    const checklist = head && version ? captureChecklist({ fm: JSON.parse(version.front_matter) as FrontMatter, body: version.body, lastReviewedAt: head.last_reviewed_at }, now) : [];
    return { slug: r.slug, title: head?.title ?? r.title, via: r.via, successor: r.successor, successor_name: r.successor ? store.parties.get(r.successor)?.name ?? r.successor : null, state: r.state, note: r.note, updated_at: r.updated_at, updated_by: r.updated_by, checklist };
  });
  return { person: handle, name: p.name, date: plan.leaving_on, successor: plan.successor, opened_at: plan.opened_at, closed: plan.closed_at !== null, pages, done: pages.filter((x) => x.state === 'accepted').length, total: pages.length };
}

/**
 * On the leaving date the departure happens as if an admin had recorded it: the person is marked departed
 * on that date (what was not accepted is orphaned exactly as today) and the plan closes as a record.
 * Run before requests are answered, with the app's clock, so nothing depends on a timer having fired.
 */
export function settleDueHandovers(ctx: CommandContext, today: string): number {
  let settled = 0;
  for (const plan of ctx.store.transfer.dueHandovers(today)) {
    const p = ctx.store.parties.get(plan.person);
    const at = (ctx.at ?? new Date()).toISOString();
    ctx.store.transaction(() => {
      if (p && p.status === 'active') {
        const errors: FieldError[] = [];
        if (plan.successor) checkSuccessor(ctx.store, plan.successor, plan.person, 'successor', errors);
        departPerson(ctx, { handle: plan.person, date: plan.leaving_on, successor: errors.length === 0 ? plan.successor : null, reason: 'Left on the leaving date of the handover plan', today });
      }
      ctx.store.transfer.closeHandover(plan.id, at);
    });
    settled++;
  }
  return settled;
}

/** Open plans with their progress, for the team page and the health dashboard. */
export function openHandovers(store: Store, hidden: Set<string> = new Set()) {
  return store.transfer.openHandovers().map((plan) => {
    const pages = store.transfer.handoverPages(plan.id).filter((r) => !hidden.has(r.slug));
    return { person: plan.person, name: store.parties.get(plan.person)?.name ?? plan.person, date: plan.leaving_on, done: pages.filter((r) => r.state === 'accepted').length, walked: pages.filter((r) => r.state === 'walked_through').length, total: pages.length };
  });
}
