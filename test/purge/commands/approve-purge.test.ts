import { describe, expect, it } from 'vitest';
import { approvePurge } from '../../../server/purge/commands/approve-purge.js';
import { requestPurge } from '../../../server/purge/commands/request-purge.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { verifyStore } from '../../../server/audit/verify.js';
import { auditCount, commandContext, seedPage, testStore } from '../../helpers.js';

const admin = (store: ReturnType<typeof testStore>['store'], username: string) => commandContext(store, username, { actor: { username, role: 'admin' } });

function requested() {
  const { store } = testStore();
  const page = seedPage(store, 'sepsis-screening-bpa', 'Seen by Jane Roe on the ward.');
  const { id } = requestPurge(admin(store, 'admin1'), { slug: page.slug, version: 1, reason: 'A patient name', text: 'Jane Roe' });
  return { store, page, id };
}

describe('approvePurge', () => {
  it('replaces the text in the version with one audit event, and the store still verifies', () => {
    const { store, page, id } = requested();
    const before = auditCount(store);
    const result = approvePurge(admin(store, 'admin2'), { id });
    expect(result).toMatchObject({ slug: page.slug, current: true, purge: { status: 'applied', approved_by: 'admin2' } });
    expect(store.pages.version(store.pages.head(page.slug)!.id, 1)!.body).toBe('Seen by [removed] on the ward.');
    expect(auditCount(store)).toBe(before + 1);
    expect(store.audit.all().at(-1)!.action).toBe('purge.applied');
    expect(verifyStore(store).break).toBeNull();
  });

  it('takes a second admin: the one who asked may not approve', () => {
    const { store, id } = requested();
    const before = auditCount(store);
    expect(() => approvePurge(admin(store, 'admin1'), { id })).toThrow(ForbiddenError);
    expect(auditCount(store)).toBe(before);
  });

  it('refuses a missing request and one already applied', () => {
    const { store, id } = requested();
    expect(() => approvePurge(admin(store, 'admin2'), { id: 999 })).toThrow(NotFoundError);
    approvePurge(admin(store, 'admin2'), { id });
    const before = auditCount(store);
    try {
      approvePurge(admin(store, 'admin3'), { id });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).statusCode).toBe(409);
    }
    expect(auditCount(store)).toBe(before);
  });
});
