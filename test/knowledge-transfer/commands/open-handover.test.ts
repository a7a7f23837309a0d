import { describe, expect, it } from 'vitest';
import { openHandover } from '../../../server/knowledge-transfer/commands/open-handover.js';
import { NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { auditCount } from '../../helpers.js';
import { as, handoverStore } from './fixture.js';

describe('openHandover', () => {
  it('opens a plan listing every page the person answers for, with one audit event', () => {
    const { store } = handoverStore();
    const before = auditCount(store);
    const plan = openHandover(as(store, 'mreyes', 'admin'), { handle: 'dokafor', date: '2026-06-30', successor: '@mreyes', today: '2026-06-01' });
    expect([plan.person, plan.leaving_on, plan.successor]).toEqual(['dokafor', '2026-06-30', 'mreyes']);
    expect(store.transfer.handoverPages(plan.id).map((p) => p.slug).sort()).toEqual(['adt-feed', 'lab-feed']);
    expect(auditCount(store)).toBe(before + 1);
    expect(store.audit.forTarget('person:dokafor').at(-1)!.action).toBe('handover.opened');
  });

  it('refuses a missing person, a past or unreal date, a departed successor and a second plan, writing nothing more', () => {
    const { store } = handoverStore();
    const ctx = as(store, 'mreyes', 'admin');
    const today = '2026-06-01';
    const before = auditCount(store);
    expect(() => openHandover(ctx, { handle: 'ghost', date: '2026-06-30', today })).toThrow(NotFoundError);
    expect(() => openHandover(ctx, { handle: 'dokafor', date: '2026-05-01', today })).toThrow(/in the past/);
    expect(() => openHandover(ctx, { handle: 'dokafor', date: '2026-02-30', today })).toThrow(/real date/);
    expect(() => openHandover(ctx, { handle: 'dokafor', date: '2026-06-30', successor: 'tbrennan', today })).toThrow(/has departed/);
    expect(() => openHandover(ctx, { handle: 'tbrennan', date: '2026-06-30', today })).toThrow(/already departed/);
    expect(auditCount(store)).toBe(before);
    openHandover(ctx, { handle: 'dokafor', date: '2026-06-30', today });
    try {
      openHandover(ctx, { handle: 'dokafor', date: '2026-07-30', today });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).kind).toBe('conflict');
    }
    expect(auditCount(store)).toBe(before + 1);
  });
});
