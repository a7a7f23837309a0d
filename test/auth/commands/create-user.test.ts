import { describe, expect, it } from 'vitest';
import { createUser } from '../../../server/auth/commands/create-user.js';
import { signIn } from '../../../server/auth/accounts.js';
import { ForbiddenError, ValidationError } from '../../../server/core/errors.js';
import { auditCount, PASSWORD, testStore } from '../../helpers.js';
import { adminCtx, editorCtx, operator } from './fixture.js';

describe('createUser', () => {
  it('adds an account linked to its person, who can then sign in, with one audit event', async () => {
    const { store } = testStore();
    const before = auditCount(store);
    const user = await createUser({ ...operator(store), at: new Date('2026-05-01T10:00:00Z') }, { username: ' Maria ', password: PASSWORD, role: 'editor', person: 'mreyes', mustChangePassword: true });
    expect(user).toMatchObject({ username: 'maria', role: 'editor', person: 'mreyes', mustChangePassword: true });
    expect(store.users.byName('maria')!.created_at).toBe('2026-05-01T10:00:00.000Z');
    expect(auditCount(store)).toBe(before + 1);
    expect(await signIn(store, 'maria', PASSWORD, null)).toMatchObject({ username: 'maria' });
  });

  it('refuses a bad username, role, weak password, unknown person and a taken name, writing nothing', async () => {
    const { store } = testStore();
    await createUser(operator(store), { username: 'maria', password: PASSWORD, role: 'editor' });
    const before = auditCount(store);
    const fields = async (f: () => Promise<unknown>) => { try { await f(); } catch (e) { if (e instanceof ValidationError) return e.byField(); throw e; } return {}; };
    expect(Object.keys(await fields(() => createUser(operator(store), { username: 'Bad Name', password: 'x', role: 'king', person: 'ghost' }))).sort()).toEqual(['password', 'person', 'role', 'username']);
    await expect(createUser(operator(store), { username: 'maria', password: PASSWORD, role: 'reader' })).rejects.toThrow(/already exists/);
    expect(auditCount(store)).toBe(before);
  });

  it('lets only an admin (or the operator) add accounts', async () => {
    const { store } = testStore();
    const before = auditCount(store);
    await expect(createUser(editorCtx(store), { username: 'sneaky', password: PASSWORD, role: 'admin' })).rejects.toThrow(ForbiddenError);
    expect(store.users.byName('sneaky')).toBeUndefined();
    expect(auditCount(store)).toBe(before);
    await createUser(adminCtx(store), { username: 'newbie', password: PASSWORD, role: 'reader' });
    expect(auditCount(store)).toBe(before + 1);
  });
});
