import { describe, expect, it } from 'vitest';
import { connectIntegration } from '../../../server/integrations/commands/connect-integration.js';
import { removeIntegration } from '../../../server/integrations/commands/remove-integration.js';
import { NotFoundError } from '../../../server/core/errors.js';
import { auditCount, commandContext, testStore } from '../../helpers.js';

describe('removeIntegration', () => {
  it('disconnects it with one audit event and keeps the row as a record', () => {
    const { store } = testStore();
    const ctx = commandContext(store, 'admin', { at: new Date('2026-05-01T10:00:00Z') });
    const { integration } = connectIntegration(ctx, { url: 'https://hooks.example.org/w', events: ['page.saved'] });
    const before = auditCount(store);
    const removed = removeIntegration(ctx, { id: integration.id });
    expect(removed.removed_at).toBe('2026-05-01T10:00:00.000Z');
    expect(store.integrations.active()).toEqual([]);
    expect(auditCount(store)).toBe(before + 1);
    expect(store.audit.forTarget(`integration:${integration.id}`).map((e) => e.action)).toEqual(['integration.added', 'integration.removed']);
  });

  it('answers not_found for an unknown one and for one already removed, writing nothing', () => {
    const { store } = testStore();
    const ctx = commandContext(store, 'admin');
    const { integration } = connectIntegration(ctx, { url: 'https://hooks.example.org/w', events: ['page.saved'] });
    removeIntegration(ctx, { id: integration.id });
    const before = auditCount(store);
    expect(() => removeIntegration(ctx, { id: 999 })).toThrow(NotFoundError);
    expect(() => removeIntegration(ctx, { id: integration.id })).toThrow(NotFoundError);
    expect(auditCount(store)).toBe(before);
  });
});
