import { describe, expect, it } from 'vitest';
import { createPage } from '../../../server/pages/commands.js';
import { reassignAllOwned } from '../../../server/people/commands/reassign-all-owned.js';
import { ValidationError } from '../../../server/core/errors.js';
import { auditCount, commandContext, sampleFrontMatter, testStore } from '../../helpers.js';

describe('reassignAllOwned', () => {
  it('moves every page the owner holds directly, one audit event per page', () => {
    const { store } = testStore();
    const ctx = commandContext(store, 'mreyes');
    for (const slug of ['one', 'two']) createPage(ctx, { slug, frontMatter: { ...sampleFrontMatter, title: slug, owners: ['dokafor'] }, body: '' });
    const before = auditCount(store);
    expect(reassignAllOwned(ctx, { from: 'dokafor', to: 'epic-clindoc', reason: 'Team owns it now' }).map((p) => p.slug).sort()).toEqual(['one', 'two']);
    expect(store.pages.ownedBy('dokafor')).toEqual([]);
    expect(auditCount(store)).toBe(before + 2);
  });

  it('refuses an unknown owner on either side, and the same owner, moving nothing', () => {
    const { store } = testStore();
    const ctx = commandContext(store, 'mreyes');
    createPage(ctx, { slug: 'one', frontMatter: { ...sampleFrontMatter, title: 'One', owners: ['dokafor'] }, body: '' });
    const before = auditCount(store);
    expect(() => reassignAllOwned(ctx, { from: 'ghost', to: 'mreyes', reason: 'x' })).toThrow(ValidationError);
    expect(() => reassignAllOwned(ctx, { from: 'dokafor', to: 'nobody', reason: 'x' })).toThrow(/no person or team "nobody"/);
    expect(() => reassignAllOwned(ctx, { from: 'dokafor', to: 'dokafor', reason: 'x' })).toThrow(/cannot move to the person they move from/);
    expect(auditCount(store)).toBe(before);
  });
});
