import { describe, expect, it } from 'vitest';
import { restorePage } from '../../../server/pages/commands/restore-page.js';
import { savePage } from '../../../server/pages/commands/save-page.js';
import { NotFoundError } from '../../../server/core/errors.js';
import { getCurrentPage } from '../../../server/pages/queries.js';
import { auditCount, commandContext, sampleFrontMatter, seedPage, testStore } from '../../helpers.js';

describe('restorePage', () => {
  it('makes an earlier version current again as a new version, with one audit event', () => {
    const { store } = testStore();
    const page = seedPage(store);
    savePage(commandContext(store), { slug: page.slug, frontMatter: sampleFrontMatter, body: 'Wrong', summary: 'Oops', baseVersion: 1 });
    const before = auditCount(store);
    const { page: v3 } = restorePage(commandContext(store), { slug: page.slug, version: 1, summary: 'Undo' });
    expect(v3).toMatchObject({ version: 3, summary: 'Restored from version 1: Undo' });
    expect(getCurrentPage(store, page.slug).body).toBe(page.body);
    expect(auditCount(store)).toBe(before + 1);
    expect(store.audit.forTarget(page.slug).at(-1)!.action).toBe('page.restored');
  });

  it('refuses a missing version, a missing reason, and a restore that changes nothing', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const before = auditCount(store);
    expect(() => restorePage(commandContext(store), { slug: page.slug, version: 9, summary: 'x' })).toThrow(NotFoundError);
    expect(() => restorePage(commandContext(store), { slug: page.slug, version: 1, summary: ' ' })).toThrow(/Say why/);
    expect(() => restorePage(commandContext(store), { slug: page.slug, version: 1, summary: 'Same' })).toThrow(/nothing to restore/);
    expect(auditCount(store)).toBe(before);
  });
});
