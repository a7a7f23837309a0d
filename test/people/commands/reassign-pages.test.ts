import { describe, expect, it } from 'vitest';
import { createPage } from '../../../server/pages/commands.js';
import { reassignPages } from '../../../server/people/commands/reassign-pages.js';
import { ValidationError } from '../../../server/core/errors.js';
import { auditCount, commandContext, sampleFrontMatter, testStore } from '../../helpers.js';

function setup() {
  const { store } = testStore();
  const ctx = commandContext(store, 'mreyes');
  for (const slug of ['one', 'two']) createPage(ctx, { slug, frontMatter: { ...sampleFrontMatter, title: slug, owners: ['dokafor'] }, body: '' });
  return { store, ctx };
}

describe('reassignPages', () => {
  it('moves the chosen pages, one version and one audit event per page moved', () => {
    const { store, ctx } = setup();
    const before = auditCount(store);
    const moved = reassignPages(ctx, { from: 'dokafor', moves: [{ slug: 'one', to: 'mreyes' }], reason: 'Handover' });
    expect(moved.map((p) => [p.slug, p.version, p.frontMatter.owners])).toEqual([['one', 2, ['mreyes']]]);
    expect(store.pages.ownersOf(store.pages.head('two')!.id)).toEqual(['dokafor']);
    expect(auditCount(store)).toBe(before + 1);
  });

  it('refuses a departed new owner beside its field, and an empty choice, moving nothing', () => {
    const { store, ctx } = setup();
    const before = auditCount(store);
    try {
      reassignPages(ctx, { from: 'dokafor', moves: [{ slug: 'one', to: 'tbrennan', field: 'to:one' }], reason: 'Handover' });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).byField()).toEqual({ 'to:one': expect.stringMatching(/has departed/) });
    }
    expect(() => reassignPages(ctx, { from: 'dokafor', moves: [], reason: 'Handover' })).toThrow(/at least one page/);
    expect(auditCount(store)).toBe(before);
  });
});
