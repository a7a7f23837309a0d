import type { Store } from '../store/index.js';
import type { PartyRow } from '../store/parties.js';
import type { FrontMatter } from '../pages/schema.js';
import { reviewState, type ReviewState } from '../pages/review.js';

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
  return {
    now,
    parties: base.parties,
    members: base.members,
    pages: pages.map(({ row, ...fact }) => ({
      ...fact,
      review: reviewState({ frontMatter: fact.fm, createdAt: row.created_at, lastReviewedAt: row.last_reviewed_at, lastReviewedBy: row.last_reviewed_by }, reviewDefaults, now),
    })),
  };
}

/** The part of the snapshot that does not depend on the time: it changes only when the store does. */
export interface KnowledgeBase {
  parties: Map<string, PartyRow>;
  members: Map<string, string[]>;
  pages: (Omit<PageFact, 'review'> & { row: { created_at: string; last_reviewed_at: string | null; last_reviewed_by: string | null } })[];
}

export function knowledgeBase(store: Store): KnowledgeBase {
  const parties = new Map(store.parties.all().map((p) => [p.handle, p]));
  const members = store.parties.memberships();
  const ownersByPage = store.pages.ownersByPage();
  const pages = store.pages.allCurrent().map((row) => {
    const fm = JSON.parse(row.front_matter) as FrontMatter;
    const handles = ownersByPage.get(row.id) ?? fm.owners;
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
    return {
      id: row.id,
      slug: row.slug,
      title: row.title,
      system: row.system,
      module: row.module,
      status: row.status,
      fm,
      owners,
      activePeople: [...people].sort(),
      orphaned: people.size === 0,
      singleOwner: people.size === 1,
      hasTicket: (fm.tickets ?? []).length > 0,
      updatedAt: row.updated_at,
      row: { created_at: row.created_at, last_reviewed_at: row.last_reviewed_at, last_reviewed_by: row.last_reviewed_by },
    };
  });
  return { pages, parties, members };
}

/** Pages a person answers for: owned directly or through a team they are an active member of. */
export function pagesOf(k: Knowledge, person: string): PageFact[] {
  return k.pages.filter((p) => p.activePeople.includes(person) && p.owners.some((o) => o.handle === person || (o.kind === 'team' && (k.members.get(o.handle) ?? []).includes(person))));
}
