import { describe, expect, it } from 'vitest';
import { setPreferences } from '../../../server/notify/commands/set-preferences.js';
import { preferencesOf } from '../../../server/notify/inbox.js';
import { ValidationError } from '../../../server/core/errors.js';
import { auditCount } from '../../helpers.js';
import { inboxFixture } from './inbox-fixture.js';

describe('setPreferences', () => {
  it('changes the kinds named, keeps the others, and only for the person', async () => {
    const f = await inboxFixture();
    const prefs = setPreferences(f.ctx, { review: 'digest', changed: 'off' });
    expect(prefs).toMatchObject({ review: 'digest', changed: 'off', mentioned: 'immediate' });
    expect(preferencesOf(f.store, f.other.userId).changed).toBe('immediate');
    expect(auditCount(f.store)).toBe(f.audit);
  });

  it('refuses an unknown kind or delivery, naming each, and changes nothing', async () => {
    const f = await inboxFixture();
    try {
      setPreferences(f.ctx, { review: 'weekly', gossip: 'off', changed: 'off' });
      expect.unreachable();
    } catch (e) {
      expect(Object.keys((e as ValidationError).byField()).sort()).toEqual(['gossip', 'review']);
    }
    expect(preferencesOf(f.store, f.ctx.userId).changed).toBe('immediate');
  });
});
