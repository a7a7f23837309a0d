import { describe, expect, it } from 'vitest';
import { unwatch } from '../../../server/notify/commands/unwatch.js';
import { watch } from '../../../server/notify/commands/watch.js';
import { NotFoundError } from '../../../server/core/errors.js';
import { auditCount } from '../../helpers.js';
import { inboxFixture } from './inbox-fixture.js';

describe('unwatch', () => {
  it('stops a watch by id or by page, only the person\'s own', async () => {
    const f = await inboxFixture();
    const page = watch(f.ctx, { kind: 'page', target: 'sepsis-screening-bpa' });
    const system = watch(f.ctx, { kind: 'system', target: 'Epic' });
    expect(() => unwatch(f.other, { id: system.id })).toThrow('You have no watch with that id.');
    unwatch(f.ctx, { id: system.id });
    unwatch(f.ctx, { slug: 'sepsis-screening-bpa' });
    expect(f.store.notifications.watchesOf(f.ctx.userId)).toEqual([]);
    expect(page.id).toBeGreaterThan(0);
    expect(auditCount(f.store)).toBe(f.audit);
  });

  it('answers a restricted page the person may not see exactly as a missing page', async () => {
    const f = await inboxFixture();
    expect(() => unwatch(f.ctx, { slug: 'nope' })).toThrow('There is no page "nope".');
    expect(() => unwatch(f.ctx, { slug: 'restricted-page' })).toThrow('There is no page "restricted-page".');
    expect(() => unwatch(f.ctx, { slug: 'restricted-page' })).toThrow(NotFoundError);
  });
});
