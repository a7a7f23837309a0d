import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, sampleFrontMatter, tempDir, testApp, tokenFor, type TestApp } from '../helpers.js';
import { PhiGuard } from '../../server/phi/guard.js';
import { importPages, readFolder } from '../../server/transfer/import.js';
import { phiGuardFor, patternProblem } from '../../server/phi/guard.js';
import { PATIENT_VOCABULARY, PHI_FORMS } from '../../server/phi/forms.js';
import { PATHOLOGICAL_SHAPES } from '../../server/phi/shapes.js';
import { loadConfig } from '../../server/config.js';

const SAMPLES: [string, string][] = [
  ['Social Security number', 'Called back about 123-45-6789 before go-live.'],
  ['Social Security number', 'SSN: 078051120 was in the test script.'],
  ['medical record number', 'Reproduced on MRN 00482913 in TST.'],
  ['medical record number', 'See medical record number: E7734412.'],
  ['date of birth', 'Patient DOB 03/14/1962 triggered the alert.'],
  ['date of birth', 'She was born on March 14, 1962.'],
  ['date of birth', 'Date of birth: 1962-03-14.'],
  ['phone number', 'Her daughter called from (608) 555-0142.'],
  ['patient name', 'The patient John Smith was double-booked.'],
  ['patient name', 'Patient: Lopez, Maria'],
];
const CLEAN = [
  'Go-live was 2024-03-18 under CHG0012345; build record BPA 1900231 and ORD 88213.',
  'Record ID 1234567, SmartText 1920387, extension 75512, version 10.2.3.',
  'Invalid SSN shapes stay quiet: 000-12-3456, 666-12-3456, 912-34-5678, 123-00-4567, 123-45-0000.',
  'Patient Safety Committee asked for it; the patient portal and Patient Access team agreed.',
  'Dates alone are fine: 03/14/2022 cutover, 2025-01-01 upgrade.',
];

describe('the PHI guard', () => {
  const guard = new PhiGuard();
  it('finds each kind, naming the line', () => {
    for (const [kind, text] of SAMPLES) {
      const hits = guard.scan({ body: `first line\n${text}` });
      expect(hits.map((h) => h.kind), text).toContain(kind);
      expect(hits[0]!.line).toBe(2);
      expect(hits[0]!.excerpt).not.toMatch(/\d{3}/);
    }
  });
  it('lets ordinary build facts through: go-live dates, ticket numbers, record IDs', () => {
    for (const text of CLEAN) expect(guard.scan({ body: text }), text).toEqual([]);
  });
  it('uses admins\' patterns and allowed terms', () => {
    const custom = new PhiGuard({ rules: [
      { id: 1, kind: 'pattern', value: '\\bACCT\\d{6}\\b', label: 'Hospital account', created_by: 'admin', created_at: '' },
      { id: 2, kind: 'allow', value: '(608) 555-0100', label: 'Service desk', created_by: 'admin', created_at: '' },
    ] });
    expect(custom.scan({ body: 'Billing on ACCT123456' })[0]).toMatchObject({ kind: 'custom pattern', rule: 'Hospital account' });
    expect(custom.scan({ body: 'Call the service desk at (608) 555-0100.' })).toEqual([]);
    expect(custom.scan({ body: 'Call (608) 555-0199.' })).toHaveLength(1);
  });
  it('reads configured MRN patterns', () => {
    expect(new PhiGuard({ mrnPatterns: ['\\bE\\d{7}\\b'] }).scan({ body: 'Seen on E1234567 in PRD' })[0]!.kind).toBe('medical record number');
  });
});

describe('the PHI guard works in linear time', () => {
  const guard = new PhiGuard();
  // Work is counted, not timed: every character normalized and every token a detector looks at is a step.
  for (const [shape, make] of Object.entries(PATHOLOGICAL_SHAPES)) {
    it(`grows linearly on ${shape}`, () => {
      const [s1k, s10k, s100k] = [1_000, 10_000, 100_000].map((n) => {
        const text = make(n);
        expect(text.length).toBe(n);
        return guard.scanWithSteps({ body: text }).steps;
      });
      expect(s10k!).toBeLessThanOrEqual(11 * s1k!);
      expect(s100k!).toBeLessThanOrEqual(110 * s1k!);
    });
  }

  it('runs admins\' patterns with a linear-time engine, and refuses what it cannot run', () => {
    // Catastrophic for a backtracking engine: (a+)+$ on a long run of "a" with a "!" at the end.
    const slow = new PhiGuard({ rules: [{ id: 1, kind: 'pattern', value: '(a+)+$', label: 'nested', created_by: 'admin', created_at: '' }] });
    expect(slow.scan({ body: `${'a'.repeat(50_000)}!` })).toEqual([]);
    expect(patternProblem('(a)\\1')).toMatch(/without backreferences/);
    expect(patternProblem('(?<=MRN )\\d+')).toMatch(/without backreferences or look-around/);
    expect(patternProblem('\\bACCT\\d{6}\\b')).toBeNull();
    // Configured MRN patterns are checked the same way when the server starts.
    expect(() => loadConfig({ WHYWIKI_PHI_MRN_PATTERNS: '(?<=MRN)\\d{8}' })).toThrow(/WHYWIKI_PHI_MRN_PATTERNS.*look-around/);
    expect(loadConfig({ WHYWIKI_PHI_MRN_PATTERNS: '\\bE\\d{7}\\b' }).mrnPatterns).toEqual(['\\bE\\d{7}\\b']);
  });

  it('refuses a backreference pattern on the admin screen, saying why', async () => {
    const t = await testApp();
    try {
      const b = new Browser(t.app);
      await b.signIn('admin');
      await b.get('/admin/phi');
      const res = await b.post('/admin/phi/rules', { kind: 'pattern', value: '(\\d)\\1{5}', label: 'repeats' });
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(/without backreferences or look-around/);
      expect(t.store.phiRules.active()).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe('the PHI guard is built from the written lists of forms and vocabulary', () => {
  const guard = new PhiGuard();
  for (const f of PHI_FORMS) {
    it(`refuses ${f.kind}: ${f.form}`, () => {
      const hits = guard.scan({ body: `Intro line\n${f.example}` });
      expect(hits.map((h) => h.kind), f.example).toContain(f.kind);
      expect(hits.find((h) => h.kind === f.kind)!.line).toBe(2);
      expect(hits.find((h) => h.kind === f.kind)!.excerpt, 'the excerpt does not repeat the identifier').not.toMatch(/\d{3}|[٠-٩]{3}|[０-９]{3}/u);
    });
  }
  it('accepts every Epic and Workday phrase that starts with "Patient", alone and in sentences', () => {
    for (const v of PATIENT_VOCABULARY) {
      for (const text of [
        v,
        `Open ${v} in Hyperspace before the 2024-03-18 go-live.`,
        `## ${v} build notes`,
        `| ${v} | Live | CHG0012345 |`,
        `The ${v.toLowerCase()} change went in under CHG0012345; see BPA 1900231.`,
      ]) {
        expect(guard.scan({ body: text }), text).toEqual([]);
      }
    }
  });
  it('reads Unicode digits and dashes, and reports lines of the original text', () => {
    const text = 'ｆｉｒｓｔ line with fullwidth letters\nsecond\nSSN ١٢٣–٤٥–٦٧٨٩ here';
    expect(guard.scan({ body: text })).toMatchObject([{ line: 3, kind: 'Social Security number', excerpt: 'SSN •••–••–••••' }]);
    // Invisible characters cannot split a number apart.
    expect(guard.scan({ body: 'MRN 004\u200B82913' })[0]?.kind).toBe('medical record number');
  });
  it('lets Epic test patients, font sizes and therapy notes through', () => {
    for (const text of [
      'Patient Zztest Adult was used in TST.', 'Patient: ZZTEST,ADULT', 'Use 12 pt Arial Narrow.', 'PT Evaluation Note template', 'For each patient, Nursing Leadership reviews the list.',
      'The patient is Spanish-speaking.', 'Patient Name Change requires HIM review.', 'Protect   pt          Security Safeguards a resource',
      'The interface sends PID-3 with MRN and PID-7 with DOB; MRN length is 8 digits.', 'Medical record retention is 10 years.', 'Born in 1962 is a year, not a date.',
    ]) {
      expect(guard.scan({ body: text }), text).toEqual([]);
    }
  });
});

describe('every save is guarded', () => {
  let t: TestApp;
  beforeAll(async () => { t = await testApp(); });
  afterAll(async () => { await t.close(); });

  it('refuses a form save with the field, line and kind, and hands back every word typed', async () => {
    const b = new Browser(t.app);
    await b.signIn('editor');
    await b.get('/new');
    const body = 'Context line\nThe patient John Smith was double-booked.\nMore text the analyst wrote.';
    const res = await b.post('/new', { ...sampleFrontMatter, owners: 'mreyes', tickets: '', records: '', title: 'Double booking fix', why: 'Clinic templates overlapped; see DOB 03/14/1962 case.', body });
    expect(res.statusCode).toBe(422);
    expect(res.body).toMatch(/line 2: patient name/);
    expect(res.body).toMatch(/line 1: date of birth/);
    expect(res.body).toContain('More text the analyst wrote.');
    expect(res.body).toContain('Clinic templates overlapped');
    expect(res.body).not.toContain('Save anyway'); // not an admin
    expect(t.store.pages.count()).toBe(0);
  });

  it('refuses API writes, and summaries and titles too', async () => {
    const token = tokenFor(t.store, 'editor');
    const res = await t.app.inject({ method: 'POST', url: '/api/pages', headers: { authorization: `Bearer ${token}` }, payload: { ...sampleFrontMatter, title: 'Callback for 123-45-6789', body: 'ok' } });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toMatchObject({ field: 'title', errors: [{ field: 'title' }] });
    expect(res.json().message).toMatch(/Social Security number/);
    const ok = await t.app.inject({ method: 'POST', url: '/api/pages', headers: { authorization: `Bearer ${token}` }, payload: { ...sampleFrontMatter, slug: 'clean', body: CLEAN.join('\n') } });
    expect(ok.statusCode).toBe(201);
    const summary = await t.app.inject({ method: 'PUT', url: '/api/pages/clean', headers: { authorization: `Bearer ${token}` }, payload: { ...sampleFrontMatter, body: 'changed', summary: 'Fixed for MRN 00482913', base_version: 1 } });
    expect(summary.statusCode).toBe(422);
    expect(summary.json().field).toBe('summary');
  });

  it('lets only an admin override, with a reason that lands in the audit event', async () => {
    const editor = tokenFor(t.store, 'editor');
    const admin = tokenFor(t.store, 'admin');
    const payload = { ...sampleFrontMatter, slug: 'help-desk', body: 'Call the service desk at (608) 555-0100.', phi_override_reason: 'Published service desk number' };
    expect((await t.app.inject({ method: 'POST', url: '/api/pages', headers: { authorization: `Bearer ${editor}` }, payload })).statusCode).toBe(403);
    const res = await t.app.inject({ method: 'POST', url: '/api/pages', headers: { authorization: `Bearer ${admin}` }, payload });
    expect(res.statusCode).toBe(201);
    const event = t.store.unsafeDatabaseForTests().prepare("SELECT actor, details FROM audit_events WHERE action = 'page.created' AND target = 'help-desk'").get() as { actor: string; details: string };
    expect(event.actor).toBe('admin');
    expect(JSON.parse(event.details).phi_override).toEqual({ reason: 'Published service desk number', kinds: ['phone number'] });
  });

  it('lets admins add patterns and allowed terms in the UI, audited', async () => {
    const b = new Browser(t.app);
    await b.signIn('admin');
    await b.get('/admin/phi');
    expect((await b.post('/admin/phi/rules', { kind: 'pattern', value: '([a-z', label: 'broken' })).statusCode).toBe(400);
    expect((await b.post('/admin/phi/rules', { kind: 'pattern', value: '\\bACCT\\d{6}\\b', label: 'Hospital account' })).statusCode).toBe(200);
    const token = tokenFor(t.store, 'editor');
    const res = await t.app.inject({ method: 'POST', url: '/api/pages', headers: { authorization: `Bearer ${token}` }, payload: { ...sampleFrontMatter, slug: 'acct', body: 'Seen on ACCT123456' } });
    expect(res.statusCode).toBe(422);
    expect(res.json().message).toMatch(/Hospital account/);
    expect(t.store.unsafeDatabaseForTests().prepare("SELECT count(*) FROM audit_events WHERE action = 'phi.rule_added'").pluck().get()).toBe(1);
  });

  it('reports imported files with PHI and imports the rest', () => {
    const dir = tempDir();
    const page = (title: string, body: string) => `---\ntitle: ${title}\nwhy: Needed for the clinic.\nowners: [mreyes]\nsystem: Epic\nstatus: live\n---\n${body}\n`;
    fs.writeFileSync(path.join(dir, 'clean-import.md'), page('Clean import', 'Nothing sensitive, go-live 2024-03-18.'));
    fs.writeFileSync(path.join(dir, 'leaky-import.md'), page('Leaky import', 'Line one\nTested on MRN 00482913.'));
    const r = importPages(t.store, { systems: t.app.config.systems, maxBodyBytes: 1 << 20, phi: phiGuardFor(t.store, []) }, readFolder(dir, 1 << 20));
    expect(r).toMatchObject({ created: 1, failed: 1 });
    expect(r.problems[0]).toMatchObject({ file: 'leaky-import.md', field: 'body' });
    expect(r.problems[0]!.reason).toMatch(/line 2: medical record number/);
    expect(t.store.pages.head('leaky-import')).toBeUndefined();
  });
});

describe('every stored free text goes through the guard', () => {
  let t: TestApp;
  let admin: Record<string, string>;
  let b: Browser;
  // A multi-line text with patient information on its second line: the finding names that line.
  const LEAK = 'Routine clean-up after the upgrade\nCalled patient John Smith about MRN 00482913';
  const stored = () => ({
    events: t.store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM audit_events').pluck().get(),
    versions: t.store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM page_versions').pluck().get(),
    parties: t.store.unsafeDatabaseForTests().prepare('SELECT group_concat(handle || name || coalesce(title, \'\') || status || coalesce(departure_reason, \'\')) FROM parties').pluck().get(),
    tokens: t.store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM api_tokens').pluck().get(),
  });

  beforeAll(async () => {
    t = await testApp();
    admin = { authorization: `Bearer ${tokenFor(t.store, 'admin')}` };
    const ctx = { store: t.store, systems: t.app.config.systems, maxBodyBytes: 1 << 20, actor: { username: 'mreyes' } };
    const { createPage, setArchived } = await import('../../server/pages/commands.js');
    createPage(ctx, { slug: 'live-page', frontMatter: { ...sampleFrontMatter, owners: ['dokafor'] }, body: 'v1' });
    createPage(ctx, { slug: 'archived-page', frontMatter: { ...sampleFrontMatter }, body: 'v1' });
    setArchived(ctx, { slug: 'archived-page', archived: true, summary: 'Replaced' });
    b = new Browser(t.app);
    await b.signIn('admin');
    await b.get('/p/live-page');
  });
  afterAll(async () => { await t.close(); });

  const API: [string, 'POST' | 'PATCH', string, Record<string, unknown>, string, number][] = [
    ['archive summary', 'POST', '/api/pages/live-page/archive', { summary: LEAK }, 'summary', 2],
    ['unarchive summary', 'POST', '/api/pages/archived-page/unarchive', { summary: LEAK }, 'summary', 2],
    ['restore summary', 'POST', '/api/pages/live-page/restore', { version: 1, summary: LEAK }, 'summary', 2],
    ['review note', 'POST', '/api/pages/live-page/review', { note: LEAK }, 'note', 2],
    ['status reason', 'POST', '/api/pages/live-page/status', { status: 'retired', reason: LEAK }, 'reason', 2],
    ['person name', 'POST', '/api/people', { handle: 'jroe', name: 'Jane Roe DOB 01/02/1980' }, 'name', 1],
    ['person title', 'POST', '/api/people', { handle: 'jroe', name: 'Jane Roe', title: 'Analyst for MRN 00482913' }, 'title', 1],
    ['person edit', 'PATCH', '/api/people/mreyes', { title: 'Seen by patient: Smith, John' }, 'title', 1],
    ['departure reason', 'POST', '/api/people/dokafor/depart', { date: '2026-10-30', reason: LEAK }, 'reason', 2],
    ['team name', 'POST', '/api/teams', { handle: 'new-team', name: 'Team for SSN 123-45-6789' }, 'name', 1],
    ['team edit', 'PATCH', '/api/teams/epic-clindoc', { name: 'Clindoc (608) 555-0142' }, 'name', 1],
    ['reassignment reason', 'POST', '/api/reassign', { from: 'dokafor', to: 'mreyes', summary: LEAK }, 'summary', 2],
  ];
  for (const [what, method, url, payload, field, line] of API) {
    it(`refuses PHI in the ${what} (API), naming field, line and kind, storing nothing`, async () => {
      const before = stored();
      const res = await t.app.inject({ method, url, payload, headers: admin });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json()).toMatchObject({ field, errors: [{ field }] });
      expect(res.json().message).toMatch(new RegExp(`line ${line}: (patient name|medical record number|date of birth|Social Security number|phone number)`));
      expect(stored()).toEqual(before);
    });
  }

  const FORMS: [string, string, Record<string, string>, string, number][] = [
    ['archive summary', '/p/live-page/archive', { summary: LEAK }, 'Called patient John Smith', 2],
    ['unarchive summary', '/p/archived-page/unarchive', { summary: LEAK }, 'Called patient John Smith', 2],
    ['restore summary', '/p/live-page/restore', { version: '1', summary: LEAK }, 'Called patient John Smith', 2],
    ['review note', '/p/live-page/review', { note: LEAK }, 'Called patient John Smith', 2],
    ['status reason', '/p/live-page/status', { status: 'retired', reason: LEAK }, 'Called patient John Smith', 2],
    ['person form', '/people/new', { handle: 'jroe', name: 'Jane Roe', title: 'Analyst for MRN 00482913' }, 'Analyst for MRN 00482913', 1],
    ['person edit form', '/people/mreyes/edit', { name: 'Maria Reyes', title: 'Seen by patient: Smith, John' }, 'Seen by patient: Smith, John', 1],
    ['departure form', '/people/dokafor/depart', { date: '2026-10-30', reason: LEAK }, 'Called patient John Smith', 2],
    ['reassignment form', '/people/dokafor/reassign', { 'to:live-page': 'mreyes', summary: LEAK }, 'Called patient John Smith', 2],
    ['team form', '/teams/new', { handle: 'new-team', name: 'Team for SSN 123-45-6789' }, 'Team for SSN 123-45-6789', 1],
    ['team edit form', '/teams/epic-clindoc/edit', { name: 'Clindoc (608) 555-0142', members: '' }, 'Clindoc (608) 555-0142', 1],
    ['API token label', '/admin/users/editor/tokens', { label: 'Feed for MRN 00482913' }, 'Feed for MRN 00482913', 1],
  ];
  for (const [what, url, form, typed, line] of FORMS) {
    it(`refuses PHI in the ${what} (form), hands the text back and stores nothing`, async () => {
      const before = stored();
      const res = await b.post(url, form);
      expect(res.statusCode, res.body.slice(0, 2000)).toBe(422);
      expect(res.body).toMatch(new RegExp(`line ${line}: (patient name|medical record number|date of birth|Social Security number|phone number)`));
      expect(res.body).toContain(typed.replace(/'/g, '&#x27;'));
      expect(stored()).toEqual(before);
    });
  }

  it('still stores clean text on the same paths', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/pages/live-page/review', payload: { note: 'Checked against the Patient Station build on 2024-03-18.' }, headers: admin });
    expect(res.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/teams', payload: { handle: 'patient-access', name: 'Patient Access Services' }, headers: admin })).statusCode).toBe(201);
  });
});

describe('admin patterns stored before they ran on RE2', () => {
  it('are named on the admin screen as not in use, with the reason', async () => {
    const t = await testApp();
    try {
      t.store.phiRules.insert({ kind: 'pattern', value: '(?<=ACCT)\\d{6}', label: 'old lookbehind', created_by: 'admin', created_at: new Date().toISOString() });
      const b = new Browser(t.app);
      await b.signIn('admin');
      const res = await b.get('/admin/phi');
      expect(res.body).toMatch(/old lookbehind.*Not in use: This pattern cannot be used/s);
    } finally {
      await t.close();
    }
  });
});
