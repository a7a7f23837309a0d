import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { ROOT } from '../server/paths.js';
import { openStore } from '../server/setup.js';
import { userForToken } from '../server/auth/accounts.js';
import fs from 'node:fs';
import { seedPage, tempDir, testStore } from './helpers.js';
import { TSX } from './server-process.js';
import { runCli } from '../server/cli.js';

const run = promisify(execFile);

/** Runs a command in this process (starting a process per call made this file the slowest of the suite). */
async function cli(dir: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, env: { ...process.env, WHYWIKI_DATA: dir } });
  // Shaped like execFile's rejection, so a failing command reads the same as from a real process.
  if (code !== 0) throw Object.assign(new Error(`whywiki ${args.join(' ')} exited with ${code}`), { code, stdout, stderr });
  return { stdout, stderr };
}

describe('whywiki CLI', () => {
  it('runs as a real process: output on stdout, exit 1 when a file fails to import, and no front matter code run', async () => {
    const dir = tempDir();
    const marker = path.join(tempDir(), 'ran');
    const pages = tempDir();
    fs.writeFileSync(path.join(pages, 'evil.md'), `---js\nrequire('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')\n---\nBody\n`);
    const failed = run(TSX, [path.join(ROOT, 'server/cli.ts'), 'import', pages, '--default', 'system=Epic'], { env: { ...process.env, WHYWIKI_DATA: dir }, cwd: ROOT });
    await expect(failed).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/^FAILED evil\.md: front_matter: the front matter is marked "js".*\nImported in [\d.]+ s: 0 created, 0 updated, 0 unchanged, 1 failed/),
    });
    expect(fs.existsSync(marker)).toBe(false);
  }, 60_000);

  it('adds a user and creates a token that works, printing it as the last line', async () => {
    const dir = tempDir();
    const added = await cli(dir, 'user', 'add', 'jdoe', '--role', 'editor', '--password', 'a-long-enough-password');
    expect(added.stdout).toContain('Created user "jdoe" with role editor.');
    const created = await cli(dir, 'token', 'create', 'jdoe', '--label', 'sync');
    const token = created.stdout.trim().split('\n').at(-1)!;
    expect(token).toMatch(/^ww_[A-Za-z0-9_-]{40,}$/);
    const store = openStore(dir);
    expect(userForToken(store, token)).toMatchObject({ username: 'jdoe', role: 'editor' });
    store.close();
  }, 30_000);

  it('prints a generated password when none is given', async () => {
    const { stdout } = await cli(tempDir(), 'user', 'add', 'reader1', '--role', 'reader');
    expect(stdout).toMatch(/Password: \S{12,}/);
  }, 30_000);

  it('explains bad input and exits non-zero', async () => {
    const dir = tempDir();
    await expect(cli(dir, 'user', 'add', 'x', '--role', 'wizard')).rejects.toMatchObject({ stderr: expect.stringContaining('Allowed choices are reader, editor, auditor, admin') });
    await expect(cli(dir, 'user', 'add', 'shorty', '--password', 'short')).rejects.toMatchObject({ stderr: expect.stringContaining('12 to 256 characters') });
    await expect(cli(dir, 'token', 'create', 'nobody')).rejects.toMatchObject({ stderr: expect.stringContaining('There is no user "nobody"') });
  }, 30_000);

  it('adds and edits people and teams, marks a departure, and audits each change', async () => {
    const dir = tempDir();
    openStore(dir).close();
    const team = await cli(dir, 'team', 'add', 'epic-lab', '--name', 'Epic Beaker Lab Team');
    expect(team.stdout).toContain('Team @epic-lab: Epic Beaker Lab Team; members: none.');
    const added = await cli(dir, 'person', 'add', 'lchen', '--name', 'Lin Chen', '--title', 'Beaker Analyst', '--team', 'epic-lab');
    expect(added.stdout).toContain('Person @lchen: Lin Chen, Beaker Analyst; teams: epic-lab.');
    await cli(dir, 'person', 'add', 'jdoe', '--name', 'Jane Doe');
    const edited = await cli(dir, 'person', 'edit', 'lchen', '--email', 'lin.chen@example-health.org');
    expect(edited.stdout).toContain('Lin Chen, Beaker Analyst <lin.chen@example-health.org>; teams: epic-lab.');
    const members = await cli(dir, 'team', 'edit', 'epic-lab', '--members', 'lchen,jdoe');
    expect(members.stdout).toContain('members: jdoe, lchen.');
    const gone = await cli(dir, 'person', 'depart', 'lchen', '--reason', 'Left the organisation', '--successor', 'jdoe', '--date', '2026-10-30');
    expect(gone.stdout).toContain('Lin Chen is marked departed on 2026-10-30, successor @jdoe.');
    await expect(cli(dir, 'person', 'add', 'Bad Handle!', '--name', 'x')).rejects.toMatchObject({ stderr: expect.stringContaining('handle: A handle is 1 to 40 lowercase') });
    await expect(cli(dir, 'person', 'depart', 'nobody', '--reason', 'x')).rejects.toMatchObject({ stderr: expect.stringContaining('There is no person "nobody"') });
    await expect(cli(dir, 'team', 'edit', 'epic-lab', '--members', 'ghost')).rejects.toMatchObject({ stderr: expect.stringContaining('No person has the handle ghost') });
    const store = openStore(dir);
    const actions = store.unsafeDatabaseForTests().prepare("SELECT action FROM audit_events WHERE actor = 'cli' ORDER BY id").pluck().all();
    expect(actions).toEqual(['team.created', 'person.created', 'person.created', 'person.changed', 'team.changed', 'person.departed']);
    expect(store.parties.get('lchen')).toMatchObject({ status: 'departed', successor: 'jdoe', departure_reason: 'Left the organisation' });
    store.close();
  }, 60_000);

  it('has --help for every command, and exports and imports with plain progress lines when not on a terminal', async () => {
    const commands = [[], ['user', 'add'], ['token', 'create'], ['person', 'add'], ['person', 'edit'], ['person', 'depart'], ['team', 'add'], ['team', 'edit'], ['verify'], ['anchor'], ['backup'], ['import'], ['export']];
    const helps = await Promise.all(commands.map((cmd) => cli(tempDir(), ...cmd, '--help')));
    helps.forEach(({ stdout }, i) => expect(stdout, commands[i]!.join(' ')).toMatch(/^Usage: whywiki/));
    const { store, dir } = testStore();
    seedPage(store);
    store.close();
    const out = path.join(tempDir(), 'export');
    const exported = await cli(dir, 'export', out);
    expect(exported.stdout).toContain('Exported 1 pages with 1 versions to');
    expect(exported.stderr).toContain('Exporting pages: 1/1');
    const target = tempDir();
    const imported = await cli(target, 'import', out);
    expect(imported.stdout).toMatch(/Imported in [\d.]+ s: 1 created, 0 updated, 0 unchanged, 0 failed; 1 versions written \(files: 1 whywiki\); 4 people and teams added\./);
    expect(imported.stderr).toContain('Importing pages: 1/1');
    const html = await cli(target, 'export', '--html', path.join(tempDir(), 'site'));
    expect(html.stdout).toMatch(/Wrote an offline copy of 1 pages to .*site \([\d.]+ MB\)\. Open .*index\.html in a browser\./);
    await expect(cli(target, 'import', path.join(tempDir(), 'nope'))).rejects.toMatchObject({ stderr: expect.stringContaining('does not exist') });
    await expect(cli(target, 'export', out)).rejects.toMatchObject({ stderr: expect.stringContaining('is not empty') });
    await expect(cli(target, 'export', path.join(tempDir(), 'x'), '--system', 'Cerner')).rejects.toMatchObject({ stderr: expect.stringContaining('--system must be one of') });
    await expect(cli(target, 'import', out, '--default', 'nonsense')).rejects.toMatchObject({ stderr: expect.stringContaining('--default takes key=value') });
  }, 120_000);

  it('imports decision records with --dry-run first (nothing written, every file listed), then for real with --status-map and --create-people', async () => {
    const { store, dir } = testStore();
    store.close();
    const records = tempDir();
    fs.mkdirSync(path.join(records, 'doc', 'adr'), { recursive: true });
    fs.writeFileSync(path.join(records, 'doc', 'adr', '0001-pending.md'), '# Pending thing\n\n* Status: Pending\n* Deciders: Maria Reyes, Pat Newcomer\n\n## Context and Problem Statement\n\nWhy.\n');
    fs.writeFileSync(path.join(records, 'doc', 'adr', '0002-bad.md'), '---\ntitle: Bad\nsystem: Cerner\n---\nx\n');
    fs.writeFileSync(path.join(records, 'README.md'), '# Records\n');
    const args = ['import', records, '--default', 'system=Interfaces', '--default', 'owners=mreyes', '--default', 'why=Imported'];
    const dry = await cli(dir, ...args, '--dry-run').catch((e: { stdout: string; code: number }) => e);
    expect(dry).toMatchObject({ code: 1 });
    expect(dry.stdout).toContain('CREATE doc/adr/0001-pending.md -> 0001-pending (1 version)');
    expect(dry.stdout).toContain('NOTE doc/adr/0001-pending.md: the status "Pending" is not one Whywiki knows; imported as proposed');
    expect(dry.stdout).toContain('SKIPPED README.md: skipped: a README');
    expect(dry.stdout).toContain('FAILED doc/adr/0002-bad.md: system: System must be one of');
    expect(dry.stdout).toMatch(/Dry run, nothing written: 1 would be created, 0 updated, 0 unchanged, 1 failed, 1 skipped/);
    let check = openStore(dir);
    expect(check.pages.head('0001-pending')).toBeUndefined();
    check.close();
    await expect(cli(dir, 'import', records, '--status-map', 'Pending')).rejects.toMatchObject({ stderr: expect.stringContaining('--status-map takes word=status pairs') });
    const real = await cli(dir, ...args, '--status-map', 'Pending=approved', '--create-people').catch((e: { stdout: string }) => e);
    expect(real.stdout).toContain('CREATED doc/adr/0001-pending.md -> 0001-pending');
    expect(real.stdout).toContain('NOTE doc/adr/0001-pending.md: added Pat Newcomer to the directory as @pat-newcomer (imported)');
    expect(real.stdout).toContain('SKIPPED README.md');
    check = openStore(dir);
    expect(check.pages.head('0001-pending')).toMatchObject({ status: 'approved' });
    check.close();
  }, 60_000);

  it('verifies a store, anchors its head, and names the first break in a tampered copy', async () => {
    const dir = tempDir();
    const store = openStore(dir);
    store.parties.insert({ handle: 'mreyes', kind: 'person', name: 'Maria Reyes', title: null, email: null, status: 'active', departed_on: null, created_at: new Date().toISOString() });
    seedPage(store, 'a', 'one');
    seedPage(store, 'b', 'two');
    store.close();
    const ok = await cli(dir, 'verify');
    expect(ok.stdout).toContain('Checked 2 pages with 2 versions and 2 audit events.');
    expect(ok.stdout).toContain('Every hash link holds.');
    const anchor = (await cli(dir, 'anchor')).stdout.trim();
    expect(JSON.parse(anchor)).toMatchObject({ count: 2, hash: expect.stringMatching(/^[0-9a-f]{64}$/), signature: expect.any(String) });
    const anchorFile = `${tempDir()}/anchor.json`;
    fs.writeFileSync(anchorFile, anchor);
    expect((await cli(dir, 'verify', '--anchor', anchorFile)).stdout).toContain('The log still extends the anchor');

    const tampered = openStore(dir);
    tampered.unsafeDatabaseForTests().exec('DROP TRIGGER page_versions_immutable_update');
    tampered.unsafeDatabaseForTests().prepare("UPDATE page_versions SET body = 'changed quietly' WHERE slug = 'b'").run();
    tampered.close();
    await expect(cli(dir, 'verify')).rejects.toMatchObject({ code: 1, stdout: expect.stringMatching(/BROKEN: page_versions b v1: content does not match its hash\.\n  expected [0-9a-f]{64}\n  found    [0-9a-f]{64}/) });
  }, 60_000);
});
