import { describe, expect, it } from 'vitest';
import { requestPurge } from '../../../server/purge/commands/request-purge.js';
import { NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { auditCount, commandContext, seedPage, testStore } from '../../helpers.js';

const admin = (store: ReturnType<typeof testStore>['store']) => commandContext(store, 'admin1', { actor: { username: 'admin1', role: 'admin' } });

describe('requestPurge', () => {
  it('records where the text occurs and one audit event that holds neither the text nor its digest', () => {
    const { store } = testStore();
    const page = seedPage(store, 'sepsis-screening-bpa', 'Seen by Jane Roe on the ward.');
    const before = auditCount(store);
    const purge = requestPurge(admin(store), { slug: page.slug, version: 1, reason: 'A patient name', text: 'Jane Roe' });
    expect(purge).toMatchObject({ slug: page.slug, version: 1, status: 'awaiting approval', fields: { body: 1 }, requested_by: 'admin1' });
    expect(auditCount(store)).toBe(before + 1);
    const event = store.audit.forTarget(page.slug).at(-1)!;
    expect(event.action).toBe('purge.requested');
    expect(event.details).not.toContain('Jane Roe');
    expect(store.pages.version(store.pages.head(page.slug)!.id, 1)!.body).toContain('Jane Roe');
  });

  it('refuses text the version does not hold, both text and file, and a missing version, writing nothing', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const before = auditCount(store);
    expect(() => requestPurge(admin(store), { slug: page.slug, version: 1, reason: 'x', text: 'not in there' })).toThrow(ValidationError);
    expect(() => requestPurge(admin(store), { slug: page.slug, version: 1, reason: 'x', text: 'Context', file: 'a'.repeat(64) })).toThrow(/exactly one thing/);
    expect(() => requestPurge(admin(store), { slug: page.slug, version: 9, reason: 'x', text: 'Context' })).toThrow(NotFoundError);
    expect(auditCount(store)).toBe(before);
  });
});
