import { describe, expect, it } from 'vitest';
import { resetPassword } from '../../../server/auth/commands/reset-password.js';
import { signIn } from '../../../server/auth/accounts.js';
import { ForbiddenError, NotFoundError } from '../../../server/core/errors.js';
import { auditCount, PASSWORD } from '../../helpers.js';
import { accountsStore, adminCtx, editorCtx } from './fixture.js';

describe('resetPassword', () => {
  it('sets a temporary password that must be changed, with one audit event', async () => {
    const { store } = await accountsStore();
    const before = auditCount(store);
    const temporary = await resetPassword(adminCtx(store), { username: 'ed' });
    expect(auditCount(store)).toBe(before + 1);
    expect(await signIn(store, 'ed', temporary, null)).toMatchObject({ username: 'ed', mustChangePassword: true });
    expect(await signIn(store, 'ed', PASSWORD, null)).toBeNull();
  });

  it('refuses an unknown user and anyone but an admin, changing nothing', async () => {
    const { store } = await accountsStore();
    const before = auditCount(store);
    await expect(resetPassword(adminCtx(store), { username: 'ghost' })).rejects.toThrow(NotFoundError);
    await expect(resetPassword(editorCtx(store), { username: 'boss' })).rejects.toThrow(ForbiddenError);
    expect(await signIn(store, 'boss', PASSWORD, null)).toMatchObject({ mustChangePassword: false });
    expect(auditCount(store) - before).toBe(1); // the sign-in just above, nothing else
  });
});
