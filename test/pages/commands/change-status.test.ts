import { describe, expect, it } from 'vitest';
import { changeStatus } from '../../../server/pages/commands/change-status.js';
import { createPage } from '../../../server/pages/commands/create-page.js';
import { NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { auditCount, commandContext, outsiderContext, sampleFrontMatter, seedPage, seedRestrictedPage, testStore } from '../../helpers.js';

describe('changeStatus', () => {
  it('moves a page along its lifecycle as a new version with one audit event', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const before = auditCount(store);
    const { page: v2 } = changeStatus(commandContext(store), { slug: page.slug, status: 'retired', reason: 'Replaced by the new BPA' });
    expect(v2).toMatchObject({ version: 2, summary: 'Status live → retired: Replaced by the new BPA' });
    expect(store.pages.head(page.slug)!.status).toBe('retired');
    expect(auditCount(store)).toBe(before + 1);
    expect(store.audit.forTarget(page.slug).at(-1)!.action).toBe('page.status_changed');
  });

  it('refuses a missing page, a change without a reason and a transition the lifecycle forbids', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const before = auditCount(store);
    expect(() => changeStatus(commandContext(store), { slug: 'nope', status: 'retired', reason: 'x' })).toThrow(NotFoundError);
    try {
      changeStatus(commandContext(store), { slug: page.slug, status: 'proposed', reason: ' ' });
      expect.unreachable();
    } catch (e) {
      expect(Object.keys((e as ValidationError).byField()).sort()).toEqual(['reason', 'status']);
    }
    expect(auditCount(store)).toBe(before);
  });

  it('refuses to put a page back in service over a successor its author may not see', () => {
    const { store } = testStore();
    seedRestrictedPage(store, 'successor');
    const page = createPage(commandContext(store), { slug: 'old-page', frontMatter: { ...sampleFrontMatter, status: 'superseded', superseded_by: ['successor'] }, body: '' });
    const before = auditCount(store);
    expect(() => changeStatus(outsiderContext(store), { slug: page.slug, status: 'live', reason: 'Back' })).toThrow(/restricted page you cannot see supersedes this one/);
    expect(auditCount(store)).toBe(before);
  });
});
