import { describe, expect, it } from 'vitest';
import { setUserActive } from '../../../server/auth/commands/set-user-active.js';
import { ForbiddenError, NotFoundError } from '../../../server/core/errors.js';
import { auditCount } from '../../helpers.js';
import { accountsStore, adminCtx, editorCtx } from './fixture.js';

describe('setUserActive', () => {
  it('deactivates, ending the account\'s sessions, and reactivates, one audit event each', async () => {
    const { store } = await accountsStore();
    const ed = store.users.byName('ed')!;
    store.sessions.set('sid-1', '{}', Date.now() + 3_600_000, ed.id);
    const before = auditCount(store);
    setUserActive(adminCtx(store), { username: 'ed', active: false });
    expect(store.users.byName('ed')!.active).toBe(0);
    expect(store.sessions.get('sid-1', Date.now())).toBeUndefined();
    setUserActive(adminCtx(store), { username: 'ed', active: true });
    expect(store.users.byName('ed')!.active).toBe(1);
    expect(auditCount(store)).toBe(before + 2);
  });

  it('refuses an unknown user, deactivating oneself, and anyone but an admin', async () => {
    const { store } = await accountsStore();
    const before = auditCount(store);
    expect(() => setUserActive(adminCtx(store), { username: 'ghost', active: false })).toThrow(NotFoundError);
    expect(() => setUserActive(adminCtx(store), { username: 'boss', active: false })).toThrow(/your own account/);
    expect(() => setUserActive(editorCtx(store), { username: 'boss', active: false })).toThrow(ForbiddenError);
    expect(store.users.byName('boss')!.active).toBe(1);
    expect(auditCount(store)).toBe(before);
  });
});
