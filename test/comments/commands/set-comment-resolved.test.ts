import { describe, expect, it } from 'vitest';
import { setCommentResolved } from '../../../server/comments/commands/set-comment-resolved.js';
import { addComment } from '../../../server/comments/commands/add-comment.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../server/core/errors.js';
import { auditCount, commandContext, seedPage, testStore } from '../../helpers.js';

function commented() {
  const { store } = testStore();
  const page = seedPage(store);
  const root = addComment(commandContext(store, 'dokafor'), { slug: page.slug, body: 'Out of date', kind: 'wrong' });
  return { store, page, root };
}

describe('setCommentResolved', () => {
  it('resolves and reopens a thread, one audit event each', () => {
    const { store, page, root } = commented();
    const before = auditCount(store);
    expect(setCommentResolved(commandContext(store, 'dokafor'), { id: root.id, resolved: true })).toMatchObject({ slug: page.slug, comment: { resolved_by: 'dokafor' } });
    setCommentResolved(commandContext(store, 'dokafor'), { id: root.id, resolved: false });
    expect(store.audit.forTarget(page.slug).slice(-2).map((e) => e.action)).toEqual(['comment.resolved', 'comment.reopened']);
    expect(auditCount(store)).toBe(before + 2);
  });

  it('refuses a missing comment, a reply, and resolving twice', () => {
    const { store, page, root } = commented();
    const reply = addComment(commandContext(store), { slug: page.slug, body: 'Agreed', replyTo: root.id });
    expect(() => setCommentResolved(commandContext(store), { id: 999, resolved: true })).toThrow(NotFoundError);
    expect(() => setCommentResolved(commandContext(store), { id: reply.id, resolved: true })).toThrow(/is a reply/);
    setCommentResolved(commandContext(store), { id: root.id, resolved: true });
    const before = auditCount(store);
    try {
      setCommentResolved(commandContext(store), { id: root.id, resolved: true });
      expect.unreachable();
    } catch (e) {
      expect((e as ValidationError).statusCode).toBe(409);
    }
    expect(auditCount(store)).toBe(before);
  });

  it('lets only the author, the owners, editors and admins resolve', () => {
    const { store, root } = commented();
    const reader = commandContext(store, 'someone', { actor: { username: 'someone', role: 'reader', person: null } });
    const before = auditCount(store);
    expect(() => setCommentResolved(reader, { id: root.id, resolved: true })).toThrow(ForbiddenError);
    expect(auditCount(store)).toBe(before);
    const owner = commandContext(store, 'maria', { actor: { username: 'maria', role: 'reader', person: 'mreyes' } });
    expect(setCommentResolved(owner, { id: root.id, resolved: true }).comment.resolved_by).toBe('maria');
  });
});
