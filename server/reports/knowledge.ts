import type { Store } from '../store/index.js';
import type { PartyRow } from '../store/parties.js';
import type { FrontMatter } from '../pages/schema.js';
import type { CurrentPageRow } from '../store/pages.js';
import type { KnowledgeMarks } from '../store/knowledge-feed.js';
import { DUE_SOON_DAYS, reviewAt, reviewDue, type ReviewDue, type ReviewState } from '../pages/review.js';

/** Why an owner no longer counts as someone who knows the page. */
export type OwnerState = 'active' | 'departed' | 'no-active-members' | 'unknown';

export interface OwnerFact {
  handle: string;
  name: string;
  kind: 'person' | 'team';
  state: OwnerState;
  /** For a departed person: who takes over, if named. */
  successor: string | null;
}

/** One listed page and what the reports need to know about it. */
export interface PageFact {
  id: number;
  slug: string;
  title: string;
  system: string;
  module: string | null;
  status: string;
  fm: FrontMatter;
  owners: OwnerFact[];
  /** The active people behind the owners: people directly and active members of owning teams. */
  activePeople: string[];
  orphaned: boolean;
  singleOwner: boolean;
  hasTicket: boolean;
  review: ReviewState;
  updatedAt: string;
}

export interface Knowledge {
  now: Date;
  pages: PageFact[];
  parties: Map<string, PartyRow>;
  members: Map<string, string[]>;
}

/**
 * Everything the turnover reports read, computed in one pass over the current pages: who actually
 * stands behind each page, and whether its review is current. A few queries, whatever the page count.
 */
export function knowledge(store: Store, reviewDefaults: Record<string, string>, now: Date, base: KnowledgeBase = knowledgeBase(store), person?: string): Knowledge {
  // One person's queue needs only the pages they stand behind: review states are worked out for those alone.
  const pages = person === undefined ? base.pages : base.pages.filter((p) => p.activePeople.includes(person));
  return { now, parties: base.parties, members: base.members, pages: pages.map((e) => factAt(e, reviewDefaults, now)) };
}

type BaseEntry = KnowledgeBase['pages'][number];

/** Per base entry: when it falls due (worked out once, with date arithmetic) and the fact last built from it. */
const facts = new WeakMap<BaseEntry, { defaults: Record<string, string>; due: ReviewDue; fact?: PageFact }>();

/**
 * A page's fact at `now`. The due date does not depend on the time, so each minute only compares numbers;
 * while the state is unchanged the same fact is returned, so what is kept per fact stays valid.
 */
function factAt(e: BaseEntry, defaults: Record<string, string>, now: Date): PageFact {
  let c = facts.get(e);
  if (!c || c.defaults !== defaults) {
    c = { defaults, due: reviewDue({ frontMatter: e.fm, createdAt: e.row.created_at, lastReviewedAt: e.row.last_reviewed_at, lastReviewedBy: e.row.last_reviewed_by }, defaults) };
    facts.set(e, c);
  }
  const kept = c.fact?.review;
  const t = now.getTime();
  const overdue = t >= c.due.dueMs;
  if (kept && kept.overdue === overdue && kept.daysOverdue === (overdue ? Math.floor((t - c.due.dueMs) / 86_400_000) : 0) && kept.dueSoon === (!overdue && c.due.dueMs - t <= DUE_SOON_DAYS * 86_400_000)) return c.fact!;
  const { row: _row, ...fact } = e;
  c.fact = { ...fact, review: reviewAt(c.due, now) };
  return c.fact;
}

/** The part of the snapshot that does not depend on the time: it changes only when the store does. */
export interface KnowledgeBase {
  parties: Map<string, PartyRow>;
  members: Map<string, string[]>;
  pages: (Omit<PageFact, 'review'> & { row: { created_at: string; last_reviewed_at: string | null; last_reviewed_by: string | null } })[];
  /** Where the store stood when this was read: a refresh reads only the pages written after. */
  marks: KnowledgeMarks;
  /** Owner rows (page_owners) of the listed pages, by page id, to work owners out again when the directory changes. */
  ownerRows: Map<number, string[]>;
  /** The directory as read, to tell whether it changed. */
  directory: string;
}

/** Above this many pages written since the last read, reading everything again is as quick. */
const REFRESH_MAX = 5000;

function directoryOf(parties: PartyRow[], members: Map<string, string[]>): { parties: Map<string, PartyRow>; members: Map<string, string[]>; directory: string } {
  return { parties: new Map(parties.map((p) => [p.handle, p])), members, directory: JSON.stringify([parties, [...members]]) };
}

/** Who stands behind a page: its owners' states and the active people behind them. */
function ownerFacts(fm: FrontMatter, handles: string[], parties: Map<string, PartyRow>, members: Map<string, string[]>): Pick<PageFact, 'owners' | 'activePeople' | 'orphaned' | 'singleOwner'> {
  const people = new Set<string>();
  const owners = fm.owners.filter((h) => handles.includes(h)).map((handle): OwnerFact => {
    const party = parties.get(handle);
    if (!party) return { handle, name: handle, kind: 'person', state: 'unknown', successor: null };
    if (party.kind === 'person') {
      if (party.status === 'active') people.add(handle);
      return { handle, name: party.name, kind: 'person', state: party.status === 'active' ? 'active' : 'departed', successor: party.successor };
    }
    const active = (members.get(handle) ?? []).filter((m) => parties.get(m)?.status === 'active');
    for (const m of active) people.add(m);
    return { handle, name: party.name, kind: 'team', state: active.length > 0 ? 'active' : 'no-active-members', successor: null };
  });
  return { owners, activePeople: [...people].sort(), orphaned: people.size === 0, singleOwner: people.size === 1 };
}

function entryOf(row: CurrentPageRow, handles: string[] | undefined, parties: Map<string, PartyRow>, members: Map<string, string[]>): BaseEntry {
  const fm = JSON.parse(row.front_matter) as FrontMatter;
  const who = ownerFacts(fm, handles ?? fm.owners, parties, members);
  return {
    id: row.id,
    slug: row.slug,
    title: row.title,
    system: row.system,
    module: row.module,
    status: row.status,
    fm,
    owners: who.owners,
    activePeople: who.activePeople,
    orphaned: who.orphaned,
    singleOwner: who.singleOwner,
    hasTicket: (fm.tickets ?? []).length > 0,
    updatedAt: row.updated_at,
    row: { created_at: row.created_at, last_reviewed_at: row.last_reviewed_at, last_reviewed_by: row.last_reviewed_by },
  };
}

/** Orders titles as SQLite's BINARY collation does (UTF-8 bytes, that is code points), then by id: the snapshot's own order. */
export function byTitle(a: { title: string; id: number }, b: { title: string; id: number }): number {
  const x = a.title;
  const y = b.title;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    let cx = x.charCodeAt(i);
    let cy = y.charCodeAt(i);
    if (cx === cy) continue;
    // UTF-16 puts surrogates (code points above U+FFFF) before U+E000-U+FFFF; code point order puts them after.
    if (cx >= 0xd800 && cy >= 0xd800) {
      cx = cx >= 0xe000 ? cx - 0x800 : cx + 0x2000;
      cy = cy >= 0xe000 ? cy - 0x800 : cy + 0x2000;
    }
    return cx - cy;
  }
  return x.length - y.length || a.id - b.id;
}

/** Every listed page read from the store, by title then id. */
export function knowledgeBase(store: Store): KnowledgeBase {
  const feed = store.knowledgeFeed;
  const read = feed.reading(() => ({ marks: feed.marks(), parties: store.parties.all(), members: store.parties.memberships(), ownerRows: feed.owners(), rows: feed.allCurrent() }));
  const dir = directoryOf(read.parties, read.members);
  const pages = read.rows.map((row) => entryOf(row, read.ownerRows.get(row.id), dir.parties, dir.members));
  return { ...dir, pages, marks: read.marks, ownerRows: read.ownerRows };
}

/**
 * The base as the store stands now, reading only the pages with a version or review written since `prev`
 * was read (owners are worked out again for every page only when the directory changed). The same as
 * `knowledgeBase(store)`; `prev` itself when nothing it holds changed.
 */
export function refreshKnowledgeBase(store: Store, prev: KnowledgeBase): KnowledgeBase {
  const feed = store.knowledgeFeed;
  const read = feed.reading(() => {
    const marks = feed.marks();
    // A purge rewrites a version where it stands: read everything again (purges are rare).
    if (marks.purges !== prev.marks.purges) return null;
    const ids = marks.version === prev.marks.version && marks.review === prev.marks.review ? [] : feed.changedSince(prev.marks);
    if (ids.length > REFRESH_MAX) return null;
    return { marks, ids, parties: store.parties.all(), members: store.parties.memberships(), rows: ids.length ? feed.currentOf(ids) : [], ownerRows: ids.length ? feed.owners(ids) : new Map<number, string[]>() };
  });
  if (!read) return knowledgeBase(store);
  const dir = directoryOf(read.parties, read.members);
  const sameDirectory = dir.directory === prev.directory;
  if (read.ids.length === 0 && sameDirectory) return prev;
  const changed = new Set(read.ids);
  const ownerRows = new Map(prev.ownerRows);
  for (const id of changed) ownerRows.delete(id);
  for (const [id, handles] of read.ownerRows) ownerRows.set(id, handles);
  const parties = sameDirectory ? prev.parties : dir.parties;
  const members = sameDirectory ? prev.members : dir.members;
  const kept: BaseEntry[] = [];
  for (const e of prev.pages) {
    if (changed.has(e.id)) continue;
    kept.push(sameDirectory ? e : { ...e, ...ownerFacts(e.fm, ownerRows.get(e.id) ?? e.fm.owners, parties, members) });
  }
  const fresh = read.rows.map((row) => entryOf(row, ownerRows.get(row.id), parties, members)).sort(byTitle);
  // Both lists are in title order: one merge keeps it.
  const pages: BaseEntry[] = [];
  let i = 0;
  let j = 0;
  while (i < kept.length || j < fresh.length) {
    if (j >= fresh.length || (i < kept.length && byTitle(kept[i]!, fresh[j]!) < 0)) pages.push(kept[i++]!);
    else pages.push(fresh[j++]!);
  }
  return { parties, members, directory: sameDirectory ? prev.directory : dir.directory, pages, marks: read.marks, ownerRows };
}

/** Pages a person answers for: owned directly or through a team they are an active member of. */
export function pagesOf(k: Knowledge, person: string): PageFact[] {
  return k.pages.filter((p) => p.activePeople.includes(person) && p.owners.some((o) => o.handle === person || (o.kind === 'team' && (k.members.get(o.handle) ?? []).includes(person))));
}
