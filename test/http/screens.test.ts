import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, seedPage, testApp, type TestApp } from '../helpers.js';

let t: TestApp;
let editor: Browser;
beforeAll(async () => {
  t = await testApp({ ticketUrl: 'https://servicenow.example/{id}' });
  seedPage(t.store);
  editor = new Browser(t.app);
  await editor.signIn('editor');
});
afterAll(async () => { await t.close(); });

const newPageForm = {
  title: 'Discharge SmartPhrase',
  slug: '',
  why: 'Discharge instructions varied by nurse; one SmartPhrase makes them consistent.',
  owners: 'mreyes, epic-clindoc',
  system: 'Epic',
  module: 'ClinDoc',
  status: 'live',
  go_live: '2025-01-10',
  review_every: '6m',
  tickets: 'CHG0099999',
  records: 'SmartPhrase 1200345',
  tags: 'discharge',
  requested_by: 'Nursing Practice Council',
  sponsor: '',
  supersedes: '',
  superseded_by: '',
  body: '## Context\n\nSee [[sepsis-screening-bpa]].',
  summary: '',
};

describe('page view', () => {
  it('shows the why above the body, owners, status, tickets as links, records and the version line', async () => {
    const res = await editor.get('/p/sepsis-screening-bpa');
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html.indexOf('Why it was built')).toBeLessThan(html.indexOf('<h2 id="h-context">'));
    expect(html).toContain('Nurses missed early sepsis signs');
    expect(html).toContain('<a href="/people/mreyes">Maria Reyes</a>');
    expect(html).toContain('status-live');
    expect(html).toContain('href="https://servicenow.example/CHG0012345"');
    expect(html).toContain('BPA 1234567');
    expect(html).toMatch(/Version 1 by Maria Reyes on \d+ \w+ \d{4}/);
    expect(html).toContain('href="/p/sepsis-screening-bpa/edit"');
  });

  it('marks a link to a page that does not exist and offers to create it', async () => {
    const res = await editor.get('/p/sepsis-screening-bpa');
    expect(res.body).toContain('href="/new?slug=vte-panel"');
    const form = await editor.get('/new?slug=vte-panel');
    expect(form.body).toContain('value="vte-panel"');
    expect(form.body).toContain('value="Vte Panel"');
  });

  it('shows a friendly 404 for a page that does not exist', async () => {
    const res = await editor.get('/p/no-such-page');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('There is no page &quot;no-such-page&quot;.');
    expect(res.body).toContain('Go to the home page');
  });

  it('lists pages by system and recent changes on the home page', async () => {
    const res = await editor.get('/');
    expect(res.body).toContain('Recent changes');
    expect(res.body).toContain('id="system-Epic"');
    expect(res.body).toContain('<a href="/p/sepsis-screening-bpa">Sepsis screening BPA</a>');
  });

  it('shows what a person and a team own', async () => {
    const person = await editor.get('/people/mreyes');
    expect(person.body).toContain('Maria Reyes');
    expect(person.body).toContain('href="/p/sepsis-screening-bpa"');
    expect(person.body).toContain('href="/teams/epic-clindoc"');
    const team = await editor.get('/teams/epic-clindoc');
    expect(team.body).toContain('href="/people/mreyes"');
    expect((await editor.get('/teams/mreyes')).statusCode).toBe(404);
    expect((await editor.get('/people')).body).toContain('departed');
  });
});

describe('new page form', () => {
  it('keeps everything typed and shows the error beside the why when it is missing', async () => {
    await editor.get('/new');
    const res = await editor.post('/new', { ...newPageForm, why: '' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('id="f-why-error"');
    expect(res.body).toContain('Why is required');
    expect(res.body).toContain('value="Discharge SmartPhrase"');
    expect(res.body).toContain('value="mreyes, epic-clindoc"');
    expect(res.body).toContain('## Context\n\nSee [[sepsis-screening-bpa]].');
    expect(res.body).toContain('<option value="Epic" selected>');
    expect(t.store.pages.head('discharge-smartphrase')).toBeUndefined();
  });

  it('shows each bad field at once', async () => {
    await editor.get('/new');
    const res = await editor.post('/new', { ...newPageForm, owners: 'ghost', go_live: '2025-02-31', tickets: 'nope!' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Unknown owner: ghost');
    expect(res.body).toContain('Go-live must be a real date');
    expect(res.body).toContain('Ticket IDs look like');
  });

  it('creates the page and shows it', async () => {
    await editor.get('/new');
    const res = await editor.post('/new', newPageForm);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/p/discharge-smartphrase');
    const page = await editor.get('/p/discharge-smartphrase');
    expect(page.body).toContain('Discharge instructions varied by nurse');
    expect(page.body).toContain('Nursing Practice Council');
  });
});

describe('edit form', () => {
  it('saves a new version with a summary', async () => {
    const form = await editor.get('/p/sepsis-screening-bpa/edit');
    expect(form.body).toContain('name="base_version" value="1"');
    const res = await editor.post('/p/sepsis-screening-bpa/edit', { ...newPageForm, title: 'Sepsis screening BPA', owners: 'mreyes', summary: 'Lowered lactate threshold', base_version: '1' });
    expect(res.statusCode).toBe(303);
    expect(t.store.pages.head('sepsis-screening-bpa')!.current_version).toBe(2);
  });

  it('requires a change summary, keeping the text', async () => {
    await editor.get('/p/sepsis-screening-bpa/edit');
    const res = await editor.post('/p/sepsis-screening-bpa/edit', { ...newPageForm, title: 'Sepsis screening BPA', owners: 'mreyes', body: 'my careful edit', summary: '', base_version: '2' });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('A change summary is required');
    expect(res.body).toContain('my careful edit');
  });

  it('refuses a stale edit with 409, keeping the text and showing what changed', async () => {
    await editor.get('/p/sepsis-screening-bpa/edit');
    const res = await editor.post('/p/sepsis-screening-bpa/edit', { ...newPageForm, title: 'Sepsis screening BPA', owners: 'mreyes', body: 'my stale but precious text', summary: 'my change', base_version: '1' });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('my stale but precious text');
    expect(res.body).toContain('value="my change"');
    expect(res.body).toContain('What changed since you started (version 1 → 2)');
    expect(res.body).toContain('Lowered lactate threshold');
    expect(res.body).toContain('name="base_version" value="2"');
    expect(t.store.pages.head('sepsis-screening-bpa')!.current_version).toBe(2);
  });

  it('shows old versions marked as not current', async () => {
    const res = await editor.get('/p/sepsis-screening-bpa/v/1');
    expect(res.body).toContain('You are reading version 1, not the current page.');
    expect((await editor.get('/p/sepsis-screening-bpa/v/99')).statusCode).toBe(404);
    expect((await editor.get('/p/sepsis-screening-bpa/v/abc')).statusCode).toBe(400);
  });
});

describe('a form that cannot be accepted', () => {
  it('hands back the text when the session ended before it was sent', async () => {
    const stranger = new Browser(t.app);
    const res = await stranger.post('/p/sepsis-screening-bpa/edit', { ...newPageForm, body: 'an hour of careful writing', summary: 'big edit' }, false);
    expect(res.statusCode).toBe(401);
    expect(res.body).toContain('Your changes were not saved yet');
    expect(res.body).toContain('an hour of careful writing');
    expect(res.body).toMatch(/href="\/login\?next(=|&#x3D;)%2Fp%2Fsepsis-screening-bpa%2Fedit"/);
  });

  it('hands back the text when the CSRF token is missing or foreign', async () => {
    await editor.get('/p/sepsis-screening-bpa/edit');
    const res = await editor.post('/p/sepsis-screening-bpa/edit', { ...newPageForm, body: 'text from a stale tab', summary: 'x', base_version: '2', _csrf: 'forged' }, false);
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('text from a stale tab');
    expect(res.body).not.toContain('forged');
    expect(t.store.pages.head('sepsis-screening-bpa')!.current_version).toBe(2);
  });
});
