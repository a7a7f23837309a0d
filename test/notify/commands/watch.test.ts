import { describe, expect, it } from 'vitest';
import { watch } from '../../../server/notify/commands/watch.js';
import { NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { auditCount } from '../../helpers.js';
import { inboxFixture } from './inbox-fixture.js';

describe('watch', () => {
  it('watches a page, a system and module, and an owner', async () => {
    const f = await inboxFixture();
    expect(watch(f.ctx, { kind: 'page', target: 'sepsis-screening-bpa' })).toMatchObject({ kind: 'page', target: 'sepsis-screening-bpa' });
    watch(f.ctx, { kind: 'system', target: 'Epic/ClinDoc' });
    watch(f.ctx, { kind: 'owner', target: ' epic-clindoc ' });
    expect(f.store.notifications.watchesOf(f.ctx.userId).map((w) => `${w.kind}:${w.target}`).sort()).toEqual(['owner:epic-clindoc', 'page:sepsis-screening-bpa', 'system:Epic/ClinDoc']);
    expect(auditCount(f.store)).toBe(f.audit);
  });

  it('refuses unknown targets, and answers a page the person may not see as a missing one', async () => {
    const f = await inboxFixture();
    expect(() => watch(f.ctx, { kind: 'system', target: 'Cerner' })).toThrow(ValidationError);
    expect(() => watch(f.ctx, { kind: 'owner', target: 'ghost' })).toThrow(/no person or team/);
    expect(() => watch(f.ctx, { kind: 'page', target: 'restricted-page' })).toThrow('There is no page "restricted-page".');
    expect(() => watch(f.ctx, { kind: 'page', target: 'nope' })).toThrow(NotFoundError);
    expect(f.store.notifications.watchesOf(f.ctx.userId)).toEqual([]);
  });
});
