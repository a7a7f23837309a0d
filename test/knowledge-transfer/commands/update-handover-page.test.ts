import { describe, expect, it } from 'vitest';
import { openHandover } from '../../../server/knowledge-transfer/commands/open-handover.js';
import { updateHandoverPage } from '../../../server/knowledge-transfer/commands/update-handover-page.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { PhiGuard } from '../../../server/phi/guard.js';
import { auditCount } from '../../helpers.js';
import { as, handoverStore } from './fixture.js';

function withPlan() {
  const { store } = handoverStore();
  openHandover(as(store, 'mreyes', 'admin'), { handle: 'dokafor', date: '2026-06-30', successor: 'mreyes', today: '2026-06-01' });
  return { store };
}

describe('updateHandoverPage', () => {
  it('records a walk-through with one audit event, and the successor\'s acceptance as one ownership version', () => {
    const { store } = withPlan();
    const before = auditCount(store);
    const row = updateHandoverPage(as(store, 'dokafor'), { handle: 'dokafor', slug: 'lab-feed', state: 'walked_through', note: 'Walked through the feed' });
    expect([row.state, row.note]).toEqual(['walked_through', 'Walked through the feed']);
    expect(auditCount(store)).toBe(before + 1);
    updateHandoverPage(as(store, 'mreyes'), { handle: 'dokafor', slug: 'lab-feed', state: 'accepted' });
    expect(auditCount(store)).toBe(before + 2);
    const head = store.pages.head('lab-feed')!;
    expect([head.current_version, store.pages.ownersOf(head.id)]).toEqual([2, ['mreyes']]);
  });

  it('lets only the successor accept: the leaver, an admin or nobody cannot say it for them', () => {
    const { store } = withPlan();
    const before = auditCount(store);
    expect(() => updateHandoverPage(as(store, 'dokafor'), { handle: 'dokafor', slug: 'lab-feed', state: 'accepted' })).toThrow(ForbiddenError);
    expect(() => updateHandoverPage(as(store, 'admin', 'admin'), { handle: 'dokafor', slug: 'lab-feed', state: 'accepted' })).toThrow(/Only Maria Reyes can accept/);
    expect(auditCount(store)).toBe(before);
    expect(store.pages.ownersOf(store.pages.head('lab-feed')!.id)).toEqual(['dokafor']);
  });

  it('refuses a bad state, a page not in the plan, a person without a plan and a note with patient information', () => {
    const { store } = withPlan();
    const before = auditCount(store);
    const ctx = as(store, 'dokafor');
    expect(() => updateHandoverPage(ctx, { handle: 'dokafor', slug: 'lab-feed', state: 'done' })).toThrow(/The state is one of/);
    expect(() => updateHandoverPage(ctx, { handle: 'dokafor', slug: 'nope', state: 'walked_through' })).toThrow(NotFoundError);
    expect(() => updateHandoverPage(ctx, { handle: 'mreyes', slug: 'lab-feed', state: 'walked_through' })).toThrow(/has no handover plan/);
    const phi = new PhiGuard({ mrnPatterns: [], rules: [] });
    try {
      updateHandoverPage({ ...ctx, phi }, { handle: 'dokafor', slug: 'lab-feed', state: 'walked_through', note: 'Call (608) 555-0142' });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).kind).toBe('refused');
    }
    expect(auditCount(store)).toBe(before);
  });
});
