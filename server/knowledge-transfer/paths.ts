import type { CommandContext } from '../core/context.js';
import { NotFoundError, ValidationError, type FieldError } from '../core/errors.js';
import { phiMessages } from '../phi/guard.js';
import { canSee } from '../auth/visibility.js';
import type { Store } from '../store/index.js';
import type { PathVersionRow } from '../store/knowledge-transfer.js';

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 2000;
export const STEP_NOTE_MAX = 500;
export const STEPS_MAX = 100;

export interface PathStep {
  slug: string;
  note?: string;
}

export interface PathInput {
  title?: string;
  description?: string;
  steps?: { slug?: string; note?: string | null }[];
}

export const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/** The path's fields checked and trimmed, or the reasons it cannot be saved. */
export function validatePath(ctx: CommandContext, input: PathInput): { title: string; description: string; steps: PathStep[] } {
  const errors: FieldError[] = [];
  const title = text(input.title);
  if (!title || title.length > TITLE_MAX) errors.push({ field: 'title', message: `A path needs a title, at most ${TITLE_MAX} characters, such as "New Epic ClinDoc analyst — first two weeks".` });
  const description = text(input.description);
  if (description.length > DESCRIPTION_MAX) errors.push({ field: 'description', message: `Who the path is for, at most ${DESCRIPTION_MAX} characters.` });
  const raw = Array.isArray(input.steps) ? input.steps : [];
  if (raw.length === 0 || raw.length > STEPS_MAX) errors.push({ field: 'steps', message: `A path has 1 to ${STEPS_MAX} steps, each naming a page.` });
  const steps: PathStep[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const s of raw) {
    const slug = text(s.slug).toLowerCase();
    const note = text(s.note);
    if (note.length > STEP_NOTE_MAX) errors.push({ field: 'steps', message: `The note on "${slug}" is longer than ${STEP_NOTE_MAX} characters.` });
    const head = slug ? ctx.store.pages.head(slug) : undefined;
    // A page the author may not see is reported as missing, as everywhere else.
    const restricted = head?.restricted_to ? (JSON.parse(head.restricted_to) as string[]) : null;
    if (!head || head.archived || (ctx.actor.viewer && !canSee(restricted, ctx.actor.viewer))) missing.push(slug || '(empty)');
    else if (seen.has(slug)) errors.push({ field: 'steps', message: `The page "${slug}" is in the path twice.` });
    seen.add(slug);
    steps.push(note ? { slug, note } : { slug });
  }
  if (missing.length > 0) errors.push({ field: 'steps', message: `No page ${missing.map((m) => `"${m}"`).join(', ')}: every step names an existing page.` });
  if (errors.length > 0) throw new ValidationError(errors);
  const hits = ctx.phi?.scan({ title, description, notes: steps.map((s) => s.note ?? '') }) ?? [];
  if (hits.length > 0) throw new ValidationError(phiMessages(hits), 'refused');
  return { title, description, steps };
}

export function currentVersion(store: Store, id: number): PathVersionRow {
  const path = store.transfer.path(id);
  if (!path) throw new NotFoundError(`There is no reading path ${id}.`);
  return store.transfer.pathVersion(id, path.current_version)!;
}

export interface StepView {
  slug: string;
  title: string;
  note: string | null;
  current_version: number;
  /** The page version the person last read, or null. */
  read_version: number | null;
  changed: boolean;
}

function stepsFor(store: Store, v: PathVersionRow, hidden: Set<string>, reads: Map<string, number>): StepView[] {
  return (JSON.parse(v.steps) as PathStep[])
    .filter((s) => !hidden.has(s.slug))
    .flatMap((s) => {
      const head = store.pages.head(s.slug);
      if (!head) return [];
      const read = reads.get(s.slug) ?? null;
      return [{ slug: s.slug, title: head.title, note: s.note ?? null, current_version: head.current_version, read_version: read, changed: read !== null && head.current_version > read }];
    });
}

function latestReads(store: Store, person: string): Map<number, Map<string, number>> {
  const out = new Map<number, Map<string, number>>();
  for (const r of store.transfer.readsBy(person)) {
    const m = out.get(r.path_id) ?? new Map<string, number>();
    m.set(r.slug, r.page_version);
    out.set(r.path_id, m);
  }
  return out;
}

/** Every path, current versions, for the list. */
export function listPaths(store: Store, hidden: Set<string> = new Set()) {
  return store.transfer.currentPaths().map((v) => ({ id: v.path_id, version: v.version, title: v.title, description: v.description, steps: (JSON.parse(v.steps) as PathStep[]).filter((s) => !hidden.has(s.slug)).length, assigned: store.transfer.assignees(v.path_id).length }));
}

/** One path as a viewer sees it: the steps they may see, their own reading, and each assignee's progress. */
export function pathView(store: Store, id: number, hidden: Set<string>, viewerPerson: string | null) {
  const v = currentVersion(store, id);
  const mine = viewerPerson ? latestReads(store, viewerPerson).get(id) ?? new Map<string, number>() : new Map<string, number>();
  const steps = stepsFor(store, v, hidden, mine);
  const allReads = new Map<string, Set<string>>();
  for (const r of store.transfer.readsOf(id)) {
    const s = allReads.get(r.person) ?? new Set<string>();
    s.add(r.slug);
    allReads.set(r.person, s);
  }
  const visible = new Set(steps.map((s) => s.slug));
  const progress = store.transfer.assignees(id).map((a) => ({ handle: a.person, name: store.parties.get(a.person)?.name ?? a.person, assigned_at: a.assigned_at, done: [...(allReads.get(a.person) ?? [])].filter((s) => visible.has(s)).length, total: visible.size }));
  return { id, version: v.version, title: v.title, description: v.description, author: v.author, saved_at: v.created_at, steps, assignees: progress, done: steps.filter((s) => s.read_version !== null).length, total: steps.length };
}

/** A person's paths (assigned, and any they studied on their own) with progress and what changed since they read it. */
export function pathsOf(store: Store, person: string, hidden: Set<string> = new Set()) {
  const p = store.parties.get(person);
  if (!p || p.kind !== 'person') throw new NotFoundError(`There is no person "${person}".`);
  const reads = latestReads(store, person);
  const assigned = store.transfer.assignedTo(person);
  const ids = [...assigned, ...store.transfer.pathsReadBy(person).filter((id) => !assigned.includes(id))];
  return {
    paths: ids.map((id) => {
      const v = currentVersion(store, id);
      const steps = stepsFor(store, v, hidden, reads.get(id) ?? new Map<string, number>());
      return { id, title: v.title, assigned: assigned.includes(id), done: steps.filter((s) => s.read_version !== null).length, total: steps.length, changed_since_read: steps.filter((s) => s.changed).map((s) => s.slug), steps };
    }),
  };
}
