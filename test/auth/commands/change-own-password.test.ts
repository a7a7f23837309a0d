import { describe, expect, it } from 'vitest';
import { changeOwnPassword } from '../../../server/auth/commands/change-own-password.js';
import { signIn } from '../../../server/auth/accounts.js';
import { NotFoundError } from '../../../server/core/errors.js';
import { auditCount, PASSWORD } from '../../helpers.js';
import { accountsStore, editorCtx } from './fixture.js';

const NEXT = 'a brand new long passphrase 7';

describe('changeOwnPassword', () => {
  it('changes the password, keeps this session, ends the others, with one audit event', async () => {
    const { store } = await accountsStore();
    const ed = store.users.byName('ed')!;
    const later = Date.now() + 3_600_000;
    store.sessions.set('this-one', '{}', later, ed.id);
    store.sessions.set('other-one', '{}', later, ed.id);
    const before = auditCount(store);
    await changeOwnPassword(editorCtx(store), { userId: ed.id, current: PASSWORD, next: NEXT, keepSession: 'this-one' });
    expect(await signIn(store, 'ed', NEXT, null)).toMatchObject({ username: 'ed' });
    expect(store.sessions.get('this-one', Date.now())).toBeDefined();
    expect(store.sessions.get('other-one', Date.now())).toBeUndefined();
    expect(auditCount(store)).toBe(before + 2); // the change, then the sign-in above
  });

  it('refuses a wrong current password, the same password again and an inactive account, writing nothing', async () => {
    const { store } = await accountsStore();
    const ed = store.users.byName('ed')!;
    const before = auditCount(store);
    await expect(changeOwnPassword(editorCtx(store), { userId: ed.id, current: 'wrong password here', next: NEXT, keepSession: '' })).rejects.toThrow(/current password is not right/);
    await expect(changeOwnPassword(editorCtx(store), { userId: ed.id, current: PASSWORD, next: PASSWORD, keepSession: '' })).rejects.toThrow(/different from the current one/);
    store.users.update({ ...ed, active: 0 });
    await expect(changeOwnPassword(editorCtx(store), { userId: ed.id, current: PASSWORD, next: NEXT, keepSession: '' })).rejects.toThrow(NotFoundError);
    expect(auditCount(store)).toBe(before);
  });
});
