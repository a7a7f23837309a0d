import type { Store } from '../store/index.js';

/** The directory page of a person or team: where an @handle or an owner's name leads. */
export function partyHref(kind: 'person' | 'team', handle: string): string {
  return kind === 'team' ? `/teams/${handle}` : `/people/${handle}`;
}

/** Where each of these handles leads, for those that name a person or team; unknown handles are left out. */
export function mentionLinks(store: Store, handles: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const handle of handles) {
    const party = store.parties.get(handle);
    if (party) out[handle] = partyHref(party.kind, party.handle);
  }
  return out;
}
