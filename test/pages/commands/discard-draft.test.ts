import { describe, expect, it } from 'vitest';
import { discardDraft } from '../../../server/pages/commands/discard-draft.js';
import { saveDraft } from '../../../server/pages/commands/save-draft.js';
import { NotFoundError } from '../../../server/core/errors.js';
import { auditCount, commandContext, seedPage, testStore } from '../../helpers.js';

describe('discardDraft', () => {
  it('removes the author\'s draft, with no audit event', () => {
    const { store } = testStore();
    const page = seedPage(store);
    saveDraft(commandContext(store), { slug: page.slug, baseVersion: 1, fields: { body: 'Typed' } });
    const before = auditCount(store);
    discardDraft(commandContext(store), { slug: page.slug });
    expect(store.drafts.get('mreyes', page.slug)).toBeUndefined();
    expect(auditCount(store)).toBe(before);
  });

  it('answers not_found when there is no draft, and never removes another person\'s', () => {
    const { store } = testStore();
    const page = seedPage(store);
    expect(() => discardDraft(commandContext(store), { slug: page.slug })).toThrow(NotFoundError);
    saveDraft(commandContext(store, 'mreyes'), { slug: page.slug, baseVersion: 1, fields: { body: 'Mine' } });
    expect(() => discardDraft(commandContext(store, 'dokafor'), { slug: page.slug })).toThrow(NotFoundError);
    expect(store.drafts.get('mreyes', page.slug)).toBeDefined();
  });
});
