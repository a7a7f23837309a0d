import { describe, expect, it } from 'vitest';
import { assignPath } from '../../../server/knowledge-transfer/commands/assign-path.js';
import { markStepRead } from '../../../server/knowledge-transfer/commands/mark-step-read.js';
import { savePath } from '../../../server/knowledge-transfer/commands/save-path.js';
import { NotFoundError } from '../../../server/core/errors.js';
import { auditCount, commandContext } from '../../helpers.js';
import { as, handoverStore } from './fixture.js';

describe('markStepRead', () => {
  it('records the current version read by the signed-in person, self-study off their assigned paths, one audit event each', () => {
    const { store } = handoverStore();
    const { id } = savePath(as(store, 'mreyes'), { title: 'First weeks', steps: [{ slug: 'lab-feed' }] });
    assignPath(as(store, 'mreyes'), { id, people: ['dokafor'] });
    const before = auditCount(store);
    expect(markStepRead(as(store, 'dokafor', 'reader'), { id, slug: 'lab-feed' })).toEqual({ slug: 'lab-feed', version: 1, self_study: false });
    expect(markStepRead(as(store, 'mreyes', 'reader'), { id, slug: 'lab-feed' })).toEqual({ slug: 'lab-feed', version: 1, self_study: true });
    expect(store.transfer.readsOf(id).map((r) => r.person).sort()).toEqual(['dokafor', 'mreyes']);
    expect(auditCount(store)).toBe(before + 2);
  });

  it('refuses an account with no person, a page that is not a step and an unknown path, recording nothing', () => {
    const { store } = handoverStore();
    const { id } = savePath(as(store, 'mreyes'), { title: 'First weeks', steps: [{ slug: 'lab-feed' }] });
    const before = auditCount(store);
    expect(() => markStepRead(commandContext(store, 'robot', { actor: { username: 'robot', role: 'reader', person: null } }), { id, slug: 'lab-feed' })).toThrow(/not linked to a person/);
    expect(() => markStepRead(as(store, 'dokafor'), { id, slug: 'adt-feed' })).toThrow(/is not a step of/);
    expect(() => markStepRead(as(store, 'dokafor'), { id: 99, slug: 'lab-feed' })).toThrow(NotFoundError);
    expect(store.transfer.readsOf(id)).toEqual([]);
    expect(auditCount(store)).toBe(before);
  });
});
