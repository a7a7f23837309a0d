// Paged lists at scale: how long the home page and GET /api/pages take on a large store, signed in by
// session cookie, for a reader who sees every page and one with restricted pages hidden.
//
//   tsx bench/paging.ts seed <dir> [pages]   a store of that many pages (1 in 100 restricted to a team)
//   tsx bench/paging.ts time <dir>           median of 5 requests per screen, after one warm-up
//
// A copy of a store built elsewhere (such as the 50,000-page one) can be timed the same way; `time` adds
// the two accounts it signs in with when they are missing.
import { performance } from 'node:perf_hooks';
import { openStore } from '../server/setup.js';
import { buildApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { createUser } from '../server/auth/commands/create-user.js';
import { createPage } from '../server/pages/commands.js';
import { median } from './corpus.js';

const PASSWORD = 'bench-paging-password';
const SYSTEMS = ['Epic', 'Workday', 'Interfaces', 'Infrastructure'];
const log = (s: string) => process.stdout.write(`${s}\n`);

function seed(dir: string, n: number): void {
  const store = openStore(dir);
  const now = new Date().toISOString();
  if (!store.parties.get('owner')) {
    store.parties.insert({ handle: 'owner', kind: 'person', name: 'Page Owner', title: null, email: null, status: 'active', departed_on: null, created_at: now });
    store.parties.insert({ handle: 'privacy', kind: 'team', name: 'Privacy Office', title: null, email: null, status: 'active', departed_on: null, created_at: now });
  }
  const ctx = { store, systems: SYSTEMS, maxBodyBytes: 1024 * 1024, actor: { username: 'owner' } };
  const t0 = performance.now();
  for (let start = 0; start < n; start += 1000) {
    store.transaction(() => {
      for (let i = start; i < Math.min(n, start + 1000); i++) {
        createPage(ctx, {
          slug: `decision-${String(i).padStart(6, '0')}`,
          frontMatter: { title: `Decision ${i}: order set change`, why: 'Clinicians asked for it.', owners: ['owner'], system: SYSTEMS[i % 4]!, module: `Module ${i % 37}`, status: 'live', ...(i % 100 === 7 ? { restricted_to: ['privacy'] } : {}) },
          body: `## Context\n\nDecision ${i} links to [[decision-${String((i * 7) % n).padStart(6, '0')}]].\n`,
          summary: 'Created',
        });
      }
    });
  }
  log(`seeded ${n} pages in ${Math.round(performance.now() - t0)} ms`);
  store.close();
}

async function time(dir: string): Promise<void> {
  const store = openStore(dir);
  for (const username of ['reader', 'member']) {
    if (!store.users.byName(username)) {
      if (username === 'member' && !store.parties.get('bench-member')) {
        store.parties.insert({ handle: 'bench-member', kind: 'person', name: 'Bench Member', title: null, email: null, status: 'active', departed_on: null, created_at: new Date().toISOString() });
        if (store.parties.get('privacy')) store.parties.addMember('privacy', 'bench-member');
      }
      await createUser({ store, actor: { username: 'bench' } }, { username, password: PASSWORD, role: 'reader', ...(username === 'member' ? { person: 'bench-member' } : {}) });
    }
  }
  const app = await buildApp({ config: { ...loadConfig({ WHYWIKI_DATA: dir }), signinAttempts: 10_000 }, store, logger: false });
  await app.ready();
  const cookieFor = async (username: string) => {
    const form = await app.inject({ url: '/login' });
    const jar = Object.fromEntries((form.cookies as { name: string; value: string }[]).map((c) => [c.name, c.value]));
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const res = await app.inject({ method: 'POST', url: '/login', cookies: jar, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: csrf, username, password: PASSWORD }).toString() });
    return { ...jar, ...Object.fromEntries((res.cookies as { name: string; value: string }[]).map((c) => [c.name, c.value])) };
  };
  const screens = ['/', '/?page=2', '/?page=250', '/api/pages', '/api/pages?limit=1000', '/api/pages?offset=40000&limit=100', ...(process.env.SCREENS ? process.env.SCREENS.split(',') : [])];
  log(`${store.pages.count()} listed pages, ${store.pages.restrictions().length} restricted`);
  for (const username of ['reader', 'member']) {
    const cookies = await cookieFor(username);
    for (const url of screens) {
      const ms: number[] = [];
      let status = 0;
      let bytes = 0;
      for (let i = 0; i < 6; i++) {
        const t0 = performance.now();
        const res = await app.inject({ url, cookies });
        if (i > 0) ms.push(performance.now() - t0);
        status = res.statusCode;
        bytes = res.rawPayload.length;
      }
      log(`${username.padEnd(7)} ${url.padEnd(36)} ${status} ${String(bytes).padStart(8)} B  median ${median(ms).toFixed(1)} ms`);
    }
  }
  await app.close();
  store.close();
}

const [mode, dir, n] = process.argv.slice(2);
if (mode === 'seed' && dir) seed(dir, Number(n ?? 50_000));
else if (mode === 'time' && dir) await time(dir);
else log('usage: tsx bench/paging.ts seed <dir> [pages] | time <dir>');
