import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, commandContext, PASSWORD, sampleFrontMatter, seedPage, testApp, type TestApp } from '../helpers.js';
import { savePage } from '../../server/pages/commands.js';
import { openHandover } from '../../server/knowledge-transfer/commands/open-handover.js';
import { savePath } from '../../server/knowledge-transfer/commands/save-path.js';

/**
 * Every HTML form, posted with input it refuses: the answer has the status the error mapper gives that
 * error's kind, the message beside its field or at the top, and every value the person typed.
 */

let t: TestApp;
let editor: Browser;
let admin: Browser;
const SSN = 'SSN 123-45-6789';
const SLUG = 'sepsis-screening-bpa';

beforeAll(async () => {
  t = await testApp();
  seedPage(t.store);
  // The page is at version 2, so an edit begun on version 1 has been overtaken.
  savePage(commandContext(t.store), { slug: SLUG, frontMatter: { ...sampleFrontMatter }, body: 'Someone else saved first.', summary: 'Other edit', baseVersion: 1 });
  // Maria's handover plan lists the page; reading path 1 has it as its one step.
  openHandover(commandContext(t.store, 'admin'), { handle: 'mreyes', date: '2099-01-01', today: new Date().toISOString().slice(0, 10) });
  savePath(commandContext(t.store), { title: 'Start here', steps: [{ slug: SLUG }] });
  editor = new Browser(t.app);
  admin = new Browser(t.app);
  await editor.signIn('editor');
  await admin.signIn('admin');
});
afterAll(async () => {
  await t.close();
});

/** The words of a stretch of HTML: the message at the top, at most up to its end. */
const textOf = (html: string) => html.split(/<\/(?:div|small|article|form)>/)[0]!.replace(/<[^>]+>/g, ' ');

/** Whether the value is in a form field: an input's value or a textarea's text. */
const inField = (html: string, value: string) => html.includes(`value="${escaped(value)}"`) || new RegExp(`<textarea[^>]*>\\s*${escaped(value).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</textarea>`).test(html);

/** How HTML shows a value typed into a field. */
const escaped = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#x27;').replaceAll('=', '&#x3D;');

interface Case {
  form: string;
  who: () => Browser;
  /** The screen the form is on (read first, for its CSRF token). */
  screen: string;
  url: string;
  body: Record<string, string>;
  status: number;
  /** The words of the refusal, shown beside the field or at the top. */
  message: RegExp;
  /** Typed values that must come back (passwords never do). */
  typed: string[];
}

const page = { title: 'Form re-show page', why: 'Typed reasons stay on the form.', owners: 'mreyes', system: 'Epic', status: 'live' };

const CASES: Case[] = [
  { form: 'new page (bad values)', who: () => editor, screen: '/new', url: '/new', body: { ...page, system: 'Cerner', slug: 'form-reshow-page', body: 'My typed body.' }, status: 400, message: /System/, typed: ['Form re-show page', 'Typed reasons stay on the form.', 'My typed body.'] },
  { form: 'new page (PHI guard)', who: () => editor, screen: '/new', url: '/new', body: { ...page, slug: 'form-reshow-phi', body: `Patient ${SSN} in the example.` }, status: 422, message: /PHI guard/, typed: ['Form re-show page', `Patient ${SSN} in the example.`] },
  { form: 'new page (slug taken)', who: () => editor, screen: '/new', url: '/new', body: { ...page, slug: SLUG, body: 'Taken slug body.' }, status: 409, message: /already/, typed: ['Form re-show page', 'Taken slug body.', SLUG] },
  { form: 'edit (stale version)', who: () => editor, screen: `/p/${SLUG}/edit`, url: `/p/${SLUG}/edit`, body: { ...page, base_version: '1', body: 'My edit over an old version.', summary: 'Typed summary' }, status: 409, message: /changed|version/, typed: ['My edit over an old version.', 'Typed summary'] },
  { form: 'edit (bad values)', who: () => editor, screen: `/p/${SLUG}/edit`, url: `/p/${SLUG}/edit`, body: { ...page, owners: '', base_version: '2', body: 'Edited body kept.', summary: 'Kept summary' }, status: 400, message: /owner/i, typed: ['Edited body kept.', 'Kept summary'] },
  { form: 'status', who: () => editor, screen: `/p/${SLUG}/status`, url: `/p/${SLUG}/status`, body: { status: 'retired', reason: `Retired for ${SSN}` }, status: 422, message: /PHI|patient|social security/i, typed: [`Retired for ${SSN}`] },
  { form: 'rename', who: () => editor, screen: `/p/${SLUG}/rename`, url: `/p/${SLUG}/rename`, body: { slug: 'Not A Slug', summary: 'Typed rename reason' }, status: 400, message: /slug/i, typed: ['Not A Slug', 'Typed rename reason'] },
  { form: 'archive', who: () => editor, screen: `/p/${SLUG}`, url: `/p/${SLUG}/archive`, body: { summary: `Archived, see ${SSN}` }, status: 422, message: /social security|patient|PHI/i, typed: [`Archived, see ${SSN}`] },
  { form: 'restore', who: () => editor, screen: `/p/${SLUG}`, url: `/p/${SLUG}/restore`, body: { version: '1', summary: `Back to ${SSN}` }, status: 422, message: /social security|patient|PHI/i, typed: [`Back to ${SSN}`] },
  { form: 'mark reviewed', who: () => admin, screen: `/p/${SLUG}`, url: `/p/${SLUG}/review`, body: { note: `Checked with ${SSN}` }, status: 422, message: /social security|patient|PHI/i, typed: [`Checked with ${SSN}`] },
  { form: 'ownership move', who: () => admin, screen: '/people/mreyes/reassign', url: '/people/mreyes/reassign', body: { [`to:${SLUG}`]: 'nobody-here', summary: 'Typed move reason' }, status: 400, message: /nobody-here|no person|not/i, typed: ['Typed move reason'] },
  { form: 'depart', who: () => admin, screen: '/people/dokafor/depart', url: '/people/dokafor/depart', body: { date: 'someday', reason: 'Typed departure reason', successor: '' }, status: 400, message: /date/i, typed: ['someday', 'Typed departure reason'] },
  { form: 'comment', who: () => editor, screen: `/p/${SLUG}`, url: `/p/${SLUG}/comments`, body: { body: `Seen on ${SSN}`, kind: 'comment' }, status: 422, message: /social security|patient|PHI/i, typed: [`Seen on ${SSN}`] },
  { form: 'sign', who: () => editor, screen: `/p/${SLUG}`, url: `/p/${SLUG}/signatures`, body: { version: '1', meaning: 'reviewed', password: 'not the password', comment: 'Typed signing comment' }, status: 401, message: /password/i, typed: ['Typed signing comment'] },
  { form: 'purge request', who: () => admin, screen: `/p/${SLUG}/v/1/purge`, url: `/p/${SLUG}/v/1/purge`, body: { text: 'words not in the version', reason: 'Typed purge reason' }, status: 400, message: /not|found|appear/i, typed: ['words not in the version', 'Typed purge reason'] },
  { form: 'add user', who: () => admin, screen: '/admin/users/new', url: '/admin/users/new', body: { username: 'Not Valid', role: 'editor', person: '', password: '' }, status: 400, message: /username|lowercase/i, typed: ['Not Valid'] },
  { form: 'API token', who: () => admin, screen: '/admin/users/editor', url: '/admin/users/editor/tokens', body: { label: `For ${SSN}` }, status: 422, message: /social security|patient|PHI/i, typed: [`For ${SSN}`] },
  { form: 'own password', who: () => editor, screen: '/account/password', url: '/account/password', body: { current: PASSWORD, password: 'a-brand-new-password-1', confirm: 'something else entirely' }, status: 400, message: /not the same/, typed: [] },
  { form: 'add person', who: () => admin, screen: '/people/new', url: '/people/new', body: { handle: 'Bad Handle', name: 'Typed Person Name', title: 'Typed job title' }, status: 400, message: /handle/i, typed: ['Bad Handle', 'Typed Person Name', 'Typed job title'] },
  { form: 'add team', who: () => admin, screen: '/teams/new', url: '/teams/new', body: { handle: 'Bad Team', name: 'Typed Team Name' }, status: 400, message: /handle/i, typed: ['Bad Team', 'Typed Team Name'] },
  { form: 'notification settings', who: () => editor, screen: '/inbox/settings', url: '/inbox/settings', body: { changed: 'sometimes' }, status: 400, message: /sometimes|immediate|digest/i, typed: [] },
  { form: 'integration', who: () => admin, screen: '/admin/integrations', url: '/admin/integrations', body: { kind: 'webhook', label: 'Typed integration name', url: 'ftp://example.org/hook' }, status: 400, message: /http/i, typed: ['Typed integration name', 'ftp://example.org/hook'] },
  { form: 'template', who: () => admin, screen: '/admin/templates', url: '/admin/templates', body: { name: '', description: 'Typed template description', body: 'Typed skeleton' }, status: 400, message: /name/i, typed: ['Typed template description', 'Typed skeleton'] },
  { form: 'PHI rule', who: () => admin, screen: '/admin/phi', url: '/admin/phi/rules', body: { kind: 'pattern', value: '(unclosed', label: 'Typed rule label' }, status: 400, message: /pattern|expression/i, typed: ['(unclosed', 'Typed rule label'] },
  { form: 'handover plan', who: () => admin, screen: '/people/dokafor/handover', url: '/people/dokafor/handover', body: { date: 'soon', successor: 'mreyes' }, status: 400, message: /date/i, typed: ['soon'] },
  { form: 'handover of one page', who: () => editor, screen: '/people/mreyes/handover', url: `/people/mreyes/handover/${SLUG}`, body: { state: 'walked_through', successor: 'nobody-here', note: 'Typed handover note' }, status: 400, message: /nobody-here/, typed: ['nobody-here', 'Typed handover note'] },
  { form: 'reading path assignment', who: () => editor, screen: '/paths/1', url: '/paths/1/assign', body: { people: 'nobody-at-all' }, status: 400, message: /nobody-at-all/, typed: ['nobody-at-all'] },
  { form: 'reading path', who: () => editor, screen: '/paths', url: '/paths', body: { title: '', description: 'Typed path audience', steps: 'no-such-page | read first' }, status: 400, message: /title|page/i, typed: ['Typed path audience', 'no-such-page | read first'] },
  { form: 'import', who: () => admin, screen: '/admin/import', url: '/admin/import', body: { system: 'Epic', owners: 'typed-owner', why: 'Typed import reason' }, status: 400, message: /zip/i, typed: ['typed-owner', 'Typed import reason'] },
];

describe('a refused form comes back filled in', () => {
  it.each(CASES)('$form', async (c) => {
    const browser = c.who();
    await browser.get(c.screen);
    const res = await browser.post(c.url, c.body);
    expect(res.statusCode, res.body.slice(0, 2000)).toBe(c.status);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    const html = res.body;
    // The message is at the top (role="alert") or beside its field.
    const shown = [...html.matchAll(/(?:role="alert"|class="field-error"|<article class="error-card">)[^>]*>([\s\S]{0,1500})/g)].map((m) => textOf(m[1]!)).join(' ');
    expect(shown).toMatch(c.message);
    // Back in a field (an input's value, a textarea), not merely quoted in a message.
    for (const value of c.typed) expect(inField(html, value), `typed value "${value}"`).toBe(true);
    // A password typed into a refused form is never written back into the page.
    for (const [field, value] of Object.entries(c.body)) if (/password|current|confirm/.test(field) && value) expect(html).not.toContain(escaped(value));
  });
});

describe('the notification settings', () => {
  it('come back with the choices that were posted, not the stored ones', async () => {
    await editor.get('/inbox/settings');
    const res = await editor.post('/inbox/settings', { changed: 'sometimes', mentioned: 'off' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/<input type="radio" name="mentioned" value="off"[^>]* checked>/);
  });
});
