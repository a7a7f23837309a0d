import { describe, expect, it } from 'vitest';
import { testStore } from '../helpers.js';
import { recordAudit } from '../../server/audit/log.js';
import { AuditConsumer, type ParsedEvent } from '../../server/outbox/consumer.js';
import { extractMentions } from '../../server/core/mentions.js';

describe('the audit log as an outbox', () => {
  it('hands each event to a consumer once, starting after the history that existed when it was switched on', () => {
    const { store } = testStore();
    store.transaction(() => recordAudit(store, { actor: 'a', action: 'store.seeded' }));
    const seen: ParsedEvent[] = [];
    const consumer = new AuditConsumer(store, { name: 'test', handle: (e) => seen.push(e) });
    expect(consumer.poll()).toBe(0);
    store.transaction(() => recordAudit(store, { actor: 'b', action: 'page.saved', target: 'x', details: { version: 2 } }));
    expect(consumer.poll()).toBe(1);
    expect(consumer.poll()).toBe(0);
    expect(seen.map((e) => [e.actor, e.details.version])).toEqual([['b', 2]]);
  });

  it('keeps the cursor where it was when handling fails, so nothing is skipped', () => {
    const { store } = testStore();
    let fail = true;
    const seen: string[] = [];
    const consumer = new AuditConsumer(store, {
      name: 'flaky', startAt: 'start', batch: 2,
      handle: (e) => { if (fail && e.actor === 'c') throw new Error('down'); seen.push(e.actor); },
    });
    store.transaction(() => { for (const actor of ['a', 'b', 'c', 'd']) recordAudit(store, { actor, action: 'signout' }); });
    expect(() => consumer.poll()).toThrow('down');
    fail = false;
    consumer.poll();
    // The first batch (a, b) committed; the failed batch rolled back and was handled again, once.
    expect(seen).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('mentions', () => {
  it('finds handles, not e-mail addresses or code', () => {
    expect(extractMentions('Ask @maria.reyes and @Epic-Team. Mail ops@hospital.org; `@notme`\n```\n@nor-me\n```\nthen @maria.reyes.')).toEqual(['maria.reyes', 'epic-team']);
  });
});
