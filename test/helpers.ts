import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../server/config.js';
import { openStore } from '../server/setup.js';
import type { Store } from '../server/store/index.js';
import { buildApp } from '../server/app.js';
import { DB_FILE_NAME } from '../server/store/db.js';
import { createUser } from '../server/auth/commands/create-user.js';
import { createApiToken } from '../server/auth/commands/create-api-token.js';
import { createPage, type CommandContext } from '../server/pages/commands.js';
import { tempDir } from './temp.js';

export const PASSWORD = 'a-long-test-password';

export { madeDirs, tempDir } from './temp.js';

function seedParties(store: Store): void {
  const now = new Date().toISOString();
  const person = (handle: string, name: string, status: 'active' | 'departed' = 'active') =>
    store.parties.insert({ handle, kind: 'person', name, title: null, email: null, status, departed_on: null, created_at: now });
  person('mreyes', 'Maria Reyes');
  person('dokafor', 'David Okafor');
  person('tbrennan', 'Tom Brennan', 'departed');
  store.parties.insert({ handle: 'epic-clindoc', kind: 'team', name: 'Epic ClinDoc Team', title: null, email: null, status: 'active', departed_on: null, created_at: now });
  store.parties.addMember('epic-clindoc', 'mreyes');
}

/**
 * Stores made once per test file and copied for every test: migrating and seeding (and, for testApp,
 * hashing four passwords with scrypt) cost far more than copying a closed SQLite file. Remade when
 * test/setup.ts has removed the folder they lived in.
 */
const templates: { parties?: string; accounts?: Promise<string> } = {};

function templateWithParties(): string {
  if (templates.parties && fs.existsSync(templates.parties)) return templates.parties;
  const dir = tempDir('whywiki-template-');
  const store = openStore(dir);
  seedParties(store);
  store.close(); // closing checkpoints the WAL, so the one file holds everything
  templates.parties = path.join(dir, DB_FILE_NAME);
  return templates.parties;
}

async function makeTemplateWithAccounts(): Promise<string> {
  const { store, dir } = testStore(tempDir('whywiki-template-'));
  for (const role of ['reader', 'editor', 'auditor', 'admin'] as const) {
    await createUser({ store, actor: { username: 'test' } }, { username: role, password: PASSWORD, role });
  }
  store.close();
  return path.join(dir, DB_FILE_NAME);
}

async function templateWithAccounts(): Promise<string> {
  if (templates.accounts && fs.existsSync(await templates.accounts)) return templates.accounts;
  templates.accounts = makeTemplateWithAccounts();
  return templates.accounts;
}

/** A store in `dir` copied from `template` (a fresh folder only: it never overwrites a store). */
function storeFrom(template: string, dir: string): Store {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(template, path.join(dir, DB_FILE_NAME), fs.constants.COPYFILE_EXCL);
  return openStore(dir);
}

/** A real SQLite store in a fresh temp folder, with a few people and teams. */
export function testStore(dir = tempDir()): { store: Store; dir: string } {
  return { store: storeFrom(templateWithParties(), dir), dir };
}

export function testConfig(dir: string, overrides: Partial<Config> = {}): Config {
  // Tests sign in far more often than people do; the sign-in limit has its own tests.
  // Renders get a generous time limit on a busy test machine; the limit itself has its own tests.
  return { ...loadConfig({ WHYWIKI_DATA: dir }), signinAttempts: 10_000, signinAttemptsPerAddress: 10_000, renderTimeoutMs: 60_000, ...overrides };
}

export function commandContext(store: Store, username = 'mreyes', overrides: Partial<CommandContext> = {}): CommandContext {
  return { store, systems: ['Epic', 'Workday', 'Interfaces', 'Infrastructure'], maxBodyBytes: 1024 * 1024, actor: { username }, ...overrides };
}

export const sampleFrontMatter = {
  title: 'Sepsis screening BPA',
  why: 'Nurses missed early sepsis signs in the ED; the BPA prompts a lactate order.',
  owners: ['mreyes'],
  system: 'Epic',
  module: 'ClinDoc',
  status: 'live',
  tickets: ['CHG0012345'],
  records: ['BPA 1234567'],
  go_live: '2024-03-18',
};

export function seedPage(store: Store, slug = 'sepsis-screening-bpa', body = '## Context\n\nLinks to [[vte-panel]].\n') {
  return createPage(commandContext(store), { slug, frontMatter: { ...sampleFrontMatter }, body, summary: 'Created' });
}

export interface TestApp {
  app: FastifyInstance;
  store: Store;
  dir: string;
  close: () => Promise<void>;
}

/** The whole app on a temp store, with one account per role (password PASSWORD). */
export async function testApp(config: Partial<Config> = {}, options: { clock?: () => Date } = {}): Promise<TestApp> {
  const dir = tempDir();
  const store = storeFrom(await templateWithAccounts(), dir);
  const app = await buildApp({ config: testConfig(dir, config), store, logger: process.env.TEST_LOG ? { level: 'error' } : false, clock: options.clock });
  await app.ready();
  return {
    app,
    store,
    dir,
    close: async () => {
      await app.close();
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function tokenFor(store: Store, username: string): string {
  return createApiToken({ store, actor: { username: 'test' } }, { username: username, label: 'test' });
}

function cookiesOf(res: LightMyRequestResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of res.cookies as { name: string; value: string }[]) out[c.name] = c.value;
  return out;
}

export function csrfFrom(html: string): string {
  const m = html.match(/name="_csrf" value="([^"]+)"/);
  if (!m) throw new Error('no CSRF token in page');
  return m[1]!;
}

/** A browser-like session: keeps cookies, and the CSRF token of the last page it read. */
export class Browser {
  cookies: Record<string, string> = {};
  csrf = '';

  constructor(private readonly app: FastifyInstance) {}

  async get(url: string): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'GET', url, cookies: this.cookies });
    Object.assign(this.cookies, cookiesOf(res));
    if (res.headers['content-type']?.toString().includes('text/html') && res.body.includes('name="_csrf"')) this.csrf = csrfFrom(res.body);
    return res;
  }

  async post(url: string, form: Record<string, string>, withCsrf = true): Promise<LightMyRequestResponse> {
    const payload = new URLSearchParams(withCsrf ? { _csrf: this.csrf, ...form } : form).toString();
    const res = await this.app.inject({ method: 'POST', url, payload, cookies: this.cookies, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    Object.assign(this.cookies, cookiesOf(res));
    if (res.headers['content-type']?.toString().includes('text/html') && res.body.includes('name="_csrf"')) this.csrf = csrfFrom(res.body);
    return res;
  }

  async json(method: 'POST' | 'PUT', url: string, body: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.app.inject({ method, url, payload: JSON.stringify(body), cookies: this.cookies, headers: { 'content-type': 'application/json', ...headers } });
  }

  async signIn(username: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    await this.get('/login');
    const res = await this.post('/login', { username, password });
    await this.get('/');
    return res;
  }
}

/**
 * A team that restricted pages name (`privacy`), with one member, Pat Wong, who signs in as the editor
 * "pat". Everyone else in the test store is outside it.
 */
export async function privacyTeam(store: Store): Promise<void> {
  const now = new Date().toISOString();
  store.parties.insert({ handle: 'privacy', kind: 'team', name: 'Privacy Office', title: null, email: null, status: 'active', departed_on: null, created_at: now });
  store.parties.insert({ handle: 'pwong', kind: 'person', name: 'Pat Wong', title: null, email: null, status: 'active', departed_on: null, created_at: now });
  store.parties.addMember('privacy', 'pwong');
  await createUser({ store, actor: { username: 'test' } }, { username: 'pat', password: 'member quiet words 3', role: 'editor', person: 'pwong' });
}

/** An open page ("open-page") and the given pages restricted to the privacy team: the set-up of the paging tests. */
export async function openAndHiddenPages(store: Store, hidden: string[]): Promise<void> {
  await privacyTeam(store);
  createPage(commandContext(store), { slug: 'open-page', frontMatter: { ...sampleFrontMatter, title: 'Open page' }, body: 'Text.', summary: 'Created' });
  for (const slug of hidden) createPage(commandContext(store), { slug, frontMatter: { ...sampleFrontMatter, title: `Title ${slug}`, restricted_to: ['privacy'] }, body: 'Text.', summary: 'Created' });
}

/** How many audit events the store holds: a command's test checks that each write records exactly one. */
export function auditCount(store: Store): number {
  return store.unsafeDatabaseForTests().prepare('SELECT count(*) FROM audit_events').pluck().get() as number;
}

/** A signed-in editor in no team, who may not see pages restricted to one. */
export function outsiderContext(store: Store, overrides: Partial<CommandContext> = {}): CommandContext {
  return commandContext(store, 'outsider', { actor: { username: 'outsider', role: 'editor', person: null, viewer: { admin: false, teams: [] } }, ...overrides });
}

/** A page restricted to the epic-clindoc team (mreyes is a member), written by the operator. */
export function seedRestrictedPage(store: Store, slug = 'restricted-page') {
  return createPage(commandContext(store), { slug, frontMatter: { ...sampleFrontMatter, title: 'Restricted page', restricted_to: ['epic-clindoc'] }, body: 'Team only.', summary: 'Created' });
}
