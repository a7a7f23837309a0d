import { describe, expect, it } from 'vitest';
import { saveDraft } from '../../../server/pages/commands/save-draft.js';
import { getDraft } from '../../../server/pages/drafts.js';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../../../server/core/errors.js';
import { PhiGuard, PhiRefused } from '../../../server/phi/guard.js';
import { auditCount, commandContext, seedPage, testStore } from '../../helpers.js';

describe('saveDraft', () => {
  it('keeps the author\'s draft of a page and of a new page, replacing the earlier one, with no audit event', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const before = auditCount(store);
    const at = new Date('2026-03-01T09:00:00Z');
    const ctx = commandContext(store, 'mreyes', { at });
    saveDraft(ctx, { slug: page.slug, baseVersion: 1, fields: { body: 'First try' } });
    const kept = saveDraft(ctx, { slug: page.slug, baseVersion: 1, fields: { body: 'Second\r\ntry', title: 'T' } });
    expect(kept).toEqual({ slug: page.slug, isNew: false, baseVersion: 1, fields: { title: 'T', body: 'Second\ntry' }, updatedAt: at.toISOString() });
    expect(getDraft(ctx, page.slug).fields.body).toBe('Second\ntry');
    expect(saveDraft(ctx, { slug: 'new-abcd1234', fields: { title: 'New page' } }).isNew).toBe(true);
    // A draft is the author's own unsaved text, kept per server: it is not part of the record.
    expect(auditCount(store)).toBe(before);
  });

  it('refuses a slug that is neither a page nor a new key, unknown fields, a wrong base version, a large body and patient information', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const ctx = commandContext(store);
    expect(() => saveDraft(ctx, { slug: 'nope', baseVersion: 1, fields: {} })).toThrow(NotFoundError);
    expect(() => saveDraft(ctx, { slug: page.slug, baseVersion: 1, fields: { colour: 'red' } })).toThrow(/Unknown field: colour/);
    expect(() => saveDraft(ctx, { slug: page.slug, baseVersion: 2, fields: {} })).toThrow(ValidationError);
    expect(() => saveDraft(ctx, { slug: 'new-abcd1234', baseVersion: 1, fields: {} })).toThrow(/leave base_version out/);
    expect(() => saveDraft(commandContext(store, 'mreyes', { maxBodyBytes: 10 }), { slug: page.slug, baseVersion: 1, fields: { body: 'x'.repeat(11) } })).toThrow(PayloadTooLargeError);
    const phi = new PhiGuard({ mrnPatterns: [], rules: [] });
    expect(() => saveDraft(commandContext(store, 'mreyes', { phi }), { slug: page.slug, baseVersion: 1, fields: { body: 'Called (608) 555-0142' } })).toThrow(PhiRefused);
    expect(store.drafts.list('mreyes')).toEqual([]);
  });

  it('keeps a draft for its author alone', () => {
    const { store } = testStore();
    const page = seedPage(store);
    saveDraft(commandContext(store, 'mreyes'), { slug: page.slug, baseVersion: 1, fields: { body: 'Mine' } });
    expect(() => getDraft(commandContext(store, 'dokafor'), page.slug)).toThrow(NotFoundError);
  });
});
