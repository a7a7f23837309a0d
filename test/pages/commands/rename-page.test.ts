import { describe, expect, it } from 'vitest';
import { renamePage } from '../../../server/pages/commands/rename-page.js';
import { NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { auditCount, commandContext, seedPage, testStore } from '../../helpers.js';

describe('renamePage', () => {
  it('moves the page to the new slug as a version, remembers the old one, and records one event', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const before = auditCount(store);
    const moved = renamePage(commandContext(store), { slug: page.slug, to: 'sepsis-bpa', summary: 'Shorter' });
    expect(moved).toMatchObject({ slug: 'sepsis-bpa', version: 2, summary: 'Renamed from sepsis-screening-bpa to sepsis-bpa: Shorter' });
    expect(store.renames.current(page.slug)).toBe('sepsis-bpa');
    expect(auditCount(store)).toBe(before + 1);
    expect(store.audit.forTarget('sepsis-bpa').at(-1)!.action).toBe('page.renamed');
  });

  it('refuses a missing page, a bad slug and a slug another page has had', () => {
    const { store } = testStore();
    const page = seedPage(store);
    seedPage(store, 'other-page');
    const before = auditCount(store);
    expect(() => renamePage(commandContext(store), { slug: 'nope', to: 'fine-slug' })).toThrow(NotFoundError);
    expect(() => renamePage(commandContext(store), { slug: page.slug, to: 'Bad Slug' })).toThrow(/lowercase letters and digits/);
    try {
      renamePage(commandContext(store), { slug: page.slug, to: 'other-page' });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).statusCode).toBe(409);
    }
    expect(auditCount(store)).toBe(before);
  });
});
