import { describe, expect, it } from 'vitest';
import { addComment } from '../../../server/comments/commands/add-comment.js';
import { NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { auditCount, commandContext, outsiderContext, seedPage, seedRestrictedPage, testStore } from '../../helpers.js';

describe('addComment', () => {
  it('stores the comment and one comment.created event naming the mentions', () => {
    const { store } = testStore();
    const page = seedPage(store);
    const before = auditCount(store);
    const row = addComment(commandContext(store, 'dokafor'), { slug: page.slug, body: 'Still true, @mreyes?', kind: 'wrong' });
    expect(row).toMatchObject({ author: 'dokafor', kind: 'wrong', version: 1, thread_id: null });
    const reply = addComment(commandContext(store), { slug: page.slug, body: 'Yes', replyTo: row.id });
    expect(reply.thread_id).toBe(row.id);
    expect(auditCount(store)).toBe(before + 2);
    expect(JSON.parse(store.audit.forTarget(page.slug).at(-2)!.details)).toMatchObject({ comment_id: row.id, kind: 'wrong', mentions: ['mreyes'] });
  });

  it('refuses an empty body, a reply to a comment that is not there, and a missing page', () => {
    const { store } = testStore();
    const page = seedPage(store);
    expect(() => addComment(commandContext(store), { slug: page.slug, body: '  ' })).toThrow(ValidationError);
    expect(() => addComment(commandContext(store), { slug: page.slug, body: 'Hi', replyTo: 42 })).toThrow(/no comment 42/);
    expect(() => addComment(commandContext(store), { slug: 'nope', body: 'Hi' })).toThrow(NotFoundError);
    expect(auditCount(store)).toBe(1);
  });

  it('answers a restricted page an outsider may not see exactly as a missing one', () => {
    const { store } = testStore();
    seedRestrictedPage(store);
    const before = auditCount(store);
    expect(() => addComment(outsiderContext(store), { slug: 'restricted-page', body: 'Hi' })).toThrow('There is no page "restricted-page".');
    expect(auditCount(store)).toBe(before);
  });
});
