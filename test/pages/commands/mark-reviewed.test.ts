import { describe, expect, it } from 'vitest';
import { markReviewed } from '../../../server/pages/commands/mark-reviewed.js';
import { setArchived } from '../../../server/pages/commands/set-archived.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { PhiGuard, PhiRefused } from '../../../server/phi/guard.js';
import { auditCount, commandContext, seedPage, testStore } from '../../helpers.js';

describe('markReviewed', () => {
  it('records the review on the head with one audit event and no new version', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const before = auditCount(store);
    const at = new Date('2026-03-01T09:00:00Z');
    const result = markReviewed(commandContext(store, 'mreyes', { at }), { slug: page.slug, note: 'Checked with the ED lead' });
    expect(result).toEqual({ reviewedAt: at.toISOString(), version: 1 });
    const head = store.pages.head(page.slug)!;
    expect([head.current_version, head.last_reviewed_at, head.last_reviewed_by]).toEqual([1, at.toISOString(), 'mreyes']);
    expect(auditCount(store)).toBe(before + 1);
    expect(store.audit.forTarget(page.slug).at(-1)!.action).toBe('page.reviewed');
  });

  it('refuses a missing page, a long note, a note with patient information and an archived page, writing nothing', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const before = auditCount(store);
    expect(() => markReviewed(commandContext(store), { slug: 'nope' })).toThrow(NotFoundError);
    expect(() => markReviewed(commandContext(store), { slug: page.slug, note: 'x'.repeat(1001) })).toThrow(ValidationError);
    const phi = new PhiGuard({ mrnPatterns: [], rules: [] });
    expect(() => markReviewed(commandContext(store, 'mreyes', { phi }), { slug: page.slug, note: 'Called (608) 555-0142' })).toThrow(PhiRefused);
    expect(auditCount(store)).toBe(before);
    setArchived(commandContext(store), { slug: page.slug, archived: true, summary: 'Gone' });
    const archived = auditCount(store);
    expect(() => markReviewed(commandContext(store), { slug: page.slug })).toThrow(/archived pages are not reviewed/);
    expect(auditCount(store)).toBe(archived);
    expect(store.pages.head(page.slug)!.last_reviewed_at).toBeNull();
  });

  it('lets owners, editors and admins review, refuses a reader who does not own the page', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const before = auditCount(store);
    const reader = commandContext(store, 'reader1', { actor: { username: 'reader1', role: 'reader', person: 'dokafor' } });
    expect(() => markReviewed(reader, { slug: page.slug })).toThrow(ForbiddenError);
    expect(auditCount(store)).toBe(before);
    const owner = commandContext(store, 'maria', { actor: { username: 'maria', role: 'reader', person: 'mreyes' } });
    expect(markReviewed(owner, { slug: page.slug }).version).toBe(1);
    expect(auditCount(store)).toBe(before + 1);
  });

});
