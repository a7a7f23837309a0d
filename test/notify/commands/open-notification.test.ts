import { describe, expect, it } from 'vitest';
import { openNotification } from '../../../server/notify/commands/open-notification.js';
import { NotFoundError } from '../../../server/core/errors.js';
import { auditCount } from '../../helpers.js';
import { inboxFixture } from './inbox-fixture.js';

describe('openNotification', () => {
  it('gives the notification and marks it read', async () => {
    const f = await inboxFixture();
    expect(openNotification(f.ctx, { id: f.mine })).toMatchObject({ id: f.mine, link: '/p/sepsis-screening-bpa' });
    expect(f.store.notifications.byIds(f.ctx.userId, [f.mine])[0]!.read_at).not.toBeNull();
    expect(auditCount(f.store)).toBe(f.audit);
  });

  it('answers someone else\'s notification, and one about a page the person may not see, as missing', async () => {
    const f = await inboxFixture();
    expect(() => openNotification(f.ctx, { id: f.theirs })).toThrow(NotFoundError);
    expect(() => openNotification(f.ctx, { id: f.hiddenOne })).toThrow('There is no such notification in your inbox.');
    expect(f.store.notifications.byIds(f.ctx.userId, [f.hiddenOne])[0]!.read_at).toBeNull();
  });
});
