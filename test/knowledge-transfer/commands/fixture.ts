import type { Store } from '../../../server/store/index.js';
import { createPage } from '../../../server/pages/commands.js';
import { commandContext, sampleFrontMatter, testStore } from '../../helpers.js';

/** A store where dokafor owns two pages, and a context for a person acting as themselves. */
export function handoverStore(): { store: Store } {
  const { store } = testStore();
  for (const slug of ['lab-feed', 'adt-feed']) createPage(commandContext(store), { slug, frontMatter: { ...sampleFrontMatter, title: slug, owners: ['dokafor'] }, body: '' });
  return { store };
}

export function as(store: Store, person: string, role: 'reader' | 'editor' | 'admin' = 'editor') {
  return commandContext(store, person, { actor: { username: person, role, person } });
}
