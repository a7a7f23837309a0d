import { describe, expect, it } from 'vitest';
import { signAccessReview } from '../../../server/signoff/commands/sign-access-review.js';
import { ACCESS_REVIEW } from '../../../server/signoff/signatures.js';
import { PhiGuard } from '../../../server/phi/guard.js';
import { auditCount, commandContext, testStore } from '../../helpers.js';

const REPORT_HASH = 'a'.repeat(64);

describe('signAccessReview', () => {
  it('signs the report hash as reviewed with one signature.added event', () => {
    const { store } = testStore();
    const signature = signAccessReview(commandContext(store, 'admin1', { actor: { username: 'admin1', role: 'admin' } }), { reportHash: REPORT_HASH, comment: 'Quarterly review' });
    expect(signature).toMatchObject({ meaning: 'reviewed', signer: 'admin1', comment: 'Quarterly review' });
    expect(auditCount(store)).toBe(1);
    const [event] = store.audit.forTarget(ACCESS_REVIEW);
    expect(JSON.parse(event!.details)).toMatchObject({ meaning: 'reviewed', report_hash: REPORT_HASH });
  });

  it('refuses a comment over the limit or holding PHI, writing nothing', () => {
    const { store } = testStore();
    const ctx = commandContext(store, 'admin1', { actor: { username: 'admin1', role: 'admin' }, phi: new PhiGuard({ mrnPatterns: [], rules: [] }) });
    expect(() => signAccessReview(ctx, { reportHash: REPORT_HASH, comment: 'x'.repeat(1001) })).toThrow(/at most 1000 characters/);
    expect(() => signAccessReview(ctx, { reportHash: REPORT_HASH, comment: 'Call 555-867-5309' })).toThrow(/phone number/);
    expect(auditCount(store)).toBe(0);
  });
});
