import { describe, expect, it } from 'vitest';
import { changeRole } from '../../../server/auth/commands/change-role.js';
import { ForbiddenError, NotFoundError } from '../../../server/core/errors.js';
import { auditCount } from '../../helpers.js';
import { accountsStore, adminCtx, editorCtx } from './fixture.js';

describe('changeRole', () => {
  it('changes the role with one audit event, and the same role again records nothing', async () => {
    const { store } = await accountsStore();
    const before = auditCount(store);
    changeRole(adminCtx(store), { username: 'ed', role: 'auditor' });
    expect(store.users.byName('ed')!.role).toBe('auditor');
    expect(auditCount(store)).toBe(before + 1);
    changeRole(adminCtx(store), { username: 'ed', role: 'auditor' });
    expect(auditCount(store)).toBe(before + 1);
  });

  it('refuses an unknown role or user, demoting the only admin, and anyone but an admin', async () => {
    const { store } = await accountsStore();
    const before = auditCount(store);
    expect(() => changeRole(adminCtx(store), { username: 'ed', role: 'king' })).toThrow(/Role must be one of/);
    expect(() => changeRole(adminCtx(store), { username: 'ghost', role: 'reader' })).toThrow(NotFoundError);
    expect(() => changeRole(adminCtx(store), { username: 'boss', role: 'reader' })).toThrow(/only active admin/);
    expect(() => changeRole(editorCtx(store), { username: 'ed', role: 'admin' })).toThrow(ForbiddenError);
    expect(store.users.byName('ed')!.role).toBe('editor');
    expect(auditCount(store)).toBe(before);
  });
});
