import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandContext, sampleFrontMatter, tempDir, testStore } from '../helpers.js';
import { createPage, savePage, setArchived, changeStatus } from '../../server/pages/commands.js';
import { markReviewed } from '../../server/pages/commands/mark-reviewed.js';
import { departPerson } from '../../server/people/commands/depart-person.js';
import { exportStore } from '../../server/transfer/export.js';
import { importPages, readFolder, ImportError } from '../../server/transfer/import.js';
import { readGitHistory } from '../../server/transfer/git.js';
import { getCurrentPage } from '../../server/pages/queries.js';
import { verifyStore } from '../../server/audit/verify.js';
import { openStore } from '../../server/setup.js';
import type { Store } from '../../server/store/index.js';
import { ADR_TOOLS, LOG4BRAINS, MADR, writeFiles } from './adr-fixtures.js';

const rules = { systems: ['Epic', 'Workday', 'Interfaces', 'Infrastructure'], maxBodyBytes: 64 * 1024 };
const importDir = (store: Store, dir: string, defaults: Record<string, string> = {}) => importPages(store, rules, { ...readFolder(dir, rules.maxBodyBytes), root: dir }, { defaults });
const hashes = (store: Store) => store.unsafeDatabaseForTests().prepare('SELECT slug, version, hash, prev_hash, author, created_at, summary, archived FROM page_versions ORDER BY slug, version').all();

describe('export and import', () => {
  it('round-trips a wiki into an empty store with the same versions and hashes, people, departures and reviews', () => {
    const { store } = testStore();
    const ctx = commandContext(store, 'mreyes', { at: new Date('2025-01-02T03:04:05.678Z') });
    createPage(ctx, { slug: 'old-nav', frontMatter: { ...sampleFrontMatter, title: 'Old navigator' }, body: 'v1' });
    createPage({ ...ctx, actor: { username: 'dokafor' } }, { slug: 'new-nav', frontMatter: { ...sampleFrontMatter, title: 'New navigator', supersedes: ['old-nav'] }, body: 'See [[old-nav]].\n\n```\ncode\n```\n' });
    savePage({ ...ctx, at: new Date('2025-02-01T00:00:00Z') }, { slug: 'new-nav', frontMatter: { ...sampleFrontMatter, title: 'New navigator', supersedes: ['old-nav'], review_every: '6m' }, body: 'Edited body', summary: 'Tightened wording', baseVersion: 1 });
    createPage(ctx, { slug: 'gone', frontMatter: { ...sampleFrontMatter, title: 'Gone page' }, body: 'x' });
    setArchived({ ...ctx, at: new Date('2025-03-01T00:00:00Z') }, { slug: 'gone', archived: true, summary: 'No longer used' });
    changeStatus({ ...ctx, at: new Date('2025-04-01T00:00:00Z') }, { slug: 'new-nav', status: 'retired', reason: 'Decommissioned' });
    markReviewed({ ...ctx, at: new Date('2025-02-15T00:00:00Z') }, { slug: 'old-nav', note: 'Checked' });
    departPerson({ store, actor: { username: 'admin' } }, { handle: 'dokafor', date: '2025-05-01', successor: 'mreyes', reason: 'Left', today: '2025-05-01' });

    const out = path.join(tempDir(), 'export');
    const exported = exportStore(store, out);
    expect(exported).toMatchObject({ pages: 3, versions: 7 });
    expect(fs.readFileSync(path.join(out, 'history', 'new-nav', 'versions.yaml'), 'utf8')).toContain('summary: Tightened wording');

    const { store: empty } = { store: openStore(tempDir()) };
    const r = importDir(empty, out);
    expect(r).toMatchObject({ created: 3, updated: 0, unchanged: 0, failed: 0, versions: 7, problems: [] });
    expect(hashes(empty)).toEqual(hashes(store));
    expect(empty.parties.get('dokafor')).toMatchObject({ status: 'departed', departed_on: '2025-05-01', successor: 'mreyes' });
    expect(empty.pages.head('old-nav')!.last_reviewed_at).toBe('2025-02-15T00:00:00.000Z');
    expect(empty.pages.head('gone')!.archived).toBe(1);
    expect(verifyStore(empty).break).toBeNull();

    // Importing the same folder again changes nothing.
    const events = empty.unsafeDatabaseForTests().prepare("SELECT count(*) FROM audit_events WHERE action != 'import.made'").pluck();
    const before = events.get();
    expect(importDir(empty, out)).toMatchObject({ created: 0, updated: 0, unchanged: 3, failed: 0, versions: 0 });
    expect(events.get()).toBe(before);
    expect(hashes(empty)).toEqual(hashes(store));

    // A later version at the source appends to the imported page; a page that changed here is refused whole.
    const v = getCurrentPage(store, 'old-nav');
    savePage({ ...ctx, at: new Date('2025-06-01T00:00:00Z') }, { slug: 'old-nav', frontMatter: { ...v.frontMatter }, body: 'v3 at the source', summary: 'Source edit', baseVersion: v.version });
    const n = getCurrentPage(empty, 'new-nav');
    savePage(commandContext(empty, 'mreyes'), { slug: 'new-nav', frontMatter: { ...n.frontMatter }, body: 'edited here', summary: 'Local edit', baseVersion: n.version });
    const out2 = path.join(tempDir(), 'export2');
    exportStore(store, out2);
    const again = importDir(empty, out2);
    expect(again).toMatchObject({ created: 0, updated: 1, unchanged: 1, failed: 1, versions: 1 });
    expect(again.problems).toEqual([{ file: 'pages/new-nav.md', field: 'version', reason: expect.stringContaining('changed here since the export') }]);
    expect(getCurrentPage(empty, 'old-nav')).toMatchObject({ body: 'v3 at the source', hash: getCurrentPage(store, 'old-nav').hash });
  }, 30_000);

  it('reports each bad file with its field and reason, imports the rest, and writes nothing half', () => {
    const { store } = testStore();
    const dir = writeFiles(tempDir(), {
      'good.md': `---\ntitle: A good page\nwhy: Because it is needed.\nowners: [mreyes]\nsystem: Epic\n---\nBody.\n`,
      'nested/also-good.md': `---\ntitle: Nested page\nwhy: Also needed.\nowners: [mreyes]\nsystem: Workday\n---\nBody.\n`,
      'latin1.md': Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x3a, 0x20, 0xe9, 0x0a, 0x2d, 0x2d, 0x2d, 0x0a]),
      'bad-yaml.md': `---\ntitle: [unclosed\n---\nBody\n`,
      'no-why.md': `---\ntitle: Missing why\nowners: [mreyes]\nsystem: Epic\n---\nBody\n`,
      'ghost-owner.md': `---\ntitle: Ghost owner\nwhy: x\nowners: [ghost]\nsystem: Epic\n---\nBody\n`,
      'huge.md': `---\ntitle: Huge\nwhy: x\nowners: [mreyes]\nsystem: Epic\n---\n${'x'.repeat(200 * 1024)}`,
    });
    const r = importDir(store, dir);
    expect(r).toMatchObject({ created: 2, failed: 5 });
    const byFile = Object.fromEntries(r.problems.map((p) => [p.file, `${p.field}: ${p.reason}`]));
    expect(byFile['latin1.md']).toMatch(/^file: the file is not UTF-8 text/);
    expect(byFile['bad-yaml.md']).toMatch(/^front_matter: the front matter is not valid YAML/);
    expect(byFile['no-why.md']).toMatch(/^why: Why is required.*pass --default why=/);
    expect(byFile['ghost-owner.md']).toMatch(/^owners: unknown owner ghost/);
    expect(byFile['huge.md']).toMatch(/^file: the file is \d+ KiB, over the limit/);
    expect(store.pages.head('no-why')).toBeUndefined();
    // The slug comes from the file name alone, as for decision records kept in docs/adr/.
    expect(store.pages.head('also-good')).toBeDefined();
    expect(store.pages.head('nested-also-good')).toBeUndefined();
    expect(() => importDir(store, path.join(dir, 'missing'))).toThrow(ImportError);
    expect(() => importDir(store, path.join(dir, 'missing'))).toThrow(/does not exist/);
  });
});

/** A page whose front matter, were it run as JavaScript, would write `marker`. */
const codeFrontMatter = (tag: string, marker: string) => `---${tag}\n{ title: require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran') || 'Code ran' }\n---\nBody\n`;
const plainPage = (title: string) => `---\ntitle: ${title}\nwhy: Because it is needed.\nowners: [mreyes]\nsystem: Epic\n---\nBody.\n`;

describe('front matter is read, never run', () => {
  it('refuses code front matter file by file, naming its language, and imports the rest', () => {
    const { store } = testStore();
    const marker = path.join(tempDir(), 'ran');
    const dir = writeFiles(tempDir(), {
      'good.md': plainPage('A good page'),
      'tagged.md': `---yaml\ntitle: Tagged YAML\nwhy: Allowed.\nowners: [mreyes]\nsystem: Epic\n---\nBody.\n`,
      'windows.md': `\uFEFF---\r\ntitle: Saved on Windows\r\nwhy: Allowed.\r\nowners: [mreyes]\r\nsystem: Epic\r\n---\r\nBody.\r\n`,
      'evil-js.md': codeFrontMatter('js', marker),
      'evil-javascript.md': codeFrontMatter('javascript', marker),
      'yaml-function.md': `---\ntitle: !!js/function "function () { return 1 }"\nwhy: x\nowners: [mreyes]\nsystem: Epic\n---\n`,
      'unclosed.md': `---\ntitle: Never closed\nwhy: x\n`,
    });
    const r = importDir(store, dir);
    expect(fs.existsSync(marker)).toBe(false);
    expect(r).toMatchObject({ created: 3, failed: 4 });
    const byFile = Object.fromEntries(r.problems.map((p) => [p.file, `${p.field}: ${p.reason}`]));
    expect(byFile).toEqual({
      'evil-js.md': 'front_matter: the front matter is marked "js"; only YAML front matter is read, and "js" front matter is refused, not run',
      'evil-javascript.md': 'front_matter: the front matter is marked "javascript"; only YAML front matter is read, and "javascript" front matter is refused, not run',
      'yaml-function.md': expect.stringMatching(/^front_matter: the front matter is not valid YAML: the tag tag:yaml\.org,2002:js\/function is not allowed/),
      'unclosed.md': expect.stringMatching(/^front_matter: the front matter opened by "---" on the first line is never closed/),
    });
    expect(getCurrentPage(store, 'windows')).toMatchObject({ frontMatter: { title: 'Saved on Windows' }, body: 'Body.\n' });
    expect(getCurrentPage(store, 'tagged').frontMatter.title).toBe('Tagged YAML');
  });

  it('refuses code front matter in a git history too, and imports the other pages', () => {
    const repo = tempDir();
    const marker = path.join(tempDir(), 'ran');
    const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: repo, GIT_AUTHOR_NAME: 'Maria Reyes', GIT_AUTHOR_EMAIL: 'mreyes@example-health.org', GIT_COMMITTER_NAME: 'Maria Reyes', GIT_COMMITTER_EMAIL: 'mreyes@example-health.org' };
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { env, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    writeFiles(repo, { 'docs/good.md': plainPage('A good page'), 'docs/evil.md': codeFrontMatter('js', marker) });
    git('add', '-A');
    git('commit', '-q', '-m', 'Add pages');
    const { store } = testStore();
    const source = readGitHistory(store, repo, 'docs/', rules.maxBodyBytes);
    const r = importPages(store, rules, source);
    expect(fs.existsSync(marker)).toBe(false);
    expect(r).toMatchObject({ created: 1, failed: 1 });
    expect(r.problems).toEqual([{ file: expect.stringMatching(/^docs\/evil\.md@[0-9a-f]{10}$/), field: 'front_matter', reason: expect.stringContaining('the front matter is marked "js"') }]);
    expect(store.pages.head('good')).toBeDefined();
  });
});

describe('symbolic links', () => {
  it('reads nothing a link leads to outside the folder, does not loop, and reports each link skipped', () => {
    const { store } = testStore();
    const outside = writeFiles(tempDir(), {
      'secret.md': plainPage('Outside the folder'),
      'people.yaml': 'people:\n  - handle: intruder\n    name: Not Invited\n',
    });
    const dir = writeFiles(tempDir(), { 'good.md': plainPage('A good page'), 'docs/inside.md': plainPage('Inside') });
    fs.symlinkSync('/etc/passwd', path.join(dir, 'passwd.md'));
    fs.symlinkSync(path.join(outside, 'secret.md'), path.join(dir, 'secret.md'));
    fs.symlinkSync(outside, path.join(dir, 'elsewhere'));
    fs.symlinkSync(path.join(outside, 'people.yaml'), path.join(dir, 'people.yaml'));
    fs.symlinkSync('..', path.join(dir, 'docs', 'loop'));
    fs.symlinkSync('b.md', path.join(dir, 'a.md'));
    fs.symlinkSync('a.md', path.join(dir, 'b.md'));
    fs.symlinkSync(path.join('docs', 'inside.md'), path.join(dir, 'linked-inside.md'));
    const r = importDir(store, dir);
    const skipped = 'skipped: symbolic link to outside the folder';
    const unresolved = 'skipped: symbolic link that does not resolve (a link loop or a missing target)';
    expect(r.problems).toEqual([
      { file: 'a.md', field: 'file', reason: unresolved },
      { file: 'b.md', field: 'file', reason: unresolved },
      { file: 'elsewhere', field: 'file', reason: skipped },
      { file: 'passwd.md', field: 'file', reason: skipped },
      { file: 'secret.md', field: 'file', reason: skipped },
      { file: 'people.yaml', field: 'file', reason: skipped },
    ]);
    expect(r).toMatchObject({ created: 3, failed: 5, people: 0 });
    expect(store.pages.allCurrent().map((p) => p.slug).sort()).toEqual(['good', 'inside', 'linked-inside']);
    expect(store.parties.get('intruder')).toBeUndefined();
  });
});

describe('decision records', () => {
  it('reads a MADR folder: status, date, deciders by name, technical story tickets, context as the why, supersession both ways', () => {
    const { store } = testStore();
    store.parties.insert({ handle: 'sokonkwo', kind: 'person', name: 'Sarah Okonkwo', title: null, email: null, status: 'active', departed_on: null, created_at: new Date().toISOString() });
    store.parties.insert({ handle: 'bkowalski', kind: 'person', name: 'Ben Kowalski', title: null, email: null, status: 'active', departed_on: null, created_at: new Date().toISOString() });
    const r = importDir(store, writeFiles(tempDir(), MADR), { system: 'Interfaces' });
    expect(r).toMatchObject({ created: 2, failed: 0, formats: { madr: 2 } });
    const one = getCurrentPage(store, '0001-use-rhapsody-for-adt-routing');
    expect(one.frontMatter).toMatchObject({ title: '0001. Use Rhapsody for ADT routing', status: 'superseded', go_live: '2021-03-04', owners: ['sokonkwo', 'bkowalski'], tickets: ['CHG0031001'], system: 'Interfaces', superseded_by: ['0002-route-adt-through-the-cloud-engine'] });
    expect(one.frontMatter.why).toContain('Twelve downstream systems');
    expect(one.body).toContain('## Considered Options');
    expect(one.body).toContain('## Not a section: this heading is inside a code block');
    const two = getCurrentPage(store, '0002-route-adt-through-the-cloud-engine');
    expect(two.frontMatter).toMatchObject({ status: 'live', go_live: '2025-06-30', owners: ['sokonkwo'], supersedes: ['0001-use-rhapsody-for-adt-routing'] });
    // Importing again changes nothing.
    expect(importDir(store, writeFiles(tempDir(), MADR), { system: 'Interfaces' })).toMatchObject({ created: 0, updated: 0, unchanged: 2, failed: 0 });
  });

  it('reads a log4brains folder, with tags and a ticket from the technical story, and asks for a system the files lack', () => {
    const { store } = testStore();
    store.parties.insert({ handle: 'hito', kind: 'person', name: 'Hiro Ito', title: null, email: null, status: 'active', departed_on: null, created_at: new Date().toISOString() });
    const dir = writeFiles(tempDir(), LOG4BRAINS);
    const without = importDir(store, dir);
    expect(without).toMatchObject({ created: 0, failed: 2 });
    expect(without.problems[0]).toMatchObject({ field: 'system', reason: expect.stringContaining('pass --default system=<value>') });
    const r = importDir(store, dir, { system: 'Infrastructure' });
    expect(r).toMatchObject({ created: 2, failed: 0, formats: { log4brains: 2 } });
    expect(getCurrentPage(store, '20240110-badge-tap-for-shared-workstations').frontMatter).toMatchObject({ title: 'Badge tap for shared workstations', status: 'live', go_live: '2024-01-10', owners: ['hito'], tags: ['sso', 'imprivata'], tickets: ['RITM0104455'] });
    expect(getCurrentPage(store, '20240301-draft-biometric-sign-in').frontMatter.status).toBe('proposed');
  });

  it('reads an adr-tools folder with --default owners, numbered titles, and "Supersedes" linking both records', () => {
    const { store } = testStore();
    const r = importDir(store, writeFiles(tempDir(), ADR_TOOLS), { system: 'Interfaces', owners: 'mreyes,epic-clindoc' });
    expect(r).toMatchObject({ created: 3, failed: 0, formats: { 'adr-tools': 3 } });
    const two = getCurrentPage(store, '0002-filter-a08-updates');
    expect(two.frontMatter).toMatchObject({ title: '2. Filter A08 updates', status: 'live', go_live: '2024-09-12', owners: ['mreyes', 'epic-clindoc'], supersedes: ['0003-forward-every-a08'] });
    expect(two.frontMatter.why).toBe('Downstream systems were flooded with A08 messages that changed nothing they use.');
    expect(two.body).toMatch(/^## Decision\n\nFilter A08 messages/);
    // The record that was superseded learns it, although its own file does not say so.
    expect(getCurrentPage(store, '0003-forward-every-a08').frontMatter).toMatchObject({ status: 'superseded', superseded_by: ['0002-filter-a08-updates'] });
    expect(importDir(store, writeFiles(tempDir(), ADR_TOOLS), { system: 'Interfaces', owners: 'mreyes,epic-clindoc' })).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
  });
});

describe('import --git', () => {
  it('turns each commit that touched a file into a version with its author, date and message; again changes nothing', () => {
    const repo = tempDir();
    const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: repo };
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { env, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    const commit = (who: [string, string], date: string, message: string, files: Record<string, string | null>) => {
      for (const [f, text] of Object.entries(files)) {
        if (text === null) fs.rmSync(path.join(repo, f));
        else writeFiles(repo, { [f]: text });
      }
      git('add', '-A');
      execFileSync('git', ['-C', repo, 'commit', '-q', '-m', message], { env: { ...env, GIT_AUTHOR_NAME: who[0], GIT_AUTHOR_EMAIL: who[1], GIT_AUTHOR_DATE: date, GIT_COMMITTER_NAME: who[0], GIT_COMMITTER_EMAIL: who[1], GIT_COMMITTER_DATE: date } });
    };
    const page = (why: string, body: string) => `---
title: Lab results routing
why: ${why}
owners: [mreyes]
system: Interfaces
---
${body}
`;
    const maria: [string, string] = ['Maria Reyes', 'mreyes@example-health.org'];
    const outsider: [string, string] = ['Pat Contractor', 'pat@vendor.example'];
    commit(maria, '2024-01-05T10:00:00Z', 'Add lab routing doc', { 'docs/lab-results-routing.md': page('Results went to the wrong inbox.', 'v1'), 'README.md': '# repo' });
    commit(outsider, '2024-02-06T11:00:00Z', 'Document the Beaker exception\n\nCHG0050001', { 'docs/lab-results-routing.md': page('Results went to the wrong inbox.', 'v2 with Beaker') });
    commit(maria, '2024-03-07T12:00:00Z', 'Unrelated change', { 'src/app.txt': 'code' });
    commit(maria, '2024-04-08T13:00:00Z', 'Add retired doc', { 'docs/old-feed.md': page('Old feed.', 'old') });
    commit(maria, '2024-05-09T14:00:00Z', 'Remove the old feed doc', { 'docs/old-feed.md': null });

    const { store } = testStore();
    const source = readGitHistory(store, repo, 'docs/', rules.maxBodyBytes);
    const r = importPages(store, rules, source);
    expect(r.problems).toEqual([]);
    expect({ created: r.created, failed: r.failed, versions: r.versions }).toEqual({ created: 2, failed: 0, versions: 4 });
    const versions = store.unsafeDatabaseForTests().prepare("SELECT version, author, created_at, summary, archived FROM page_versions WHERE slug = 'lab-results-routing' ORDER BY version").all();
    expect(versions).toEqual([
      { version: 1, author: 'mreyes', created_at: '2024-01-05T10:00:00.000Z', summary: 'Add lab routing doc', archived: 0 },
      { version: 2, author: 'Pat Contractor', created_at: '2024-02-06T11:00:00.000Z', summary: 'Document the Beaker exception\n\nCHG0050001', archived: 0 },
    ]);
    expect(store.pages.head('old-feed')).toMatchObject({ archived: 1, current_version: 2 });
    expect(importPages(store, rules, readGitHistory(store, repo, 'docs/', rules.maxBodyBytes))).toMatchObject({ created: 0, updated: 0, unchanged: 2, versions: 0 });
    expect(() => readGitHistory(store, tempDir(), undefined, rules.maxBodyBytes)).toThrow(/is not a git repository/);
  });
});
