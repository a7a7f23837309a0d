import { describe, expect, it } from 'vitest';
import { addPhiRule } from '../../../server/phi/commands/add-phi-rule.js';
import { ForbiddenError, ValidationError } from '../../../server/core/errors.js';
import { phiGuardFor } from '../../../server/phi/guard.js';
import { auditCount, commandContext, testStore } from '../../helpers.js';

const admin = (store: Parameters<typeof commandContext>[0]) => commandContext(store, 'admin', { actor: { username: 'admin', role: 'admin' }, at: new Date('2026-05-01T10:00:00Z') });

describe('addPhiRule', () => {
  it('adds a pattern the guard then refuses, and an allowed term, one audit event each', () => {
    const { store } = testStore();
    const before = auditCount(store);
    const id = addPhiRule(admin(store), { kind: 'pattern', value: ' ACCT\\d{6} ', label: 'Hospital account' });
    expect(store.phiRules.active().find((r) => r.id === id)).toMatchObject({ kind: 'pattern', value: 'ACCT\\d{6}', label: 'Hospital account', created_by: 'admin', created_at: '2026-05-01T10:00:00.000Z' });
    expect(phiGuardFor(store, []).scan({ body: 'See ACCT123456.' }).length).toBeGreaterThan(0);
    addPhiRule(admin(store), { kind: 'allow', value: '555-010-4357', label: 'Service desk' });
    expect(auditCount(store)).toBe(before + 2);
    expect(store.audit.forTarget(`phi-rule:${id}`).map((e) => e.action)).toEqual(['phi.rule_added']);
  });

  it('refuses a pattern that does not compile and a too-short allowed term, writing nothing', () => {
    const { store } = testStore();
    const before = auditCount(store);
    expect(() => addPhiRule(admin(store), { kind: 'pattern', value: '([a-z' })).toThrow(ValidationError);
    expect(() => addPhiRule(admin(store), { kind: 'allow', value: 'ab' })).toThrow(/at least 3 characters/);
    expect(store.phiRules.active()).toEqual([]);
    expect(auditCount(store)).toBe(before);
  });

  it('lets only an admin (or the operator) change the rules', () => {
    const { store } = testStore();
    const before = auditCount(store);
    const editor = commandContext(store, 'ed', { actor: { username: 'ed', role: 'editor' } });
    expect(() => addPhiRule(editor, { kind: 'allow', value: '555-010-4357' })).toThrow(ForbiddenError);
    expect(auditCount(store)).toBe(before);
    addPhiRule(commandContext(store, 'cli'), { kind: 'allow', value: '555-010-4357' });
    expect(auditCount(store)).toBe(before + 1);
  });
});
