import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { openStore } from '../../server/setup.js';
import { createApiToken } from '../../server/auth/commands/create-api-token.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { verifyStore } from '../../server/audit/verify.js';
import { ROOT } from '../../server/paths.js';
import { sampleFrontMatter, tempDir } from '../helpers.js';
import { startServer, TSX, type RunningServer } from '../server-process.js';

let server: RunningServer;
let dir: string;
let headers: Record<string, string>;

beforeAll(async () => {
  dir = tempDir();
  const store = openStore(dir);
  await createUser({ store, actor: { username: 'test' } }, { username: 'writer', password: 'concurrency-password', role: 'editor' });
  headers = { authorization: `Bearer ${createApiToken({ store, actor: { username: 'test' } }, { username: 'writer', label: 'test' })}`, 'content-type': 'application/json' };
  store.close();
  server = await startServer({ WHYWIKI_DATA: dir, WHYWIKI_ADMIN_PASSWORD: 'concurrency-test-pw' });
  for (let i = 0; i < 300; i++) {
    const s = await fetch(`${server.url}/api/search/status`, { headers });
    if (s.ok && ((await s.json()) as { state: string }).state === 'ready') break;
    await new Promise((r) => setTimeout(r, 50));
  }
}, 90_000);

afterAll(async () => server?.stop());

/** Readers hitting pages and search until told to stop; every status they saw. */
function readers(n: number, stop: { now: boolean }): Promise<number[]> {
  const urls = ['/p/sepsis-screening-bpa', '/api/pages/sepsis-screening-bpa', '/api/search?q=sepsis', '/api/pages?limit=20', '/'];
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const seen: number[] = [];
      for (let k = 0; !stop.now && k < 2000; k++) {
        const res = await fetch(`${server.url}${urls[(i + k) % urls.length]}`, { headers });
        await res.arrayBuffer();
        seen.push(res.status);
      }
      return seen;
    }),
  ).then((all) => all.flat());
}

/** Another process saving in a loop through its own connection, so the HTTP writers meet a real lock. */
function outsideWriter(saves: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [path.join(ROOT, 'test/http/outside-writer.ts'), dir, String(saves)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => (code === 0 ? resolve(saves) : reject(new Error(`outside writer failed: ${err}`))));
  });
}

describe('concurrent writers', () => {
  it('50 clients saving the same page from the same base: exactly one wins, 49 get 409, readers never see an error', { timeout: 60_000 }, async () => {
    const page = (await (await fetch(`${server.url}/api/pages/sepsis-screening-bpa`, { headers })).json()) as { version: number };
    const stop = { now: false };
    const reading = readers(8, stop);
    const outside = outsideWriter(150).catch((e: Error) => e);
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await fetch(`${server.url}/api/pages/sepsis-screening-bpa`, {
          method: 'PUT',
          headers,
          body: JSON.stringify({ ...sampleFrontMatter, owners: ['mreyes'], body: `Writer ${i} was here.\n`, summary: `Writer ${i}`, base_version: page.version }),
        });
        return { status: res.status, body: (await res.json()) as { current_version?: number; version?: number } };
      }),
    );
    const outsideDone = await outside;
    stop.now = true;
    const seen = await reading;
    expect(outsideDone).toBe(150);
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.current_version).toBe(page.version + 1);
    expect(seen.length).toBeGreaterThan(50);
    expect(seen.filter((s) => s !== 200)).toEqual([]);
    const store = openStore(dir);
    const versions = store.unsafeDatabaseForTests().prepare("SELECT count(*) FROM page_versions WHERE slug = 'sepsis-screening-bpa'").pluck().get();
    expect(versions).toBe(page.version + 1);
    expect(store.unsafeDatabaseForTests().prepare("SELECT count(*) FROM page_versions WHERE slug = 'outside-writer'").pluck().get()).toBe(150);
    expect(verifyStore(store).break).toBeNull();
    store.close();
  });

  it('50 clients creating different pages: all succeed', { timeout: 60_000 }, async () => {
    const stop = { now: false };
    const reading = readers(4, stop);
    const statuses = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await fetch(`${server.url}/api/pages`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ ...sampleFrontMatter, owners: ['mreyes'], title: `Concurrent page number ${i}`, slug: `concurrent-${i}`, body: `Page ${i}.\n` }),
        });
        await res.arrayBuffer();
        return res.status;
      }),
    );
    stop.now = true;
    expect(statuses).toEqual(Array(50).fill(201));
    expect((await reading).filter((s) => s !== 200)).toEqual([]);
    const found = await fetch(`${server.url}/api/search?q=${encodeURIComponent('"concurrent page number 37"')}`, { headers });
    expect(((await found.json()) as { results: { slug: string }[] }).results[0]?.slug).toBe('concurrent-37');
  });
});
