import { describe, expect, it } from 'vitest';
import { reconcileSupersession } from '../../../server/pages/commands/reconcile-supersession.js';
import { createPage } from '../../../server/pages/commands/create-page.js';
import { getCurrentPage } from '../../../server/pages/queries.js';
import { auditCount, commandContext, sampleFrontMatter, seedPage, testStore } from '../../helpers.js';

describe('reconcileSupersession', () => {
  it('gives a page that arrived later the link back, as one version with one audit event', () => {
    const { store } = testStore();
    // An importer writes the newer page first, naming an older page that does not exist yet.
    createPage(commandContext(store, 'mreyes', { laterPagesMayFollow: true }), { slug: 'new-bpa', frontMatter: { ...sampleFrontMatter, title: 'New BPA', supersedes: ['old-bpa'] }, body: '' });
    seedPage(store, 'old-bpa');
    const before = auditCount(store);
    reconcileSupersession(commandContext(store), { slug: 'new-bpa' });
    expect(getCurrentPage(store, 'old-bpa').frontMatter).toMatchObject({ superseded_by: ['new-bpa'], status: 'superseded' });
    expect(auditCount(store)).toBe(before + 1);
    reconcileSupersession(commandContext(store), { slug: 'new-bpa' });
    expect(auditCount(store)).toBe(before + 1);
  });

  it('does nothing for a page that does not exist', () => {
    const { store } = testStore();
    reconcileSupersession(commandContext(store), { slug: 'nope' });
    expect(auditCount(store)).toBe(0);
  });
});
