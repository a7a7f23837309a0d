import { describe, expect, it } from 'vitest';
import { setArchived } from '../../../server/pages/commands/set-archived.js';
import { NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { auditCount, commandContext, seedPage, testStore } from '../../helpers.js';

describe('setArchived', () => {
  it('archives and unarchives as versions, each with one audit event', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const before = auditCount(store);
    expect(setArchived(commandContext(store), { slug: page.slug, archived: true, summary: 'Decommissioned' }).version).toBe(2);
    expect(store.pages.head(page.slug)!.archived).toBe(1);
    expect(auditCount(store)).toBe(before + 1);
    setArchived(commandContext(store), { slug: page.slug, archived: false, summary: 'Back in use' });
    expect(store.audit.forTarget(page.slug).slice(-2).map((e) => e.action)).toEqual(['page.archived', 'page.unarchived']);
    expect(auditCount(store)).toBe(before + 2);
  });

  it('refuses a missing page, a missing reason and archiving twice', () => {
    const { store } = testStore();
    const page = seedPage(store);
    expect(() => setArchived(commandContext(store), { slug: 'nope', archived: true, summary: 'x' })).toThrow(NotFoundError);
    expect(() => setArchived(commandContext(store), { slug: page.slug, archived: true, summary: '' })).toThrow(/Say why/);
    setArchived(commandContext(store), { slug: page.slug, archived: true, summary: 'Gone' });
    const before = auditCount(store);
    try {
      setArchived(commandContext(store), { slug: page.slug, archived: true, summary: 'Again' });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).statusCode).toBe(409);
    }
    expect(auditCount(store)).toBe(before);
  });
});
