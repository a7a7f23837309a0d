import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandContext, privacyTeam, sampleFrontMatter, seedPage, testApp, tokenFor, type TestApp } from '../helpers.js';
import { createPage, savePage } from '../../server/pages/commands.js';
import type { CommentCreatedDetails } from '../../server/comments/comments.js';

let t: TestApp;
const tokens: Record<string, string> = {};
const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });

beforeAll(async () => {
  t = await testApp();
  await privacyTeam(t.store);
  seedPage(t.store);
  savePage(commandContext(t.store), { slug: 'sepsis-screening-bpa', frontMatter: sampleFrontMatter, body: 'Second', summary: 'v2', baseVersion: 1 });
  seedPage(t.store, 'other-page', 'Other');
  createPage(commandContext(t.store, 'pwong'), { slug: 'privacy-only', frontMatter: { ...sampleFrontMatter, title: 'Privacy only', restricted_to: ['privacy'] }, body: 'x' });
  for (const who of ['reader', 'editor', 'admin', 'pat']) tokens[who] = tokenFor(t.store, who);
});
afterAll(async () => { await t.close(); });

const post = (who: string, slug: string, payload: object) => t.app.inject({ method: 'POST', url: `/api/pages/${slug}/comments`, headers: as(who), payload });
const lastAudit = () => t.store.unsafeDatabaseForTests().prepare('SELECT * FROM audit_events ORDER BY id DESC LIMIT 1').get() as { actor: string; action: string; target: string; details: string };
const auditCount = () => t.store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM audit_events').pluck().get() as number;
const versions = () => t.store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM page_versions').pluck().get() as number;

describe('comments over the API', () => {
  it('lets a reader comment: 201 with the comment, rendered like a page body, against the current version; no page version', async () => {
    const before = versions();
    const res = await post('reader', 'sepsis-screening-bpa', { body: 'Is the **lactate** order still [[other-page]]? <script>alert(1)</script>' });
    expect(res.statusCode).toBe(201);
    const c = res.json();
    expect(c).toMatchObject({ slug: 'sepsis-screening-bpa', kind: 'comment', author: 'reader', version: 2, reply_to: null, resolved_at: null, resolved_by: null });
    expect(c.html).toContain('<strong>lactate</strong>');
    expect(c.html).toContain('<a href="/p/other-page" class="wikilink">');
    expect(c.html).not.toContain('<script');
    expect(versions()).toBe(before);
    const list = await t.app.inject({ url: '/api/pages/sepsis-screening-bpa/comments', headers: as('editor') });
    expect(list.statusCode).toBe(200);
    expect(list.json().comments.map((x: { id: number }) => x.id)).toEqual([c.id]);
  });

  it('records exactly one comment.created event with the contract details: kind, version, reply_to, its author, known mentions', async () => {
    const root = (await post('editor', 'sepsis-screening-bpa', { body: 'Wrong since the upgrade, says @mreyes', kind: 'wrong' })).json();
    let ev = lastAudit();
    expect(ev).toMatchObject({ actor: 'editor', action: 'comment.created', target: 'sepsis-screening-bpa' });
    expect(JSON.parse(ev.details) as CommentCreatedDetails).toEqual({ comment_id: root.id, kind: 'wrong', version: 2, reply_to: null, reply_to_author: null, mentions: ['mreyes'], body_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const reply = (await post('reader', 'sepsis-screening-bpa', { body: 'Agreed, @epic-clindoc please check; @nobody knows', reply_to: root.id })).json();
    ev = lastAudit();
    expect(JSON.parse(ev.details)).toEqual({ comment_id: reply.id, kind: 'comment', version: 2, reply_to: root.id, reply_to_author: 'editor', mentions: ['epic-clindoc'], body_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // A reply to a reply joins the thread: reply_to is the root, the author is the one replied to.
    const nested = (await post('admin', 'sepsis-screening-bpa', { body: 'Fixed in the build', reply_to: reply.id })).json();
    expect(nested.reply_to).toBe(root.id);
    expect(JSON.parse(lastAudit().details)).toMatchObject({ reply_to: root.id, reply_to_author: 'reader' });
    expect(reply.html).toContain('<a href="/teams/epic-clindoc" class="mention">@epic-clindoc</a>');
    expect(reply.html).toContain('@nobody knows');
  });

  it('resolves and reopens a thread, one event each with {comment_id}; the author, owners, editors and admins may', async () => {
    const root = (await post('reader', 'sepsis-screening-bpa', { body: 'Question' })).json();
    const n = auditCount();
    const res = await t.app.inject({ method: 'POST', url: `/api/comments/${root.id}/resolve`, headers: as('reader') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: root.id, resolved_by: 'reader' });
    expect(auditCount()).toBe(n + 1);
    expect(lastAudit()).toMatchObject({ action: 'comment.resolved', target: 'sepsis-screening-bpa', details: JSON.stringify({ comment_id: root.id }) });
    expect((await t.app.inject({ method: 'POST', url: `/api/comments/${root.id}/resolve`, headers: as('reader') })).statusCode).toBe(409);
    const reopened = await t.app.inject({ method: 'POST', url: `/api/comments/${root.id}/reopen`, headers: as('editor'), payload: {} });
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json().resolved_at).toBeNull();
    expect(lastAudit()).toMatchObject({ action: 'comment.reopened', details: JSON.stringify({ comment_id: root.id }) });
    expect(auditCount()).toBe(n + 2);
    // Another reader, not the author nor an owner, may not.
    const other = (await post('editor', 'sepsis-screening-bpa', { body: 'Editor note' })).json();
    const refused = await t.app.inject({ method: 'POST', url: `/api/comments/${other.id}/resolve`, headers: as('reader') });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().message).toMatch(/author, the page's owners, editors and admins/);
  });

  it('refuses to resolve a reply (the thread is resolved), naming the thread', async () => {
    const root = (await post('reader', 'sepsis-screening-bpa', { body: 'Root' })).json();
    const reply = (await post('reader', 'sepsis-screening-bpa', { body: 'Reply', reply_to: root.id })).json();
    const res = await t.app.inject({ method: 'POST', url: `/api/comments/${reply.id}/resolve`, headers: as('admin') });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toContain(`its thread, comment ${root.id}`);
  });
});

describe('bad input', () => {
  it('answers a missing page and a hidden page with the same 404', async () => {
    const missing = await post('editor', 'no-such-page', { body: 'Hello' });
    const hidden = await post('editor', 'privacy-only', { body: 'Hello' });
    expect(missing.statusCode).toBe(404);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.body.replace('privacy-only', 'X')).toBe(missing.body.replace('no-such-page', 'X'));
    const list = await t.app.inject({ url: '/api/pages/privacy-only/comments', headers: as('editor') });
    expect(list.statusCode).toBe(404);
  });

  it('refuses an empty body and a body over 20,000 characters with a clear 400, writing nothing', async () => {
    const n = auditCount();
    for (const body of ['', '   \n ']) {
      const res = await post('reader', 'sepsis-screening-bpa', { body });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ field: 'body', message: expect.stringContaining('cannot be empty') });
    }
    const long = await post('reader', 'sepsis-screening-bpa', { body: 'a'.repeat(20_001) });
    expect(long.statusCode).toBe(400);
    expect(long.json().message).toContain('at most 20,000 characters');
    expect((await post('reader', 'sepsis-screening-bpa', { body: 'a'.repeat(20_000) })).statusCode).toBe(201);
    expect(auditCount()).toBe(n + 1);
  });

  it("refuses a reply to another page's comment, to a missing one, and a reply flagged as wrong (400)", async () => {
    const elsewhere = (await post('reader', 'other-page', { body: 'On the other page' })).json();
    for (const reply_to of [elsewhere.id, 999_999]) {
      const res = await post('reader', 'sepsis-screening-bpa', { body: 'Reply', reply_to });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ field: 'reply_to', message: `reply_to: There is no comment ${reply_to} on this page to reply to.` });
    }
    const root = (await post('reader', 'sepsis-screening-bpa', { body: 'Root' })).json();
    expect((await post('reader', 'sepsis-screening-bpa', { body: 'x', reply_to: root.id, kind: 'wrong' })).statusCode).toBe(400);
    expect((await post('reader', 'sepsis-screening-bpa', { body: 'x', kind: 'praise' })).statusCode).toBe(400);
    expect((await post('reader', 'sepsis-screening-bpa', { body: 'x', extra: 1 })).statusCode).toBe(400);
  });

  it('refuses patient information with 422 naming the finding, and stores nothing', async () => {
    const n = auditCount();
    const res = await post('reader', 'sepsis-screening-bpa', { body: 'Patient MRN: 12345678 had the alert twice' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ field: 'body', message: expect.stringContaining('medical record number') });
    expect(auditCount()).toBe(n);
  });

  it('answers a comment id that does not exist, or is on a hidden page, with the same 404', async () => {
    const pat = (await post('pat', 'privacy-only', { body: 'Members only' })).json();
    const hidden = await t.app.inject({ method: 'POST', url: `/api/comments/${pat.id}/resolve`, headers: as('editor') });
    const missing = await t.app.inject({ method: 'POST', url: '/api/comments/999999/resolve', headers: as('editor') });
    expect(hidden.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(hidden.json().message).toBe(`There is no comment ${pat.id}.`);
    expect((await t.app.inject({ method: 'POST', url: `/api/comments/${pat.id}/resolve`, headers: as('pat') })).statusCode).toBe(200);
  });
});
