import { describe, expect, it } from 'vitest';
import { markRead } from '../../../server/notify/commands/mark-read.js';
import { auditCount } from '../../helpers.js';
import { AT, inboxFixture } from './inbox-fixture.js';

describe('markRead', () => {
  it('marks the named notifications read at the given time, only the person\'s own, and counts them', async () => {
    const f = await inboxFixture();
    expect(markRead(f.ctx, { ids: [f.mine, f.theirs] })).toBe(1);
    expect(f.store.notifications.byIds(f.ctx.userId, [f.mine])[0]!.read_at).toBe(AT.toISOString());
    expect(f.store.notifications.byIds(f.other.userId, [f.theirs])[0]!.read_at).toBeNull();
    expect(markRead(f.ctx, { ids: [f.mine] })).toBe(0);
    expect(auditCount(f.store)).toBe(f.audit);
  });

  it('marks all of the person\'s own at once', async () => {
    const f = await inboxFixture();
    expect(markRead(f.ctx, { all: true })).toBe(2);
    expect(f.store.notifications.byIds(f.other.userId, [f.theirs])[0]!.read_at).toBeNull();
  });
});
