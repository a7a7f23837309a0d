import { describe, expect, it } from 'vitest';
import { createApiToken } from '../../../server/auth/commands/create-api-token.js';
import { userForToken } from '../../../server/auth/accounts.js';
import { ForbiddenError, ValidationError } from '../../../server/core/errors.js';
import { PhiGuard, PhiRefused } from '../../../server/phi/guard.js';
import { auditCount } from '../../helpers.js';
import { accountsStore, adminCtx, editorCtx } from './fixture.js';

describe('createApiToken', () => {
  it('makes a token that signs its account in, keeping only its hash, with one audit event', async () => {
    const { store } = await accountsStore();
    const before = auditCount(store);
    const token = createApiToken(adminCtx(store), { username: 'ed', label: 'Build server' });
    expect(userForToken(store, token)).toMatchObject({ username: 'ed' });
    expect(store.users.tokens(store.users.byName('ed')!.id).map((t) => t.label)).toEqual(['Build server']);
    expect(JSON.stringify(store.users.tokens(store.users.byName('ed')!.id))).not.toContain(token);
    expect(auditCount(store)).toBe(before + 1);
  });

  it('refuses an unknown user, a label with patient information and anyone but an admin, writing nothing', async () => {
    const { store } = await accountsStore();
    const before = auditCount(store);
    expect(() => createApiToken(adminCtx(store), { username: 'ghost', label: null })).toThrow(ValidationError);
    const phi = new PhiGuard({ mrnPatterns: [], rules: [] });
    expect(() => createApiToken({ ...adminCtx(store), phi }, { username: 'ed', label: 'For (608) 555-0142' })).toThrow(PhiRefused);
    expect(() => createApiToken(editorCtx(store), { username: 'ed', label: null })).toThrow(ForbiddenError);
    expect(store.users.tokens(store.users.byName('ed')!.id)).toEqual([]);
    expect(auditCount(store)).toBe(before);
  });
});
