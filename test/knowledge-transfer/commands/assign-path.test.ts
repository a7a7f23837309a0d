import { describe, expect, it } from 'vitest';
import { assignPath } from '../../../server/knowledge-transfer/commands/assign-path.js';
import { savePath } from '../../../server/knowledge-transfer/commands/save-path.js';
import { NotFoundError } from '../../../server/core/errors.js';
import { auditCount } from '../../helpers.js';
import { as, handoverStore } from './fixture.js';

describe('assignPath', () => {
  it('assigns a path to people, reporting who is new, with one audit event', () => {
    const { store } = handoverStore();
    const ctx = as(store, 'mreyes');
    const { id } = savePath(ctx, { title: 'First weeks', steps: [{ slug: 'lab-feed' }] });
    const before = auditCount(store);
    expect(assignPath(ctx, { id, people: ['@dokafor', 'mreyes'] })).toEqual(['dokafor', 'mreyes']);
    expect(assignPath(ctx, { id, people: ['dokafor'] })).toEqual([]);
    expect(store.transfer.assignees(id).map((a) => a.person).sort()).toEqual(['dokafor', 'mreyes']);
    expect(auditCount(store)).toBe(before + 2);
  });

  it('refuses an unknown path, nobody, an unknown or departed person, assigning nothing', () => {
    const { store } = handoverStore();
    const ctx = as(store, 'mreyes');
    const { id } = savePath(ctx, { title: 'First weeks', steps: [{ slug: 'lab-feed' }] });
    const before = auditCount(store);
    expect(() => assignPath(ctx, { id: 99, people: ['mreyes'] })).toThrow(NotFoundError);
    expect(() => assignPath(ctx, { id, people: [' '] })).toThrow(/at least one person/);
    expect(() => assignPath(ctx, { id, people: ['ghost'] })).toThrow(/No person has the handle ghost/);
    expect(() => assignPath(ctx, { id, people: ['tbrennan', 'epic-clindoc'] })).toThrow(/tbrennan has departed/);
    expect(store.transfer.assignees(id)).toEqual([]);
    expect(auditCount(store)).toBe(before);
  });
});
