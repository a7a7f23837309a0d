import { describe, expect, it } from 'vitest';
import { requestApproval } from '../../../server/signoff/commands/request-approval.js';
import { createUser } from '../../../server/auth/commands/create-user.js';
import { NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { auditCount, commandContext, outsiderContext, PASSWORD, seedPage, seedRestrictedPage, testStore } from '../../helpers.js';

describe('requestApproval', () => {
  it('asks every other approver with one approval.requested event', async () => {
    const { store } = testStore();
    const page = seedPage(store);
    await createUser({ store, actor: { username: 'test' } }, { username: 'boss', password: PASSWORD, role: 'admin' });
    await createUser({ store, actor: { username: 'test' } }, { username: 'asker', password: PASSWORD, role: 'editor' });
    const before = auditCount(store);
    expect(requestApproval(commandContext(store, 'asker'), { slug: page.slug })).toEqual({ slug: page.slug, version: 1, approvers: ['boss'] });
    expect(auditCount(store)).toBe(before + 1);
    expect(store.audit.forTarget(page.slug).at(-1)!.action).toBe('approval.requested');
  });

  it('refuses when nobody else may approve, and answers a hidden page as a missing one', () => {
    const { store } = testStore();
    const page = seedPage(store);
    seedRestrictedPage(store);
    const before = auditCount(store);
    try {
      requestApproval(commandContext(store), { slug: page.slug });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).statusCode).toBe(409);
    }
    expect(() => requestApproval(outsiderContext(store), { slug: 'restricted-page' })).toThrow(NotFoundError);
    expect(() => requestApproval(commandContext(store), { slug: 'nope' })).toThrow(NotFoundError);
    expect(auditCount(store)).toBe(before);
  });
});
