import { describe, expect, it } from 'vitest';
import { connectIntegration } from '../../../server/integrations/commands/connect-integration.js';
import { ValidationError } from '../../../server/core/errors.js';
import { PhiGuard, PhiRefused } from '../../../server/phi/guard.js';
import { auditCount, commandContext, testStore } from '../../helpers.js';

describe('connectIntegration', () => {
  it('connects a webhook with a made secret shown once, and a Slack channel hearing everything, one audit event each', () => {
    const { store } = testStore();
    const before = auditCount(store);
    const ctx = commandContext(store, 'admin');
    const hook = connectIntegration(ctx, { url: 'https://hooks.example.org/whywiki?token=abc', events: ['page.saved'] });
    expect(hook.secret).toMatch(/^[0-9a-f]{64}$/);
    expect([hook.integration.kind, hook.integration.url, hook.integration.events, hook.integration.label]).toEqual(['webhook', 'https://hooks.example.org/whywiki', ['page.saved'], 'hooks.example.org']);
    const slack = connectIntegration(ctx, { kind: 'slack', url: 'https://hooks.slack.com/services/T0/B0/secret', team: 'epic-clindoc' });
    expect([slack.secret, slack.integration.url, slack.integration.events.length, slack.integration.team]).toEqual([null, 'https://hooks.slack.com/…', 6, 'epic-clindoc']);
    expect(auditCount(store)).toBe(before + 2);
    // The audit log names the host only: a chat URL's path is its secret.
    const details = store.audit.forTarget(`integration:${slack.integration.id}`)[0]!.details;
    expect(details).not.toContain('secret');
  });

  it('refuses a bad URL, unknown or missing events, a short secret, an unknown team and patient information, writing nothing', () => {
    const { store } = testStore();
    const before = auditCount(store);
    const ctx = commandContext(store, 'admin');
    const fields = (f: () => unknown) => { try { f(); } catch (e) { if (e instanceof ValidationError) return e.byField(); throw e; } return {}; };
    expect(fields(() => connectIntegration(ctx, { url: 'file:///etc/passwd', events: ['page.saved'] })).url).toMatch(/Only http/);
    expect(fields(() => connectIntegration(ctx, { url: 'https://x.example.org/', events: ['page.deleted'] })).events).toMatch(/Unknown event "page.deleted"/);
    expect(fields(() => connectIntegration(ctx, { url: 'https://x.example.org/' })).events).toMatch(/at least one event/);
    expect(fields(() => connectIntegration(ctx, { url: 'https://x.example.org/', events: ['page.saved'], secret: 'short' })).secret).toMatch(/16 to 256/);
    expect(fields(() => connectIntegration(ctx, { url: 'https://x.example.org/', events: ['page.saved'], team: 'nope' })).team).toMatch(/no team "nope"/);
    const phi = new PhiGuard({ mrnPatterns: [], rules: [] });
    expect(() => connectIntegration({ ...ctx, phi }, { url: 'https://x.example.org/', events: ['page.saved'], label: 'Call (608) 555-0142' })).toThrow(PhiRefused);
    expect(store.integrations.active()).toEqual([]);
    expect(auditCount(store)).toBe(before);
  });
});
