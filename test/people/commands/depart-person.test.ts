import { describe, expect, it } from 'vitest';
import { departPerson } from '../../../server/people/commands/depart-person.js';
import { NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { auditCount, commandContext, testStore } from '../../helpers.js';

describe('departPerson', () => {
  it('marks a person departed on today by default, with their successor, and one audit event', () => {
    const { store } = testStore();
    const before = auditCount(store);
    const p = departPerson(commandContext(store, 'admin'), { handle: 'dokafor', successor: '@mreyes', reason: 'Left the organisation', today: '2026-04-01' });
    expect([p.status, p.departed_on, p.successor]).toEqual(['departed', '2026-04-01', 'mreyes']);
    expect(auditCount(store)).toBe(before + 1);
    const event = store.audit.forTarget('person:dokafor').at(-1)!;
    expect([event.action, JSON.parse(event.details)]).toEqual(['person.departed', { date: '2026-04-01', reason: 'Left the organisation', successor: 'mreyes' }]);
  });

  it('refuses a missing person, a team, a departed person, a bad date, no reason and a departed successor, writing nothing', () => {
    const { store } = testStore();
    const before = auditCount(store);
    const ctx = commandContext(store, 'admin');
    const today = '2026-04-01';
    expect(() => departPerson(ctx, { handle: 'ghost', reason: 'Left', today })).toThrow(NotFoundError);
    expect(() => departPerson(ctx, { handle: 'epic-clindoc', reason: 'Left', today })).toThrow(/only people depart/);
    try {
      departPerson(ctx, { handle: 'tbrennan', reason: 'Left', today });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).statusCode).toBe(409);
    }
    expect(() => departPerson(ctx, { handle: 'dokafor', date: '2026-02-30', reason: 'Left', today })).toThrow(/real date/);
    expect(() => departPerson(ctx, { handle: 'dokafor', reason: ' ', today })).toThrow(/Say why/);
    expect(() => departPerson(ctx, { handle: 'dokafor', successor: 'tbrennan', reason: 'Left', today })).toThrow(/has departed/);
    expect(store.parties.get('dokafor')!.status).toBe('active');
    expect(auditCount(store)).toBe(before);
  });
});
