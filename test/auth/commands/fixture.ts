import type { Store } from '../../../server/store/index.js';
import type { AccountContext } from '../../../server/auth/accounts.js';
import { createUser } from '../../../server/auth/commands/create-user.js';
import { PASSWORD, testStore } from '../../helpers.js';

/** The operator (no role), as the CLI and setup act. */
export const operator = (store: Store): AccountContext => ({ store, actor: { username: 'cli' }, client: 'cli' });
export const adminCtx = (store: Store, username = 'boss'): AccountContext => ({ store, actor: { username, role: 'admin' }, client: '127.0.0.1' });
export const editorCtx = (store: Store): AccountContext => ({ store, actor: { username: 'ed', role: 'editor' }, client: '127.0.0.1' });

/** A store with one admin (boss) and one editor (ed). */
export async function accountsStore(): Promise<{ store: Store }> {
  const { store } = testStore();
  await createUser(operator(store), { username: 'boss', password: PASSWORD, role: 'admin' });
  await createUser(operator(store), { username: 'ed', password: PASSWORD, role: 'editor' });
  return { store };
}
