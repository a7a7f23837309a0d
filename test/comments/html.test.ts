import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, commandContext, privacyTeam, sampleFrontMatter, seedPage, testApp, type TestApp } from '../helpers.js';
import { createPage, savePage } from '../../server/pages/commands.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { addComment } from '../../server/comments/commands/add-comment.js';

let t: TestApp;
const SLUG = 'sepsis-screening-bpa';

beforeAll(async () => {
  t = await testApp();
  await privacyTeam(t.store);
  seedPage(t.store, SLUG, 'Ask @mreyes or @epic-clindoc; @nobody is not in the directory.');
  savePage(commandContext(t.store), { slug: SLUG, frontMatter: sampleFrontMatter, body: 'Ask @mreyes or @epic-clindoc; @nobody is not in the directory.\n\nMore.', summary: 'v2', baseVersion: 1 });
  createPage(commandContext(t.store, 'pwong'), { slug: 'privacy-only', frontMatter: { ...sampleFrontMatter, title: 'Privacy only', owners: ['mreyes'], restricted_to: ['privacy'] }, body: 'x' });
  // Maria owns the pages (through her person), and reads as a reader.
  await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'maria', password: 'quiet harbour words 45', role: 'reader', person: 'mreyes' });
});
afterAll(async () => { await t.close(); });

const commentIds = () => t.store.unsafeDatabaseForTests().prepare('SELECT id FROM comments ORDER BY id').pluck().all() as number[];

describe('the comments section', () => {
  it('lets a reader comment from the page form (no JavaScript), shown with the version it was written against', async () => {
    const reader = new Browser(t.app);
    await reader.signIn('reader');
    const page = await reader.get(`/p/${SLUG}`);
    expect(page.body).toContain('<form method="post" action="/p/sepsis-screening-bpa/comments"');
    expect(page.body).toContain('No comments yet.');
    const res = await reader.post(`/p/${SLUG}/comments`, { body: 'Does this still fire for **ED** boarders?', kind: 'comment' });
    expect(res.statusCode).toBe(303);
    const id = commentIds().at(-1)!;
    expect(res.headers.location).toBe(`/p/${SLUG}#comment-${id}`);
    const after = await reader.get(`/p/${SLUG}`);
    expect(after.body).toContain('Comment added.');
    expect(after.body).toMatch(new RegExp(`id="comment-${id}"[\\s\\S]*?on version 2[\\s\\S]*?Does this still fire for <strong>ED</strong> boarders\\?`));
    // The author may resolve their own thread; another reader may only reply.
    expect(after.body).toContain(`action="/p/${SLUG}/comments/${id}/resolve"`);
    const other = new Browser(t.app);
    await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'reader2', password: 'quiet harbour words 46', role: 'reader' });
    await other.signIn('reader2', 'quiet harbour words 46');
    const seen = await other.get(`/p/${SLUG}`);
    expect(seen.body).toContain('Does this still fire');
    expect(seen.body).not.toContain(`comments/${id}/resolve`);
    expect(seen.body).toContain(`name="reply_to" value="${id}"`);
  });

  it('replies and resolves through the forms, then reopens', async () => {
    const editor = new Browser(t.app);
    await editor.signIn('editor');
    await editor.get(`/p/${SLUG}`);
    const root = commentIds()[0]!;
    expect((await editor.post(`/p/${SLUG}/comments`, { body: 'Yes, since the March build.', reply_to: String(root) })).statusCode).toBe(303);
    let page = await editor.get(`/p/${SLUG}`);
    expect(page.body).toMatch(/class="comment-reply"[\s\S]*Yes, since the March build\./);
    expect((await editor.post(`/p/${SLUG}/comments/${root}/resolve`, {})).statusCode).toBe(303);
    page = await editor.get(`/p/${SLUG}`);
    expect(page.body).toContain('Thread resolved.');
    expect(page.body).toMatch(new RegExp(`id="comment-${root}"[\\s\\S]*?badge resolved`));
    expect(page.body).toContain(`comments/${root}/reopen`);
    expect((await editor.post(`/p/${SLUG}/comments/${root}/reopen`, {})).statusCode).toBe(303);
    expect((await editor.get(`/p/${SLUG}`)).body).toContain(`comments/${root}/resolve`);
    // A comment id that is not on the page the address names is missing.
    expect((await editor.post(`/p/privacy-only/comments/${root}/resolve`, {})).statusCode).toBe(404);
  });

  it('hands the text back with the finding on PHI (422) and with a clear message when empty (400)', async () => {
    const reader = new Browser(t.app);
    await reader.signIn('reader');
    await reader.get(`/p/${SLUG}`);
    const before = commentIds().length;
    const typed = 'The alert fired for MRN: 12345678 twice <b>today</b>';
    const phi = await reader.post(`/p/${SLUG}/comments`, { body: typed, kind: 'wrong' });
    expect(phi.statusCode).toBe(422);
    expect(phi.body).toContain('medical record number');
    expect(phi.body).toContain('The alert fired for MRN: 12345678 twice &lt;b&gt;today&lt;/b&gt;</textarea>');
    expect(phi.body).toMatch(/value="wrong" checked/);
    const empty = await reader.post(`/p/${SLUG}/comments`, { body: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('a comment cannot be empty');
    expect(commentIds().length).toBe(before);
  });
});

describe('a "wrong" flag', () => {
  it('shows at the top of the page, in the owners\' queue and on the flagged report until resolved', async () => {
    const reader = new Browser(t.app);
    await reader.signIn('reader');
    await reader.get(`/p/${SLUG}`);
    await reader.post(`/p/${SLUG}/comments`, { body: 'The lactate threshold changed to 2.5 in May.', kind: 'wrong' });
    const flag = commentIds().at(-1)!;
    const page = await reader.get(`/p/${SLUG}`);
    expect(page.body).toMatch(/id="wrong-banner"[\s\S]*Flagged as wrong or out of date[\s\S]*The lactate threshold changed to 2\.5 in May\./);
    expect(page.body.indexOf('wrong-banner')).toBeLessThan(page.body.indexOf('<article class="wiki-page"'));

    const maria = new Browser(t.app);
    await maria.signIn('maria', 'quiet harbour words 45');
    const home = await maria.get('/');
    expect(home.body).toMatch(/Flagged as wrong[\s\S]*href="\/p\/sepsis-screening-bpa#comment-\d+"/);
    expect((await reader.get('/')).body).not.toContain('flagged-heading');
    expect((await reader.get('/reports')).body).toContain('1 page flagged as wrong');
    const report = await reader.get('/reports/flagged');
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain(`href="/p/${SLUG}#comment-${flag}"`);
    expect(report.body).toContain('The lactate threshold changed');

    // The owner resolves it (a reader by role, but an owner through her person).
    const mpage = await maria.get(`/p/${SLUG}`);
    expect(mpage.body).toContain(`comments/${flag}/resolve`);
    expect((await maria.post(`/p/${SLUG}/comments/${flag}/resolve`, {})).statusCode).toBe(303);
    expect((await reader.get(`/p/${SLUG}`)).body).not.toContain('id="wrong-banner"');
    expect((await reader.get('/reports/flagged')).body).toContain('No page is flagged as wrong.');
    expect((await maria.get('/')).body).not.toContain('flagged-heading');
  });

  it('on a restricted page never shows to outsiders: not its comments, counts, queue or report row', async () => {
    addComment({ ...commandContext(t.store, 'pat'), actor: { username: 'pat' } }, { slug: 'privacy-only', body: 'Privacy flag: consent form is outdated', kind: 'wrong' });
    const outsider = new Browser(t.app);
    await outsider.signIn('editor');
    expect((await outsider.get('/reports/flagged')).body).not.toContain('Privacy');
    expect((await outsider.get('/reports')).body).toContain('0 pages flagged as wrong');
    expect((await outsider.get('/p/privacy-only')).statusCode).toBe(404);
    // Maria owns the page but is not in the privacy team: it does not exist for her.
    const maria = new Browser(t.app);
    await maria.signIn('maria', 'quiet harbour words 45');
    expect((await maria.get('/')).body).not.toContain('consent form');
    const member = new Browser(t.app);
    await member.signIn('pat', 'member quiet words 3');
    expect((await member.get('/reports/flagged')).body).toContain('Privacy flag: consent form is outdated');
    expect((await member.get('/reports')).body).toContain('1 page flagged as wrong');
  });
});

describe('mentions on a page', () => {
  it('link known handles in the page body to their person and team pages; unknown ones stay text', async () => {
    const reader = new Browser(t.app);
    await reader.signIn('reader');
    const page = await reader.get(`/p/${SLUG}`);
    expect(page.body).toContain('<a href="/people/mreyes" class="mention">@mreyes</a>');
    expect(page.body).toContain('<a href="/teams/epic-clindoc" class="mention">@epic-clindoc</a>');
    expect(page.body).toContain('@nobody is not in the directory');
  });
});
