import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tempDir, testStore } from '../helpers.js';
import { importPages, readFolder } from '../../server/transfer/import.js';
import { readGitHistory } from '../../server/transfer/git.js';
import { importGit } from '../../server/transfer/source.js';
import sharp from 'sharp';
import { exportStore } from '../../server/transfer/export.js';
import { getCurrentPage } from '../../server/pages/queries.js';
import { needsSeeding } from '../../server/seed.js';
import { openStore } from '../../server/setup.js';
import { verifyStore } from '../../server/audit/verify.js';
import type { Store } from '../../server/store/index.js';
import { writeFiles } from './adr-fixtures.js';

const rules = { systems: ['Epic', 'Workday', 'Interfaces', 'Infrastructure'], maxBodyBytes: 64 * 1024 };
const importDir = (store: Store, dir: string, defaults: Record<string, string> = {}, options: { statusMap?: Record<string, string>; createPeople?: boolean; dryRun?: boolean } = {}) =>
  importPages(store, rules, { ...readFolder(dir, rules.maxBodyBytes, { statusMap: options.statusMap }), root: dir }, { defaults, createPeople: options.createPeople, dryRun: options.dryRun });
const notesOf = (r: { notes: { file: string; reason: string }[] }, file: string) => r.notes.filter((n) => n.file === file).map((n) => n.reason).join('\n');

/** A git repository the test writes commit by commit, with an author and a date for each. */
function gitRepo() {
  const repo = tempDir();
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: repo };
  const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { env, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  const commit = (who: [string, string], date: string, message: string, files: Record<string, string | null>, before?: () => void) => {
    before?.();
    for (const [f, text] of Object.entries(files)) {
      if (text === null) fs.rmSync(path.join(repo, f));
      else writeFiles(repo, { [f]: text });
    }
    git('add', '-A');
    execFileSync('git', ['-C', repo, 'commit', '-q', '-m', message], { env: { ...env, GIT_AUTHOR_NAME: who[0], GIT_AUTHOR_EMAIL: who[1], GIT_AUTHOR_DATE: date, GIT_COMMITTER_NAME: who[0], GIT_COMMITTER_EMAIL: who[1], GIT_COMMITTER_DATE: date } });
  };
  return { repo, git, commit };
}

const maria: [string, string] = ['Maria Reyes', 'mreyes@example-health.org'];
const adr = (n: number, title: string, status: string, extra = '') => `# ${n}. ${title}

Date: 2024-0${n}-01

## Status

${status}
${extra}
## Context

Context of ${title.toLowerCase()}.

## Decision

We decide ${title.toLowerCase()}.

## Consequences

Some.
`;

describe('import --git, as real repositories grew', () => {
  it('follows `git mv doc docs`: every record stays one live page with its whole history', () => {
    const { repo, git, commit } = gitRepo();
    commit(maria, '2023-01-01T10:00:00Z', 'Add records', { 'doc/adr/0001-record-architecture-decisions.md': adr(1, 'Record architecture decisions', 'Accepted'), 'doc/adr/0002-use-rhapsody.md': adr(2, 'Use Rhapsody', 'Accepted'), 'doc/adr/0003-filter-a08.md': adr(3, 'Filter A08', 'Accepted') });
    commit(maria, '2023-02-01T10:00:00Z', 'Move to docs/', {}, () => git('mv', 'doc', 'docs'));
    commit(maria, '2023-03-01T10:00:00Z', 'Edit 2', { 'docs/adr/0002-use-rhapsody.md': adr(2, 'Use Rhapsody', 'Accepted', '\nEdited after the move.\n') });
    for (const scope of [undefined, 'docs/']) {
      const { store } = testStore();
      const r = importPages(store, rules, readGitHistory(store, repo, scope, rules.maxBodyBytes), { defaults: { system: 'Interfaces', owners: 'mreyes' } });
      expect(r.problems).toEqual([]);
      expect(r).toMatchObject({ created: 3, failed: 0, formats: { 'adr-tools': 3 } });
      expect(store.pages.allCurrent().map((p) => p.slug).sort()).toEqual(['0001-record-architecture-decisions', '0002-use-rhapsody', '0003-filter-a08']);
      expect(store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM pages WHERE archived = 1').pluck().get()).toBe(0);
      const versions = store.unsafeDatabaseForTests().prepare("SELECT version, created_at FROM page_versions WHERE slug = '0002-use-rhapsody' ORDER BY version").all();
      expect(versions).toEqual([{ version: 1, created_at: '2023-01-01T10:00:00.000Z' }, { version: 2, created_at: '2023-03-01T10:00:00.000Z' }]);
      expect(getCurrentPage(store, '0002-use-rhapsody').body).toContain('Edited after the move.');
    }
  }, 30_000);

  it('keeps a page whose old version fails, leaving that version out and saying so', () => {
    const { repo, commit } = gitRepo();
    const page = (system: string, body: string) => `---\ntitle: Lab routing\nwhy: Results went astray.\nowners: [mreyes]\nsystem: ${system}\n---\n${body}\n`;
    commit(maria, '2022-01-01T10:00:00Z', 'v1', { 'docs/lab-routing.md': page('Interfaces', 'v1') });
    commit(maria, '2022-02-01T10:00:00Z', 'v2 broken yaml', { 'docs/lab-routing.md': '---\ntitle: [unclosed\n---\nv2\n' });
    commit(maria, '2022-03-01T10:00:00Z', 'v3 unknown system', { 'docs/lab-routing.md': page('Cerner', 'v3') });
    commit(maria, '2022-04-01T10:00:00Z', 'v4', { 'docs/lab-routing.md': page('Interfaces', 'v4') });
    // An old adr-tools record written before the team used Context sections.
    commit(maria, '2022-01-05T10:00:00Z', 'old adr', { 'docs/0001-old.md': '# 1. Old decision\n\nDate: 2022-01-05\n\n## Status\n\nAccepted\n\n## Decision\n\nWe route labs through Rhapsody.\n' });
    commit(maria, '2022-05-05T10:00:00Z', 'add context', { 'docs/0001-old.md': '# 1. Old decision\n\nDate: 2022-01-05\n\n## Status\n\nAccepted\n\n## Context\n\nLabs went astray.\n\n## Decision\n\nWe route labs through Rhapsody.\n' });
    const { store } = testStore();
    const r = importPages(store, rules, readGitHistory(store, repo, 'docs/', rules.maxBodyBytes), { defaults: { system: 'Interfaces', owners: 'mreyes' } });
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ created: 2, failed: 0, versions: 4 });
    expect(store.unsafeDatabaseForTests().prepare("SELECT body FROM page_versions WHERE slug = 'lab-routing' ORDER BY version").pluck().all()).toEqual(['v1\n', 'v4\n']);
    const notes = r.notes.map((n) => `${n.file}: ${n.reason}`).join('\n');
    expect(notes).toMatch(/lab-routing\.md@[0-9a-f]{10}: this version is left out of the history \(front_matter: the front matter is not valid YAML/);
    expect(notes).toMatch(/lab-routing\.md@[0-9a-f]{10}: this version is left out of the history: System must be one of/);
    const old = store.unsafeDatabaseForTests().prepare("SELECT front_matter FROM page_versions WHERE slug = '0001-old' ORDER BY version").pluck().all() as string[];
    expect(JSON.parse(old[0]!).why).toBe('We route labs through Rhapsody.');
    expect(JSON.parse(old[1]!).why).toBe('Labs went astray.');
    expect(notes).toContain('the record has no Context section; the why is its first paragraph under "Decision"');
  }, 30_000);

  it('makes two pages of two same-named records in two folders, and says so', () => {
    const { repo, commit } = gitRepo();
    commit(maria, '2023-01-01T10:00:00Z', 'Init both', { 'interfaces/doc/adr/0001-record-architecture-decisions.md': adr(1, 'Record architecture decisions', 'Accepted'), 'lab/doc/adr/0001-record-architecture-decisions.md': adr(1, 'Record architecture decisions', 'Accepted') });
    commit(maria, '2023-02-01T10:00:00Z', 'Edit lab', { 'lab/doc/adr/0001-record-architecture-decisions.md': adr(1, 'Record architecture decisions', 'Accepted', '\nFor the lab team.\n') });
    const { store } = testStore();
    const r = importPages(store, rules, readGitHistory(store, repo, undefined, rules.maxBodyBytes), { defaults: { system: 'Interfaces', owners: 'mreyes' } });
    expect(r).toMatchObject({ created: 2, failed: 0 });
    expect(store.pages.allCurrent().map((p) => p.slug).sort()).toEqual(['0001-record-architecture-decisions', 'lab-doc-adr-0001-record-architecture-decisions']);
    expect(store.pages.head('0001-record-architecture-decisions')!.current_version).toBe(1);
    expect(getCurrentPage(store, 'lab-doc-adr-0001-record-architecture-decisions')).toMatchObject({ version: 2, body: expect.stringContaining('For the lab team.') });
    expect(r.notes.map((n) => n.reason).join('\n')).toContain('interfaces/doc/adr/0001-record-architecture-decisions.md already gives the slug "0001-record-architecture-decisions"; lab/doc/adr/0001-record-architecture-decisions.md is the page "lab-doc-adr-0001-record-architecture-decisions"');

    // The same two folders, not in git.
    const dir = writeFiles(tempDir(), { 'interfaces/0001-record-architecture-decisions.md': adr(1, 'Record architecture decisions', 'Accepted'), 'lab/0001-record-architecture-decisions.md': adr(1, 'Record architecture decisions', 'Accepted') });
    const { store: s2 } = testStore();
    const f = importDir(s2, dir, { system: 'Interfaces', owners: 'mreyes' });
    expect(f).toMatchObject({ created: 2, failed: 0 });
    expect(notesOf(f, 'lab/0001-record-architecture-decisions.md')).toContain('is the page "lab-0001-record-architecture-decisions"');
  }, 30_000);

  it('reads only files that are at some point inside --path, so a same-named file elsewhere changes nothing', () => {
    const { repo, commit } = gitRepo();
    commit(maria, '2023-01-01T10:00:00Z', 'Both', { 'tools/0001-record-architecture-decisions.md': '---js\nnot read\n---\n', 'docs/0001-record-architecture-decisions.md': adr(1, 'Record architecture decisions', 'Accepted') });
    const { store } = testStore();
    const r = importPages(store, rules, readGitHistory(store, repo, 'docs/', rules.maxBodyBytes), { defaults: { system: 'Interfaces', owners: 'mreyes' } });
    expect(r).toMatchObject({ created: 1, failed: 0, problems: [], notes: [] });
    expect(store.pages.head('0001-record-architecture-decisions')).toBeDefined();
  }, 30_000);

  it('carries the pictures beside the records into the pages, taken from the working tree', async () => {
    const { repo, commit } = gitRepo();
    const picture = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#224466' } }).png().toBuffer();
    fs.mkdirSync(path.join(repo, 'docs'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'docs', 'route.png'), picture);
    commit(maria, '2023-01-01T10:00:00Z', 'Add', { 'docs/0001-route.md': adr(1, 'Route', 'Accepted', '\n![The route](route.png)\n') });
    const { store } = testStore();
    const { summary, filesAdded } = await importGit(store, rules, repo, 'docs/', { defaults: { system: 'Interfaces', owners: 'mreyes' } });
    expect(summary).toMatchObject({ created: 1, failed: 0 });
    expect(filesAdded).toBe(1);
    expect(getCurrentPage(store, '0001-route').body).toMatch(/!\[The route\]\(<\/p\/0001-route\/files\/[0-9a-f]{64}\/route\.png>\)/);
  }, 30_000);

  it('writes the supersession mirror as the replayed version\'s author and date, and counts files, not versions', () => {
    const { repo, commit } = gitRepo();
    commit(maria, '2023-01-01T10:00:00Z', 'Add 1', { 'docs/0001-forward-every-a08.md': adr(1, 'Forward every A08', 'Accepted') });
    commit(maria, '2023-01-02T10:00:00Z', 'Edit 1', { 'docs/0001-forward-every-a08.md': adr(1, 'Forward every A08', 'Accepted', '\nA note.\n') });
    commit(maria, '2024-06-01T10:00:00Z', 'Add 2', { 'docs/0002-filter-a08.md': adr(2, 'Filter A08', 'Accepted\n\nSupersedes [1. Forward every A08](0001-forward-every-a08.md)') });
    const { store } = testStore();
    const r = importPages(store, rules, readGitHistory(store, repo, 'docs/', rules.maxBodyBytes), { defaults: { system: 'Interfaces', owners: 'mreyes' } });
    expect(r).toMatchObject({ created: 2, versions: 3, formats: { 'adr-tools': 2 } });
    const mirror = store.unsafeDatabaseForTests().prepare("SELECT author, created_at FROM page_versions WHERE slug = '0001-forward-every-a08' ORDER BY version DESC LIMIT 1").get();
    expect(mirror).toEqual({ author: 'mreyes', created_at: '2024-06-01T10:00:00.000Z' });
    expect(getCurrentPage(store, '0001-forward-every-a08').frontMatter).toMatchObject({ status: 'superseded', superseded_by: ['0002-filter-a08'] });
  }, 30_000);

  it('does not seed the demo pages into a store whose imported pages are all archived', () => {
    const { repo, commit } = gitRepo();
    commit(maria, '2023-01-01T10:00:00Z', 'Add', { 'docs/0001-a.md': adr(1, 'A decision', 'Accepted') });
    commit(maria, '2023-02-01T10:00:00Z', 'Remove', { 'docs/0001-a.md': null });
    const { store } = testStore();
    expect(needsSeeding(store)).toBe(true);
    importPages(store, rules, readGitHistory(store, repo, 'docs/', rules.maxBodyBytes), { defaults: { system: 'Interfaces', owners: 'mreyes' } });
    expect(store.pages.head('0001-a')).toMatchObject({ archived: 1 });
    expect(needsSeeding(store)).toBe(false);
  }, 30_000);
});

describe('decision records as their tools write them', () => {
  it('reads adr-tools\' "Superceded by", keeps "Amends" lines, header notes and the number, and rewrites links to wiki links', () => {
    const { store } = testStore();
    const dir = writeFiles(tempDir(), {
      'doc/adr/0001-use-rhapsody.md': '# 1. Use Rhapsody\n\nDate: 2021-03-04\n\n## Status\n\nSuperceded by [2. Use the cloud engine](0002-use-the-cloud-engine.md)\n\nAmended by [3. Add a filter](0003-add-a-filter.md)\n\n## Context\n\nPoint to point feeds.\n\n## Decision\n\nRhapsody. See [ADR 3](0003-add-a-filter.md) and [the wiki](https://example.org/x.md).\n',
      'doc/adr/0002-use-the-cloud-engine.md': '# 2. Use the cloud engine\n\nDate: 2025-06-30\n\nConsulted: the lab team. Discussion: https://teams.example.org/t/123\n\n## Status\n\nAccepted\n\nSupercedes [1. Use Rhapsody](0001-use-rhapsody.md)\n\n## Context\n\nEnd of support.\n\n## Decision\n\nThe cloud engine.\n',
      'doc/adr/0003-add-a-filter.md': '# 3. Add a filter\n\nDate: 2022-01-01\n\n## Status\n\nAccepted\n\nAmends [1. Use Rhapsody](0001-use-rhapsody.md)\n\n## Context\n\nToo many messages.\n\n## Decision\n\nFilter.\n',
    });
    // Each file says its own side, in adr-tools' spelling.
    const read = Object.fromEntries(readFolder(dir, rules.maxBodyBytes).pages.map((p) => [p.slug, p.versions[0]!.frontMatter]));
    expect(read['0001-use-rhapsody']).toMatchObject({ superseded_by: ['0002-use-the-cloud-engine'] });
    expect(read['0002-use-the-cloud-engine']).toMatchObject({ supersedes: ['0001-use-rhapsody'] });
    const r = importDir(store, dir, { system: 'Interfaces', owners: 'mreyes' });
    expect(r).toMatchObject({ created: 3, failed: 0 });
    const one = getCurrentPage(store, '0001-use-rhapsody');
    expect(one.frontMatter).toMatchObject({ title: '1. Use Rhapsody', status: 'superseded', superseded_by: ['0002-use-the-cloud-engine'] });
    expect(one.body).toContain('Amended by [[0003-add-a-filter|3. Add a filter]]');
    expect(one.body).toContain('See [[0003-add-a-filter|ADR 3]] and [the wiki](https://example.org/x.md)');
    const two = getCurrentPage(store, '0002-use-the-cloud-engine');
    // adr-tools writes "Supercedes" too.
    expect(two.frontMatter).toMatchObject({ supersedes: ['0001-use-rhapsody'] });
    expect(two.body).toContain('Consulted: the lab team. Discussion: https://teams.example.org/t/123');
    expect(getCurrentPage(store, '0003-add-a-filter').body).toContain('Amends [[0001-use-rhapsody|1. Use Rhapsody]]');
  });

  it('maps status words a team uses, falls back to proposed naming an unknown word, and reads MADR 4 people and other date forms', () => {
    const { store } = testStore();
    const files = {
      '0001-pending.md': '# Pending thing\n\n* Status: Pending\n* Date: 03/04/2021\n\n## Context and Problem Statement\n\nWhy.\n',
      '0002-on-hold.md': '# On hold thing\n\n* Status: on hold\n* Date: 4 March 2021\n\n## Context and Problem Statement\n\nWhy.\n',
      '0003-partly.md': '# Partly thing\n\n* Status: Partly superseded\n* Date: 21.03.2021\n\n## Context and Problem Statement\n\nWhy.\n',
      '0004-madr4.md': '---\nstatus: accepted\ndate: 2024-11-02\ndecision-makers: Maria Reyes, Pat Unknown\nconsulted: Lab team\ninformed: Service desk\n---\n# Use MADR 4\n\n## Context and Problem Statement\n\nWhy 4.\n\n## Decision Outcome\n\nChosen.\n',
      '0005-odd-date.md': '# Odd date\n\n* Status: accepted\n* Date: sometime in spring\n\n## Context and Problem Statement\n\nWhy.\n',
    };
    const r = importDir(store, writeFiles(tempDir(), files), { system: 'Interfaces', owners: 'dokafor' });
    expect(r).toMatchObject({ created: 5, failed: 0 });
    expect(getCurrentPage(store, '0001-pending').frontMatter).toMatchObject({ status: 'proposed', go_live: '2021-03-04' });
    expect(notesOf(r, '0001-pending.md')).toContain('the status "Pending" is not one Whywiki knows; imported as proposed');
    expect(notesOf(r, '0001-pending.md')).toContain('the date "03/04/2021" could be day/month or month/day; read as 2021-03-04 (month first)');
    expect(getCurrentPage(store, '0002-on-hold').frontMatter.go_live).toBe('2021-03-04');
    expect(notesOf(r, '0002-on-hold.md')).toContain('the status "on hold"');
    expect(getCurrentPage(store, '0003-partly').frontMatter).toMatchObject({ status: 'proposed', go_live: '2021-03-21' });
    const four = getCurrentPage(store, '0004-madr4');
    expect(four.frontMatter).toMatchObject({ status: 'live', owners: ['mreyes'] });
    expect(four.body).toMatch(/^Deciders: Pat Unknown\n\nConsulted: Lab team\n\nInformed: Service desk/);
    expect(notesOf(r, '0004-madr4.md')).toContain('decider Pat Unknown is not in the directory; kept in the body');
    expect(getCurrentPage(store, '0005-odd-date').body).toContain('Date: sometime in spring');
    expect(notesOf(r, '0005-odd-date.md')).toContain('the date "sometime in spring" could not be read; it is kept in the text');

    const { store: mapped } = testStore();
    const m = importDir(mapped, writeFiles(tempDir(), files), { system: 'Interfaces', owners: 'dokafor' }, { statusMap: { Pending: 'proposed', 'on hold': 'proposed', 'Partly superseded': 'superseded' }, createPeople: true });
    expect(m).toMatchObject({ created: 5, failed: 0, people: 1 });
    expect(getCurrentPage(mapped, '0003-partly').frontMatter.status).toBe('superseded');
    expect(notesOf(m, '0001-pending.md')).not.toContain('not one Whywiki knows');
    expect(mapped.parties.get('pat-unknown')).toMatchObject({ name: 'Pat Unknown', title: 'Imported from decision records' });
    expect(getCurrentPage(mapped, '0004-madr4').frontMatter.owners).toEqual(['mreyes', 'pat-unknown']);
  });

  it('titles a record without a title heading from its file name, and says so', () => {
    const { store } = testStore();
    const r = importDir(store, writeFiles(tempDir(), { '0007-no-heading.md': '* Status: accepted\n* Date: 2024-01-01\n\n## Context and Problem Statement\n\nWhy.\n' }), { system: 'Interfaces', owners: 'mreyes' });
    expect(r).toMatchObject({ created: 1, failed: 0 });
    expect(getCurrentPage(store, '0007-no-heading').frontMatter.title).toBe('0007. no heading');
    expect(notesOf(r, '0007-no-heading.md')).toContain('the record has no title heading; the title "0007. no heading" is made from the file name');
  });

  it('does not take a guide with ADR headings inside code for a decision record', () => {
    const { store } = testStore();
    const guide = '# Writing a decision record\n\nUse this shape:\n\n```markdown\n## Status\n\nAccepted\n\n## Context\n```\n';
    const r = importDir(store, writeFiles(tempDir(), { 'how-to-write-adrs.md': guide }), { system: 'Interfaces', owners: 'mreyes', why: 'How we write records.' });
    expect(r).toMatchObject({ created: 1, failed: 0, formats: { whywiki: 1 } });
    expect(getCurrentPage(store, 'how-to-write-adrs')).toMatchObject({ frontMatter: { title: 'Writing a decision record' }, body: expect.stringContaining('## Status') });
  });
});

describe('plain documentation folders', () => {
  it('imports a Jekyll folder, folder-per-record pages and files without front matter, lists every skipped file, and drops no key', () => {
    const { store } = testStore();
    const dir = writeFiles(tempDir(), {
      'index.md': '# Docs home\n',
      'README.md': '# About this folder\n',
      'notes.txt': 'scratch',
      'unused.png': Buffer.from('89504e470d0a1a0a', 'hex'),
      'ops/backup-runbook.md': '---\nlayout: page\ntitle: Backup runbook\nnav_order: 3\nparent: Operations\nslug: backups\n---\nRun the job.\n',
      'ops/no-front-matter.md': 'Intro line.\n\n# Restore the interface engine\n\nSteps.\n',
      'ops/no-heading.md': 'Just text, no heading.\n',
      'records/badge-tap/index.md': '---\ntitle: Badge tap\n---\nSee [the runbook](../../ops/backup-runbook.md).\n',
      'records/voice-dictation/index.md': '# Voice dictation\n\nDragon.\n',
    });
    const r = importDir(store, dir, { system: 'Infrastructure', owners: 'mreyes', why: 'Operations knowledge.' });
    expect(r.problems).toEqual([]);
    expect(r).toMatchObject({ created: 5, failed: 0 });
    expect(store.pages.allCurrent().map((p) => p.slug).sort()).toEqual(['backups', 'badge-tap', 'no-front-matter', 'no-heading', 'voice-dictation']);
    const runbook = getCurrentPage(store, 'backups');
    expect(runbook.frontMatter.title).toBe('Backup runbook');
    expect(runbook.body).toContain('## Metadata (imported)\n\n```yaml\nlayout: page\nnav_order: 3\nparent: Operations\n```');
    expect(notesOf(r, 'ops/backup-runbook.md')).toContain('front matter "layout", "nav_order", "parent" has no page field');
    expect(getCurrentPage(store, 'no-front-matter')).toMatchObject({ frontMatter: { title: 'Restore the interface engine' }, body: 'Intro line.\n\nSteps.\n' });
    expect(getCurrentPage(store, 'no-heading').frontMatter.title).toBe('No heading');
    expect(notesOf(r, 'ops/no-heading.md')).toContain('the title "No heading" is made from the file name');
    expect(getCurrentPage(store, 'badge-tap').body).toContain('See [[backup-runbook|the runbook]]');
    expect(getCurrentPage(store, 'voice-dictation').frontMatter.title).toBe('Voice dictation');
    expect(r.skipped).toEqual([
      { file: 'index.md', field: 'file', reason: 'skipped: the folder\'s own index page' },
      { file: 'README.md', field: 'file', reason: 'skipped: a README (a folder\'s description, not a page)' },
      { file: 'notes.txt', field: 'file', reason: 'skipped: not a markdown page, and no page shows or links it' },
      { file: 'unused.png', field: 'file', reason: 'skipped: not a markdown page, and no page shows or links it' },
    ]);
  });

  it('brings a departed person without a reason back without one', () => {
    const { store } = testStore();
    store.parties.depart({ handle: 'dokafor', departed_on: '2025-01-01', successor: null, departure_reason: null });
    const out = path.join(tempDir(), 'export');
    exportStore(store, out);
    const empty = openStore(tempDir());
    const r = importPages(empty, rules, { ...readFolder(out, rules.maxBodyBytes), root: out });
    // An export's own files (people.yaml, history/) are read, not listed as skipped.
    expect(r.skipped).toEqual([]);
    expect(empty.parties.get('dokafor')).toMatchObject({ status: 'departed', departed_on: '2025-01-01', departure_reason: null });
    expect(verifyStore(empty).break).toBeNull();
  });

  it('works out a dry run in full and writes nothing', () => {
    const { store } = testStore();
    const dir = writeFiles(tempDir(), {
      'a.md': '# Page A\n\nText.\n',
      'b.md': '---\ntitle: Page B\nsystem: Cerner\n---\nText.\n',
      'README.md': 'x',
    });
    const count = () => store.unsafeDatabaseForTests().prepare('SELECT (SELECT count(*) FROM pages) + (SELECT count(*) FROM audit_events) + (SELECT count(*) FROM parties)').pluck().get();
    const before = count();
    const r = importDir(store, dir, { system: 'Epic', owners: 'mreyes', why: 'x' }, { dryRun: true });
    expect(r).toMatchObject({ dryRun: true, created: 1, failed: 1 });
    expect(r.report).toEqual([
      { file: 'a.md', slug: 'a', outcome: 'created', versions: 1 },
      { file: 'b.md', slug: 'b', outcome: 'failed', versions: 0, reason: expect.stringContaining('system: System must be one of') },
    ]);
    expect(r.skipped.map((s) => s.file)).toEqual(['README.md']);
    expect(count()).toBe(before);
    expect(store.pages.head('a')).toBeUndefined();
  });
});
