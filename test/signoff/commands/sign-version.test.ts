import { describe, expect, it } from 'vitest';
import { signVersion } from '../../../server/signoff/commands/sign-version.js';
import { NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { auditCount, commandContext, outsiderContext, seedPage, seedRestrictedPage, testStore } from '../../helpers.js';

describe('signVersion', () => {
  it('binds the signature to the version hash with one signature.added event', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const before = auditCount(store);
    const signature = signVersion(commandContext(store, 'dokafor', { actor: { username: 'dokafor', person: 'dokafor' } }), { slug: page.slug, version: 1, meaning: 'approved', comment: 'Checked the BPA' });
    expect(signature).toMatchObject({ version: 1, meaning: 'approved', signer: 'dokafor', name: 'David Okafor' });
    expect(auditCount(store)).toBe(before + 1);
    expect(JSON.parse(store.audit.forTarget(page.slug).at(-1)!.details)).toMatchObject({ version: 1, meaning: 'approved', version_hash: page.hash });
  });

  it('refuses an unknown meaning, a version that does not exist, and signing twice', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const ctx = commandContext(store, 'dokafor');
    expect(() => signVersion(ctx, { slug: page.slug, version: 1, meaning: 'liked' })).toThrow(ValidationError);
    expect(() => signVersion(ctx, { slug: page.slug, version: 5, meaning: 'reviewed' })).toThrow(/does not exist/);
    expect(() => signVersion(ctx, { slug: 'nope', version: 1, meaning: 'reviewed' })).toThrow(NotFoundError);
    signVersion(ctx, { slug: page.slug, version: 1, meaning: 'reviewed' });
    const before = auditCount(store);
    expect(() => signVersion(ctx, { slug: page.slug, version: 1, meaning: 'reviewed' })).toThrow(/already signed/);
    expect(auditCount(store)).toBe(before);
  });

  it('refuses the author an approval of their own version, and hides a restricted page from an outsider', () => {
    const { store } = testStore();
    const page = seedPage(store);
    seedRestrictedPage(store);
    const before = auditCount(store);
    expect(() => signVersion(commandContext(store, 'mreyes'), { slug: page.slug, version: 1, meaning: 'approved' })).toThrow(/separation of duties/);
    expect(() => signVersion(outsiderContext(store), { slug: 'restricted-page', version: 1, meaning: 'reviewed' })).toThrow(NotFoundError);
    expect(auditCount(store)).toBe(before);
    expect(signVersion(commandContext(store, 'mreyes'), { slug: page.slug, version: 1, meaning: 'authored' }).meaning).toBe('authored');
  });
});
