import { describe, expect, it } from 'vitest';
import { moveOwnership } from '../../../server/pages/commands/move-ownership.js';
import { NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { auditCount, commandContext, seedPage, testStore } from '../../helpers.js';

describe('moveOwnership', () => {
  it('writes one version and one audit event per page moved, carrying the details', () => {
    const { store } = testStore();
    seedPage(store, 'one');
    seedPage(store, 'two');
    const before = auditCount(store);
    const moved = moveOwnership(commandContext(store), { from: 'mreyes', moves: [{ slug: 'one', to: 'dokafor' }, { slug: 'two', to: 'epic-clindoc' }], reason: 'Maria leaves', details: { handover: 'mreyes' } });
    expect(moved.map((v) => [v.slug, v.version, v.frontMatter.owners])).toEqual([['one', 2, ['dokafor']], ['two', 2, ['epic-clindoc']]]);
    expect(auditCount(store)).toBe(before + 2);
    expect(JSON.parse(store.audit.forTarget('one').at(-1)!.details)).toMatchObject({ from: 'mreyes', to: 'dokafor', handover: 'mreyes' });
  });

  it('refuses a missing reason, a missing page and a page the old owner does not own, writing nothing', () => {
    const { store } = testStore();
    seedPage(store, 'one');
    const before = auditCount(store);
    expect(() => moveOwnership(commandContext(store), { from: 'mreyes', moves: [{ slug: 'one', to: 'dokafor' }], reason: ' ' })).toThrow(ValidationError);
    expect(() => moveOwnership(commandContext(store), { from: 'mreyes', moves: [{ slug: 'one', to: 'dokafor' }, { slug: 'nope', to: 'dokafor' }], reason: 'x' })).toThrow(NotFoundError);
    expect(() => moveOwnership(commandContext(store), { from: 'dokafor', moves: [{ slug: 'one', to: 'mreyes' }], reason: 'x' })).toThrow(/not owned by dokafor/);
    expect(auditCount(store)).toBe(before);
    expect(store.pages.head('one')!.current_version).toBe(1);
  });
});
