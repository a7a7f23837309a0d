#!/usr/bin/env node
import { Command, Option } from 'commander';
import { loadConfig, ConfigError } from './config.js';
import { openStore } from './setup.js';
import { createApiToken, createUser } from './auth/accounts.js';
import { randomPassword } from './auth/passwords.js';
import { ROLES } from './store/users.js';
import { ValidationError } from './pages/errors.js';
import { StoreTooNewError } from './store/migrate.js';

const program = new Command()
  .name('whywiki')
  .description('Manage a Whywiki store: accounts and API tokens. Uses WHYWIKI_DATA like the server.')
  .showHelpAfterError();

const user = program.command('user').description('manage sign-in accounts');
user
  .command('add <name>')
  .description('create an account; prints a generated password unless --password or WHYWIKI_NEW_PASSWORD is given')
  .addOption(new Option('--role <role>', 'the role').choices([...ROLES]).default('reader'))
  .option('--password <password>', 'the password (at least 12 characters); prefer WHYWIKI_NEW_PASSWORD, which stays out of shell history')
  .option('--person <handle>', 'link the account to a person in the directory')
  .action(async (name: string, opts: { role: string; password?: string; person?: string }) => {
    const store = openStore(loadConfig().dataDir);
    try {
      const password = opts.password ?? process.env.WHYWIKI_NEW_PASSWORD ?? randomPassword();
      const created = await createUser(store, { username: name, password, role: opts.role, person: opts.person ?? null }, { actor: 'cli', client: 'cli' });
      console.log(`Created user "${created.username}" with role ${created.role}.`);
      if (!opts.password && !process.env.WHYWIKI_NEW_PASSWORD) console.log(`Password: ${password}`);
    } finally {
      store.close();
    }
  });

const token = program.command('token').description('manage API tokens');
token
  .command('create <user>')
  .description('create an API token for a user; the token is printed once, as the last line')
  .option('--label <label>', 'what the token is for, e.g. "ServiceNow sync"')
  .action((username: string, opts: { label?: string }) => {
    const store = openStore(loadConfig().dataDir);
    try {
      const value = createApiToken(store, username.toLowerCase(), opts.label ?? null, { actor: 'cli', client: 'cli' });
      console.log(`Created an API token for "${username}". Send it as "Authorization: Bearer <token>"; it is not shown again.`);
      console.log(value);
    } finally {
      store.close();
    }
  });

program.parseAsync().catch((e: unknown) => {
  if (e instanceof ValidationError) process.stderr.write(`whywiki: ${e.errors.map((x) => x.message).join(' ')}\n`);
  else if (e instanceof ConfigError || e instanceof StoreTooNewError) process.stderr.write(`whywiki: ${e.message}\n`);
  else process.stderr.write(`whywiki: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
