import { describe, expect, it } from 'vitest';
import { addTeam } from '../../../server/people/commands/add-team.js';
import { auditCount, commandContext, testStore } from '../../helpers.js';

describe('addTeam', () => {
  it('adds a team with its members, with one audit event', () => {
    const { store } = testStore();
    const before = auditCount(store);
    const t = addTeam(commandContext(store, 'admin'), { handle: 'lab', name: 'Lab Interfaces', members: ['mreyes', '@dokafor'] });
    expect([t.kind, t.name]).toEqual(['team', 'Lab Interfaces']);
    expect(store.parties.members('lab').map((m) => m.handle).sort()).toEqual(['dokafor', 'mreyes']);
    expect(auditCount(store)).toBe(before + 1);
    expect(store.audit.forTarget('team:lab').map((e) => e.action)).toEqual(['team.created']);
  });

  it('refuses a taken handle, a missing name, an unknown or departed member, writing nothing', () => {
    const { store } = testStore();
    const before = auditCount(store);
    const ctx = commandContext(store, 'admin');
    expect(() => addTeam(ctx, { handle: 'epic-clindoc', name: 'Again' })).toThrow(/already taken by a team/);
    expect(() => addTeam(ctx, { handle: 'lab', name: '' })).toThrow(/A name is required/);
    expect(() => addTeam(ctx, { handle: 'lab', name: 'Lab', members: ['ghost'] })).toThrow(/No person has the handle ghost/);
    expect(() => addTeam(ctx, { handle: 'lab', name: 'Lab', members: ['tbrennan'] })).toThrow(/departed and cannot join/);
    expect(store.parties.get('lab')).toBeUndefined();
    expect(auditCount(store)).toBe(before);
  });
});
