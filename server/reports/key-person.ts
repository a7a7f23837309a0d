import type { Knowledge } from './knowledge.js';

export interface KeyPersonRow {
  handle: string;
  name: string;
  /** Pages that would be orphaned if this person left tomorrow, by slug. */
  pages: string[];
}

export interface DependencyRow {
  system: string;
  /** null on a system's own row. */
  module: string | null;
  pages: number;
  /** Pages with exactly one active person behind them. */
  one_person: number;
}

/** The people who alone stand behind some pages, the most such pages first (the health screen needs only these). */
export function keyPeople(k: Knowledge): KeyPersonRow[] {
  const byPerson = new Map<string, string[]>();
  for (const p of k.pages) {
    if (p.activePeople.length !== 1) continue;
    const who = p.activePeople[0]!;
    const list = byPerson.get(who) ?? [];
    list.push(p.slug);
    byPerson.set(who, list);
  }
  return [...byPerson.entries()]
    .map(([handle, pages]) => ({ handle, name: k.parties.get(handle)?.name ?? handle, pages: pages.sort() }))
    .sort((a, b) => b.pages.length - a.pages.length || a.name.localeCompare(b.name));
}

/**
 * For each active person, the pages nobody else stands behind: owned directly with no other active owner,
 * or owned by a team of which they are the last active member. A page with exactly one active person
 * behind it is orphaned the day that person leaves, so the snapshot's `activePeople` answers it directly.
 */
export function keyPersonReport(k: Knowledge) {
  const people = keyPeople(k);
  const rows = new Map<string, DependencyRow>();
  const row = (system: string, module: string | null) => {
    const key = `${system}\u0000${module ?? ''}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { system, module, pages: 0, one_person: 0 }));
    return r;
  };
  for (const p of k.pages) {
    for (const r of [row(p.system, null), row(p.system, p.module ?? 'General')]) {
      r.pages++;
      if (p.activePeople.length === 1) r.one_person++;
    }
  }
  const by_system = [...rows.values()].sort((a, b) => a.system.localeCompare(b.system) || (a.module === null ? -1 : b.module === null ? 1 : a.module.localeCompare(b.module)));
  return { as_of: k.now.toISOString(), people, by_system };
}
