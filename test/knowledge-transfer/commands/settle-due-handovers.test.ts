import { describe, expect, it } from 'vitest';
import { openHandover } from '../../../server/knowledge-transfer/commands/open-handover.js';
import { settleDueHandovers } from '../../../server/knowledge-transfer/commands/settle-due-handovers.js';
import { auditCount } from '../../helpers.js';
import { as, handoverStore } from './fixture.js';

describe('settleDueHandovers', () => {
  it('does nothing before the leaving date, and on it marks the person departed (one audit event) and closes the plan', () => {
    const { store } = handoverStore();
    openHandover(as(store, 'mreyes', 'admin'), { handle: 'dokafor', date: '2026-06-30', successor: 'mreyes', today: '2026-06-01' });
    const before = auditCount(store);
    const ctx = { ...as(store, 'whywiki'), actor: { username: 'whywiki' } };
    expect(settleDueHandovers(ctx, { today: '2026-06-29' })).toBe(0);
    expect(auditCount(store)).toBe(before);
    expect(settleDueHandovers(ctx, { today: '2026-06-30' })).toBe(1);
    const p = store.parties.get('dokafor')!;
    expect([p.status, p.departed_on, p.successor]).toEqual(['departed', '2026-06-30', 'mreyes']);
    expect(store.transfer.openHandover('dokafor')).toBeUndefined();
    expect(auditCount(store)).toBe(before + 1);
    expect(settleDueHandovers(ctx, { today: '2026-07-01' })).toBe(0);
  });

  it('drops a successor who has left in the meantime, so the departure itself is never refused', () => {
    const { store } = handoverStore();
    openHandover(as(store, 'mreyes', 'admin'), { handle: 'dokafor', date: '2026-06-30', successor: 'mreyes', today: '2026-06-01' });
    store.parties.depart({ handle: 'mreyes', departed_on: '2026-06-15', successor: null, departure_reason: 'Left' });
    expect(settleDueHandovers({ ...as(store, 'whywiki'), actor: { username: 'whywiki' } }, { today: '2026-06-30' })).toBe(1);
    expect(store.parties.get('dokafor')!.successor).toBeNull();
  });
});
