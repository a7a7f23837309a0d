import { describe, expect, it } from 'vitest';
import { createApiToken } from '../../../server/auth/commands/create-api-token.js';
import { revokeApiToken } from '../../../server/auth/commands/revoke-api-token.js';
import { userForToken } from '../../../server/auth/accounts.js';
import { ForbiddenError, NotFoundError } from '../../../server/core/errors.js';
import { auditCount } from '../../helpers.js';
import { accountsStore, adminCtx, editorCtx } from './fixture.js';

describe('revokeApiToken', () => {
  it('stops the token at once, with one audit event', async () => {
    const { store } = await accountsStore();
    const token = createApiToken(adminCtx(store), { username: 'ed', label: 'CI' });
    const tokenId = store.users.tokens(store.users.byName('ed')!.id)[0]!.id;
    const before = auditCount(store);
    revokeApiToken(adminCtx(store), { username: 'ed', tokenId });
    expect(userForToken(store, token)).toBeNull();
    expect(auditCount(store)).toBe(before + 1);
  });

  it('refuses an unknown user or token, one already revoked, and anyone but an admin', async () => {
    const { store } = await accountsStore();
    const token = createApiToken(adminCtx(store), { username: 'ed', label: 'CI' });
    const tokenId = store.users.tokens(store.users.byName('ed')!.id)[0]!.id;
    const before = auditCount(store);
    expect(() => revokeApiToken(editorCtx(store), { username: 'ed', tokenId })).toThrow(ForbiddenError);
    expect(() => revokeApiToken(adminCtx(store), { username: 'ghost', tokenId })).toThrow(NotFoundError);
    expect(() => revokeApiToken(adminCtx(store), { username: 'ed', tokenId: 999 })).toThrow(NotFoundError);
    expect(userForToken(store, token)).toMatchObject({ username: 'ed' });
    expect(auditCount(store)).toBe(before);
    revokeApiToken(adminCtx(store), { username: 'ed', tokenId });
    expect(() => revokeApiToken(adminCtx(store), { username: 'ed', tokenId })).toThrow(NotFoundError);
  });
});
