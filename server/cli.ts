#!/usr/bin/env node
import fs from 'node:fs';
import { phiGuardFor } from './phi/guard.js';
import { scanNow } from './phi/retro-scan.js';
import { keepScanResult } from './phi/scan-service.js';
import { Command, CommanderError, Option } from 'commander';
import { checkAnchor, describeReport, makeAnchor, verifyStore, type Anchor } from './audit/verify.js';
import { loadConfig, ConfigError } from './config.js';
import { openStore } from './setup.js';
import { createApiToken } from './auth/commands/create-api-token.js';
import { createUser } from './auth/commands/create-user.js';
import { randomPassword } from './auth/passwords.js';
import { ROLES } from './store/users.js';
import { ValidationError } from './core/errors.js';
import { StoreTooNewError } from './store/migrate.js';
import { backupStore } from './audit/backup.js';
import { addPerson } from './people/commands/add-person.js';
import { addTeam } from './people/commands/add-team.js';
import { departPerson } from './people/commands/depart-person.js';
import { editPerson } from './people/commands/edit-person.js';
import { editTeam } from './people/commands/edit-team.js';
import { NotFoundError } from './core/errors.js';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { ImportError, parseStatusMap, type ImportSummary } from './transfer/import.js';
import { exportFiles } from './transfer/files.js';
import { importFolder, importGit } from './transfer/source.js';
import { exportStore, ExportError } from './transfer/export.js';
import { exportOffline } from './transfer/offline.js';
import { BackupError } from './audit/backup.js';
import { pathToFileURL } from 'node:url';
import { recordAudit } from './audit/log.js';

/** Where a run of the CLI reads its environment and writes its output: the process, or a caller's buffers. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };
// The commands below are built once; each run points them at its own output and exit code.
let io: CliIo = processIo;
let exitCode = 0;
const say = (line: string) => void io.stdout.write(`${line}\n`);

const program = new Command()
  .name('whywiki')
  .description('Manage a Whywiki store: people and teams, accounts, API tokens, verification and backups. Uses WHYWIKI_DATA like the server.')
  .showHelpAfterError()
  // Set before the commands are added, so that every command inherits them: errors and help go to the
  // run's output and come back as an exit code instead of ending the process.
  .exitOverride()
  .configureOutput({ writeOut: (text) => void io.stdout.write(text), writeErr: (text) => void io.stderr.write(text) });

const user = program.command('user').description('manage sign-in accounts');
user
  .command('add <name>')
  .description('create an account; prints a generated password unless --password or WHYWIKI_NEW_PASSWORD is given')
  .addOption(new Option('--role <role>', 'the role').choices([...ROLES]).default('reader'))
  .option('--password <password>', 'the password (at least 12 characters); prefer WHYWIKI_NEW_PASSWORD, which stays out of shell history')
  .option('--person <handle>', 'link the account to a person in the directory')
  .action(async (name: string, opts: { role: string; password?: string; person?: string }) => {
    const store = openStore(loadConfig(io.env).dataDir);
    try {
      const password = opts.password ?? io.env.WHYWIKI_NEW_PASSWORD ?? randomPassword();
      const created = await createUser({ store, actor: { username: 'cli' }, client: 'cli' }, { username: name, password, role: opts.role, person: opts.person ?? null });
      say(`Created user "${created.username}" with role ${created.role}.`);
      if (!opts.password && !io.env.WHYWIKI_NEW_PASSWORD) say(`Password: ${password}`);
    } finally {
      store.close();
    }
  });

/** Directory changes from the command line are audited with the actor "cli", like the other commands. */
const cliContext = (store: ReturnType<typeof openStore>) => ({ store, actor: { username: 'cli' }, client: 'cli', phi: phiGuardFor(store, loadConfig().mrnPatterns) });
const describeParty = (store: ReturnType<typeof openStore>, handle: string) => {
  const p = store.parties.get(handle)!;
  const related = p.kind === 'team' ? store.parties.members(handle).map((m) => m.handle) : store.parties.teamsOf(handle).map((t) => t.handle);
  return `${p.kind === 'team' ? 'Team' : 'Person'} @${p.handle}: ${p.name}${p.title ? `, ${p.title}` : ''}${p.email ? ` <${p.email}>` : ''}; ${p.kind === 'team' ? 'members' : 'teams'}: ${related.join(', ') || 'none'}.`;
};
const withStore = (fn: (store: ReturnType<typeof openStore>) => void) => {
  const store = openStore(loadConfig(io.env).dataDir);
  try {
    fn(store);
  } finally {
    store.close();
  }
};
const csv = (value: string | undefined) => (value === undefined ? undefined : value.split(',').map((s) => s.trim()).filter(Boolean));

const person = program.command('person').description('manage the people who own pages (a person needs no sign-in account)');
person
  .command('add <handle>')
  .description('add a person to the directory')
  .requiredOption('--name <name>', 'full name, e.g. "Maria Reyes"')
  .option('--title <title>', 'job title')
  .option('--email <email>', 'email address')
  .option('--team <teams>', 'team handles to join, comma-separated')
  .action((handle: string, opts: { name: string; title?: string; email?: string; team?: string }) =>
    withStore((store) => {
      const p = addPerson(cliContext(store), { handle, name: opts.name, title: opts.title, email: opts.email, teams: csv(opts.team) });
      say(`Added. ${describeParty(store, p.handle)}`);
    }),
  );
person
  .command('edit <handle>')
  .description('change a person\'s name, title, email or teams (only the options given change)')
  .option('--name <name>', 'full name')
  .option('--title <title>', 'job title')
  .option('--email <email>', 'email address')
  .option('--teams <teams>', 'the complete list of team handles, comma-separated ("" for none)')
  .action((handle: string, opts: { name?: string; title?: string; email?: string; teams?: string }) =>
    withStore((store) => {
      const p = editPerson(cliContext(store), { handle, name: opts.name, title: opts.title, email: opts.email, teams: csv(opts.teams) });
      say(`Saved. ${describeParty(store, p.handle)}`);
    }),
  );
person
  .command('depart <handle>')
  .description('mark a person departed; their pages without another active owner appear on /reports/orphans')
  .requiredOption('--reason <reason>', 'why, e.g. "Left the organisation"')
  .option('--date <date>', 'departure date, YYYY-MM-DD (default: today)')
  .option('--successor <handle>', 'who takes over their pages')
  .action((handle: string, opts: { reason: string; date?: string; successor?: string }) =>
    withStore((store) => {
      const p = departPerson(cliContext(store), { ...opts, handle, today: new Date().toISOString().slice(0, 10) });
      const owned = store.pages.ownedBy(handle).length;
      say(`${p.name} is marked departed on ${p.departed_on}${p.successor ? `, successor @${p.successor}` : ''}. They still own ${owned} ${owned === 1 ? 'page' : 'pages'} directly.`);
    }),
  );

const team = program.command('team').description('manage teams, which can own pages');
team
  .command('add <handle>')
  .description('add a team')
  .requiredOption('--name <name>', 'team name, e.g. "Epic Orders Team"')
  .option('--members <people>', 'person handles, comma-separated')
  .action((handle: string, opts: { name: string; members?: string }) =>
    withStore((store) => {
      const t = addTeam(cliContext(store), { handle, name: opts.name, members: csv(opts.members) });
      say(`Added. ${describeParty(store, t.handle)}`);
    }),
  );
team
  .command('edit <handle>')
  .description('rename a team or set its members (only the options given change)')
  .option('--name <name>', 'team name')
  .option('--members <people>', 'the complete list of person handles, comma-separated ("" for none)')
  .action((handle: string, opts: { name?: string; members?: string }) =>
    withStore((store) => {
      const t = editTeam(cliContext(store), { handle, name: opts.name, members: csv(opts.members) });
      say(`Saved. ${describeParty(store, t.handle)}`);
    }),
  );

const token = program.command('token').description('manage API tokens');
token
  .command('create <user>')
  .description('create an API token for a user; the token is printed once, as the last line')
  .option('--label <label>', 'what the token is for, e.g. "ServiceNow sync"')
  .action((username: string, opts: { label?: string }) => {
    const store = openStore(loadConfig(io.env).dataDir);
    try {
      const value = createApiToken({ store, actor: { username: 'cli' }, client: 'cli', phi: phiGuardFor(store, loadConfig().mrnPatterns) }, { username: username.toLowerCase(), label: opts.label ?? null });
      say(`Created an API token for "${username}". Send it as "Authorization: Bearer <token>"; it is not shown again.`);
      say(value);
    } finally {
      store.close();
    }
  });

program
  .command('verify')
  .description('walk every page\'s version chain and the audit chain; exit 1 naming the first broken link')
  .option('--anchor <file>', 'also prove the audit log still extends the head recorded in this anchor file')
  .action((opts: { anchor?: string }) => {
    const config = loadConfig(io.env);
    const store = openStore(config.dataDir);
    try {
      const report = verifyStore(store);
      for (const line of describeReport(report)) say(line);
      if (report.break) exitCode = 1;
      else if (opts.anchor) {
        const anchor = JSON.parse(fs.readFileSync(opts.anchor, 'utf8')) as Anchor;
        const problem = checkAnchor(store, anchor, config.anchorKeyFile);
        if (problem) {
          say(`ANCHOR FAILED: ${problem}`);
          exitCode = 1;
        } else say(`The log still extends the anchor of ${anchor.at} (${anchor.count} events, head ${anchor.hash}).`);
      }
    } finally {
      store.close();
    }
  });

program
  .command('anchor')
  .description('print the audit chain head signed with the Ed25519 anchor key (WHYWIKI_ANCHOR_KEY), to keep off the server')
  .action(() => {
    const config = loadConfig(io.env);
    const store = openStore(config.dataDir);
    try {
      say(JSON.stringify(makeAnchor(store, config.anchorKeyFile)));
    } finally {
      store.close();
    }
  });

/** A progress bar on a terminal; plain lines (about every tenth) in logs and pipes. */
function progress(label: string): { update: (done: number, total: number) => void; stop: () => void } {
  if (io.stderr === process.stderr && process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total} {percentage}% · {eta_formatted} left`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update: (done, total) => {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(done);
      },
      stop: () => started && bar.stop(),
    };
  }
  let shown = -1;
  return {
    update: (done, total) => {
      const tenth = Math.floor((done / Math.max(total, 1)) * 10);
      if (tenth !== shown || done === total) {
        shown = tenth;
        io.stderr.write(`${label}: ${done}/${total}\n`);
      }
    },
    stop: () => undefined,
  };
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Every file the import looked at, with what became of it (or would, in a dry run) and why. */
function printImportReport(r: ImportSummary): void {
  const verb = r.dryRun ? { created: 'CREATE', updated: 'UPDATE', unchanged: 'UNCHANGED' } : { created: 'CREATED', updated: 'UPDATED', unchanged: 'UNCHANGED' };
  for (const line of r.report) if (line.outcome !== 'failed') say(`${verb[line.outcome]} ${line.file} -> ${line.slug}${line.versions ? ` (${line.versions} version${line.versions === 1 ? '' : 's'})` : ''}`);
  for (const n of r.notes) say(`NOTE ${n.file}: ${n.reason}`);
  for (const sk of r.skipped) say(`SKIPPED ${sk.file}: ${sk.reason}`);
  for (const p of r.problems) say(`FAILED ${p.file}: ${p.field}: ${p.reason}`);
}

program
  .command('import [dir]')
  .description('import a folder, recursively: markdown pages (what export writes, MADR, log4brains and adr-tools decision records, a docs site), Word documents (.docx) or a Confluence space\'s HTML export; or, with --git, a repository\'s history')
  .option('--default <key=value>', 'a field value for files that do not carry it, e.g. --default system=Interfaces --default owners=jdoe (repeatable)', collect, [])
  .option('--git <repo>', 'import from a git repository: each commit that touched a file becomes a version (author, date, message)')
  .option('--path <folder>', 'with --git: only files under this folder of the repository, e.g. docs/')
  .option('--status-map <pairs>', 'status words of your records and the page status each means, e.g. "Pending=proposed,on hold=proposed,Partly superseded=superseded"')
  .option('--create-people', 'add deciders who are not in the directory as people (marked imported); otherwise the default owners apply and their names stay in the page')
  .option('--dry-run', 'say what the import would do, file by file, and write nothing')
  .action(async (dir: string | undefined, opts: { default: string[]; git?: string; path?: string; statusMap?: string; createPeople?: boolean; dryRun?: boolean }) => {
    const config = loadConfig(io.env);
    const defaults: Record<string, string> = {};
    for (const pair of opts.default) {
      const eq = pair.indexOf('=');
      if (eq < 1) throw new ImportError(`--default takes key=value, for example --default system=Interfaces (got "${pair}").`);
      defaults[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
    if (!dir && !opts.git) throw new ImportError('Name a folder to import, or a repository with --git <repo>.');
    const statusMap = parseStatusMap(opts.statusMap);
    const store = openStore(config.dataDir);
    try {
      if (!opts.git && !fs.existsSync(path.resolve(dir!))) throw new ImportError(`The folder ${path.resolve(dir!)} does not exist.`);
      if (!opts.git && !fs.statSync(path.resolve(dir!)).isDirectory()) throw new ImportError(`${path.resolve(dir!)} is a file, not a folder; import takes a folder of markdown files, Word documents or a Confluence export.`);
      const rules = { systems: config.systems, maxBodyBytes: config.maxBodyBytes, phi: phiGuardFor(store, config.mrnPatterns) };
      const t0 = Date.now();
      const bar = progress(opts.dryRun ? 'Checking pages' : 'Importing pages');
      const options = { defaults, onProgress: bar.update, createPeople: opts.createPeople, dryRun: opts.dryRun, statusMap };
      let filesAdded = 0;
      let r: ImportSummary;
      if (opts.git) {
        ({ summary: r, filesAdded } = await importGit(store, rules, opts.git, opts.path, options));
      } else {
        // The same code as the admin screen: files first (a version seals the digests of the files it shows), then pages.
        ({ summary: r, filesAdded } = await importFolder(store, rules, dir!, options));
      }
      bar.stop();
      printImportReport(r);
      const formats = Object.entries(r.formats).map(([f, n]) => `${n} ${f}`).join(', ');
      if (opts.dryRun) {
        say(`Dry run, nothing written: ${r.created} would be created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.failed} failed, ${r.skipped.length} skipped; ${r.versions} versions${formats ? ` (files: ${formats})` : ''}${filesAdded ? `; ${filesAdded} files for pages` : ''}.`);
        if (r.failed > 0) exitCode = 1;
        return;
      }
      say(`Imported in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.failed} failed; ${r.versions} versions written${formats ? ` (files: ${formats})` : ''}${r.people ? `; ${r.people} people and teams added` : ''}${r.reviews ? `; ${r.reviews} reviews` : ''}${filesAdded ? `; ${filesAdded} files added to pages` : ''}${r.skipped.length ? `; ${r.skipped.length} skipped (listed above)` : ''}.`);
      if (r.failed > 0) exitCode = 1;
    } finally {
      store.close();
    }
  });

program
  .command('export <dir>')
  .description('write every page with its whole history (and the people, teams and reviews) as markdown files that import reads back; --html writes a static offline copy instead')
  .option('--system <system>', 'only the pages of one system, e.g. Epic')
  .option('--html', 'a static site of the current pages with a built-in search, that opens from the file system with no server')
  .option('--include-restricted', 'also write pages restricted to teams (left out by default, so a copy handed around cannot leak them)')
  .action((dir: string, opts: { system?: string; html?: boolean; includeRestricted?: boolean }) => {
    const config = loadConfig(io.env);
    if (opts.system && !config.systems.includes(opts.system)) throw new ExportError(`--system must be one of: ${config.systems.join(', ')} (got "${opts.system}").`);
    const store = openStore(config.dataDir);
    try {
      const bar = progress(opts.html ? 'Writing pages' : 'Exporting pages');
      if (opts.html) {
        const r = exportOffline(store, config, dir, { system: opts.system, includeRestricted: opts.includeRestricted, onProgress: bar.update });
        bar.stop();
        for (const f of r.failed) say(`FAILED p/${f.slug}.html: ${f.reason}`);
        say(`Wrote an offline copy of ${r.pages} pages to ${r.dir} (${(r.bytes / 1e6).toFixed(1)} MB)${r.failed.length ? `; ${r.failed.length} could not be written (listed above) and are left out` : ''}. Open ${path.join(r.dir, 'index.html')} in a browser.`);
        if (r.failed.length) exitCode = 1;
      } else {
        const r = exportStore(store, dir, { system: opts.system, includeRestricted: opts.includeRestricted, onProgress: bar.update });
        bar.stop();
        say(`Exported ${r.pages} pages with ${r.versions} versions to ${r.dir}.`);
      }
    } finally {
      store.close();
    }
  });

program
  .command('backup <file>')
  .description('copy the store to <file> while the server runs; the copy is checked (integrity_check and every hash chain) before success is reported')
  .action(async (file: string) => {
    const store = openStore(loadConfig(io.env).dataDir);
    try {
      const r = await backupStore(store, file);
      say(`Backed up ${r.report.pages} pages, ${r.report.versions} versions and ${r.report.events} audit events to ${r.file} (${(r.bytes / 1e6).toFixed(1)} MB, ${r.ms} ms). integrity_check ok; every hash chain verifies.`);
    } finally {
      store.close();
    }
  });

program
  .command('phi-scan')
  .description('run the current PHI rules over every stored version, attachment text and draft; print each finding masked; exit 1 when there is any')
  .option('--json', 'print the whole result as JSON')
  .action((opts: { json?: boolean }) => {
    const config = loadConfig(io.env);
    const store = openStore(config.dataDir);
    try {
      const r = scanNow(store, config.mrnPatterns);
      // The screen and the API show this result until the server's next scan.
      keepScanResult(store, r);
      if (opts.json) say(JSON.stringify(r, null, 2));
      else {
        for (const f of r.findings) say(`FOUND ${f.slug}${f.version ? ` v${f.version}` : ''} ${f.field} line ${f.line}: ${f.kind}${f.rule ? ` (${f.rule})` : ''} “${f.excerpt}”${f.purge ? ` (request purge: ${f.purge})` : ''}`);
        const counts = Object.entries(r.scanned).filter(([k]) => k !== 'bytes').map(([k, n]) => `${n} ${k}${n === 1 ? '' : 's'}`).join(', ');
        const rules = r.under.rules.filter((x) => x.kind === 'pattern').length;
        say(`Scanned ${counts} (${(r.scanned.bytes / 1e6).toFixed(1)} MB of text) in ${r.ms} ms under the built-in detectors, ${rules} admin pattern${rules === 1 ? '' : 's'} and ${r.under.mrn_patterns.length} MRN pattern${r.under.mrn_patterns.length === 1 ? '' : 's'}: ${r.total} finding${r.total === 1 ? '' : 's'}${r.total > r.findings.length ? ` (the first ${r.findings.length} listed)` : ''}.`);
      }
      if (r.total > 0) exitCode = 1;
    } finally {
      store.close();
    }
  });

program
  .command('promote')
  .description('make this standby (WHYWIKI_DATA) a writable primary, once its primary is gone for good: checks every hash chain, records an audit event and stops following')
  .action(() => {
    const store = openStore(loadConfig(io.env).dataDir);
    try {
      const primary = store.followedPrimary();
      if (!primary) {
        const promoted = store.getMeta('standby.promoted_at');
        io.stderr.write(promoted ? `whywiki: this store was already promoted on ${promoted}.\n` : 'whywiki: this store is not a standby: there is nothing to promote.\n');
        exitCode = 1;
        return;
      }
      const report = verifyStore(store);
      if (report.break) {
        for (const line of describeReport(report)) say(line);
        io.stderr.write('whywiki: the standby\'s copy does not verify, so it was not promoted.\n');
        exitCode = 1;
        return;
      }
      const at = new Date().toISOString();
      store.transaction(() => {
        // Promoted first, so the audit event below joins the chain instead of being left to the primary.
        store.setMeta('standby.promoted_at', at);
        recordAudit(store, { actor: 'cli', client: 'cli', action: 'standby.promoted', at, details: { primary, pages: report.pages, versions: report.versions, events: report.events, audit_head: report.head.hash } });
      });
      say(`Promoted: this store no longer follows ${primary} and accepts changes (${report.pages} pages, ${report.versions} versions, ${report.events} audit events, every hash verified).`);
      say('A running standby server notices at once; point people and DNS at it, and do not restart the old primary against the same people.');
    } finally {
      store.close();
    }
  });

/** Runs one command line (without "node cli.js") and resolves to its exit code. Runs queue, one at a time. */
export function runCli(argv: string[], runIo: CliIo = processIo): Promise<number> {
  const run = queue.then(() => runOnce(argv, runIo));
  queue = run.catch(() => undefined);
  return run;
}
let queue: Promise<unknown> = Promise.resolve();

async function runOnce(argv: string[], runIo: CliIo): Promise<number> {
  io = runIo;
  exitCode = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    // Commander has already written its own message (or the help) by the time it throws.
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof ValidationError) io.stderr.write(`whywiki: ${e.errors.map((x) => `${x.field}: ${x.message}`).join('\n         ')}\n`);
    else if (e instanceof NotFoundError) io.stderr.write(`whywiki: ${e.message}\n`);
    else if (e instanceof ConfigError || e instanceof StoreTooNewError || e instanceof ImportError || e instanceof ExportError || e instanceof BackupError) io.stderr.write(`whywiki: ${e.message}\n`);
    else io.stderr.write(`whywiki: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    io = processIo;
  }
}

/** True when this file is the program being run (also through the npm bin link), not a module imported by tests. */
function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
