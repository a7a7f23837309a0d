import { describe, expect, it } from 'vitest';
import { addPerson } from '../../../server/people/commands/add-person.js';
import { ValidationError } from '../../../server/core/errors.js';
import { PhiGuard, PhiRefused } from '../../../server/phi/guard.js';
import { auditCount, commandContext, testStore } from '../../helpers.js';

describe('addPerson', () => {
  it('adds a person to the directory and their teams, with one audit event', () => {
    const { store } = testStore();
    const before = auditCount(store);
    const p = addPerson(commandContext(store, 'admin'), { handle: 'JLee', name: ' Jo Lee ', title: 'Analyst', email: 'jo.lee@example-health.org', team: 'epic-clindoc' });
    expect([p.handle, p.name, p.kind, p.status]).toEqual(['jlee', 'Jo Lee', 'person', 'active']);
    expect(store.parties.teamsOf('jlee').map((t) => t.handle)).toEqual(['epic-clindoc']);
    expect(auditCount(store)).toBe(before + 1);
    expect(store.audit.forTarget('person:jlee').map((e) => e.action)).toEqual(['person.created']);
  });

  it('refuses a taken or malformed handle, a bad email, an unknown team and patient information, writing nothing', () => {
    const { store } = testStore();
    const before = auditCount(store);
    const ctx = commandContext(store, 'admin');
    expect(() => addPerson(ctx, { handle: 'mreyes', name: 'Another Maria' })).toThrow(/already taken by a person/);
    expect(() => addPerson(ctx, { handle: '-x', name: 'X' })).toThrow(ValidationError);
    expect(() => addPerson(ctx, { handle: 'jlee', name: 'Jo', email: 'not an address' })).toThrow(/email/);
    expect(() => addPerson(ctx, { handle: 'jlee', name: 'Jo', teams: ['nope'] })).toThrow(/No team has the handle nope/);
    const phi = new PhiGuard({ mrnPatterns: [], rules: [] });
    expect(() => addPerson(commandContext(store, 'admin', { phi }), { handle: 'jlee', name: 'Jo', title: 'Call (608) 555-0142' })).toThrow(PhiRefused);
    expect(store.parties.get('jlee')).toBeUndefined();
    expect(auditCount(store)).toBe(before);
  });
});
