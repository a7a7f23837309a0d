import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openStore } from '../../server/setup.js';
import { changeRole } from '../../server/auth/commands/change-role.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { revokeApiToken } from '../../server/auth/commands/revoke-api-token.js';
import { setUserActive } from '../../server/auth/commands/set-user-active.js';
import { createPage } from '../../server/pages/commands.js';
import { Browser, commandContext, seedPage, testApp, tokenFor, type TestApp } from '../helpers.js';

const admin = { actor: 'admin' };

describe('sign-ins remembered between requests', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp();
    seedPage(t.store);
  });
  afterEach(async () => t.close());

  const view = (headers: Record<string, string>) => t.app.inject({ url: '/p/sepsis-screening-bpa', headers });
  /** Another process (the CLI) writing to the same store file. */
  const elsewhere = <T>(fn: (store: ReturnType<typeof openStore>) => T): T => {
    const other = openStore(t.dir);
    try {
      return fn(other);
    } finally {
      other.close();
    }
  };

  it('reads the account from the store once per token and per session, not on every page view', async () => {
    const bearer = { authorization: `Bearer ${tokenFor(t.store, 'reader')}` };
    const browser = new Browser(t.app);
    await browser.signIn('editor');
    const byToken = vi.spyOn(t.store.users, 'byTokenHash');
    const byId = vi.spyOn(t.store.users, 'byId');
    for (let i = 0; i < 3; i++) {
      expect((await view(bearer)).statusCode).toBe(200);
      expect((await browser.get('/p/sepsis-screening-bpa')).statusCode).toBe(200);
    }
    expect(byToken.mock.calls.length).toBeLessThanOrEqual(1);
    expect(byId.mock.calls.length).toBeLessThanOrEqual(1);
  });

  it('refuses a revoked token on the very next request, revoked here or by another process', async () => {
    const first = tokenFor(t.store, 'reader');
    const second = tokenFor(t.store, 'reader');
    for (const token of [first, second]) expect((await view({ authorization: `Bearer ${token}` })).statusCode).toBe(200);
    const ids = t.store.users.tokens(t.store.users.byName('reader')!.id).map((r) => r.id).sort((a, b) => a - b);
    revokeApiToken({ store: t.store, actor: { username: admin.actor } }, { username: 'reader', tokenId: ids[0]! });
    expect((await view({ authorization: `Bearer ${first}` })).statusCode).toBe(401);
    elsewhere((s) => revokeApiToken({ store: s, actor: { username: admin.actor } }, { username: 'reader', tokenId: ids[1]! }));
    expect((await view({ authorization: `Bearer ${second}` })).statusCode).toBe(401);
  });

  it('forgets a session at sign-out', async () => {
    const browser = new Browser(t.app);
    await browser.signIn('reader');
    const cookies = { ...browser.cookies };
    expect((await browser.get('/p/sepsis-screening-bpa')).statusCode).toBe(200);
    await browser.post('/logout', {});
    const again = await t.app.inject({ url: '/p/sepsis-screening-bpa', cookies });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toMatch(/^\/login/);
  });

  it('applies a role change and a deactivation on the next request, by session and by token', async () => {
    const browser = new Browser(t.app);
    await browser.signIn('editor');
    const bearer = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
    expect((await browser.get('/new')).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/new', headers: bearer })).statusCode).toBe(200);
    changeRole({ store: t.store, actor: { username: admin.actor } }, { username: 'editor', role: 'reader' });
    expect((await browser.get('/new')).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/new', headers: bearer })).statusCode).toBe(403);

    elsewhere((s) => setUserActive({ store: s, actor: { username: admin.actor } }, { username: 'editor', active: false }));
    expect((await view(bearer)).statusCode).toBe(401);
    expect((await browser.get('/p/sepsis-screening-bpa')).statusCode).toBe(303);
  });

  it('shows a restricted page as soon as the viewer joins its team, and hides it when they leave', async () => {
    createPage(commandContext(t.store), { slug: 'clindoc-only', frontMatter: { title: 'ClinDoc only', why: 'Team notes.', owners: ['mreyes'], system: 'Epic', status: 'live', restricted_to: ['epic-clindoc'] }, body: 'Notes.' });
    await createUser({ store: t.store, actor: { username: admin.actor } }, { username: 'david', password: 'another long test password', role: 'reader', person: 'dokafor' });
    const bearer = { authorization: `Bearer ${tokenFor(t.store, 'david')}` };
    expect((await t.app.inject({ url: '/p/clindoc-only', headers: bearer })).statusCode).toBe(404);
    elsewhere((s) => s.parties.addMember('epic-clindoc', 'dokafor'));
    expect((await t.app.inject({ url: '/p/clindoc-only', headers: bearer })).statusCode).toBe(200);
    t.store.parties.setMembers('epic-clindoc', ['mreyes']);
    expect((await t.app.inject({ url: '/p/clindoc-only', headers: bearer })).statusCode).toBe(404);
  });
});
