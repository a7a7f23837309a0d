import { describe, expect, it } from 'vitest';
import { editTeam } from '../../../server/people/commands/edit-team.js';
import { NotFoundError } from '../../../server/core/errors.js';
import { auditCount, commandContext, testStore } from '../../helpers.js';

describe('editTeam', () => {
  it('renames and sets members, with one audit event naming who joined and left', () => {
    const { store } = testStore();
    const before = auditCount(store);
    const t = editTeam(commandContext(store, 'admin'), { handle: 'epic-clindoc', name: 'ClinDoc', members: ['dokafor'] });
    expect(t.name).toBe('ClinDoc');
    expect(store.parties.members('epic-clindoc').map((m) => m.handle)).toEqual(['dokafor']);
    expect(auditCount(store)).toBe(before + 1);
    const event = store.audit.forTarget('team:epic-clindoc').at(-1)!;
    expect([event.action, JSON.parse(event.details)]).toEqual(['team.changed', { name: { from: 'Epic ClinDoc Team', to: 'ClinDoc' }, added: ['dokafor'], removed: ['mreyes'] }]);
  });

  it('keeps the members when none are given, and refuses a missing team, a person\'s handle and a departed newcomer', () => {
    const { store } = testStore();
    const ctx = commandContext(store, 'admin');
    editTeam(ctx, { handle: 'epic-clindoc', name: 'ClinDoc' });
    expect(store.parties.members('epic-clindoc').map((m) => m.handle)).toEqual(['mreyes']);
    const before = auditCount(store);
    expect(() => editTeam(ctx, { handle: 'nope', name: 'X' })).toThrow(NotFoundError);
    expect(() => editTeam(ctx, { handle: 'mreyes', name: 'X' })).toThrow(NotFoundError);
    expect(() => editTeam(ctx, { handle: 'epic-clindoc', members: ['mreyes', 'tbrennan'] })).toThrow(/departed and cannot join/);
    expect(auditCount(store)).toBe(before);
  });
});
