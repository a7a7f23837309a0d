import { describe, expect, it } from 'vitest';
import { addPhiRule } from '../../../server/phi/commands/add-phi-rule.js';
import { retirePhiRule } from '../../../server/phi/commands/retire-phi-rule.js';
import { ForbiddenError, NotFoundError } from '../../../server/core/errors.js';
import { auditCount, commandContext, testStore } from '../../helpers.js';

const admin = (store: Parameters<typeof commandContext>[0]) => commandContext(store, 'admin', { actor: { username: 'admin', role: 'admin' } });

describe('retirePhiRule', () => {
  it('retires an active rule with one audit event', () => {
    const { store } = testStore();
    const id = addPhiRule(admin(store), { kind: 'pattern', value: 'ZZQ-\\d{4}' });
    const before = auditCount(store);
    retirePhiRule(admin(store), { id });
    expect(store.phiRules.active()).toEqual([]);
    expect(auditCount(store)).toBe(before + 1);
    expect(store.audit.forTarget(`phi-rule:${id}`).map((e) => e.action)).toEqual(['phi.rule_added', 'phi.rule_retired']);
  });

  it('answers not_found for an unknown or already retired rule, and refuses anyone but an admin, writing nothing', () => {
    const { store } = testStore();
    const id = addPhiRule(admin(store), { kind: 'pattern', value: 'ZZQ-\\d{4}' });
    const before = auditCount(store);
    expect(() => retirePhiRule(commandContext(store, 'ed', { actor: { username: 'ed', role: 'editor' } }), { id })).toThrow(ForbiddenError);
    expect(() => retirePhiRule(admin(store), { id: 999 })).toThrow(NotFoundError);
    expect(store.phiRules.active().map((r) => r.id)).toEqual([id]);
    expect(auditCount(store)).toBe(before);
    retirePhiRule(admin(store), { id });
    expect(() => retirePhiRule(admin(store), { id })).toThrow(NotFoundError);
    expect(auditCount(store)).toBe(before + 1);
  });
});
