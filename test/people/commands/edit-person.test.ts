import { describe, expect, it } from 'vitest';
import { editPerson } from '../../../server/people/commands/edit-person.js';
import { NotFoundError } from '../../../server/core/errors.js';
import { auditCount, commandContext, testStore } from '../../helpers.js';

describe('editPerson', () => {
  it('changes only the fields given and the teams, with one audit event naming what changed', () => {
    const { store } = testStore();
    const before = auditCount(store);
    const p = editPerson(commandContext(store, 'admin'), { handle: 'mreyes', title: 'Lead analyst', teams: [] });
    expect([p.name, p.title]).toEqual(['Maria Reyes', 'Lead analyst']);
    expect(store.parties.teamsOf('mreyes')).toEqual([]);
    expect(auditCount(store)).toBe(before + 1);
    const event = store.audit.forTarget('person:mreyes').at(-1)!;
    expect(event.action).toBe('person.changed');
    expect(JSON.parse(event.details)).toEqual({ title: { from: null, to: 'Lead analyst' }, teams: { from: ['epic-clindoc'], to: [] } });
  });

  it('refuses a missing person, a team handle and a bad field, writing nothing', () => {
    const { store } = testStore();
    const before = auditCount(store);
    const ctx = commandContext(store, 'admin');
    expect(() => editPerson(ctx, { handle: 'nobody', name: 'X' })).toThrow(NotFoundError);
    expect(() => editPerson(ctx, { handle: 'epic-clindoc', name: 'X' })).toThrow(NotFoundError);
    expect(() => editPerson(ctx, { handle: 'mreyes', name: '' })).toThrow(/A name is required/);
    expect(store.parties.get('mreyes')!.name).toBe('Maria Reyes');
    expect(auditCount(store)).toBe(before);
  });
});
