import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../server/setup.js';
import { createApiToken } from '../../server/auth/commands/create-api-token.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { sampleFrontMatter, tempDir } from '../helpers.js';
import { startServer } from '../server-process.js';

async function ready(url: string, headers: Record<string, string>) {
  for (let i = 0; i < 400; i++) {
    const res = await fetch(`${url}/api/search/status`, { headers });
    const s = (await res.json()) as { state: string };
    if (s.state === 'ready') return s as unknown as Record<string, unknown>;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('search never became ready');
}

describe('graceful shutdown', () => {
  it('finishes requests in flight on SIGTERM, closes the store cleanly, and the next start has nothing to recover', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    const store = openStore(dir);
    await createUser({ store, actor: { username: 'test' } }, { username: 'writer', password: 'shutdown-password', role: 'editor' });
    const headers = { authorization: `Bearer ${createApiToken({ store, actor: { username: 'test' } }, { username: 'writer', label: 'test' })}`, 'content-type': 'application/json' };
    // The index's counts and origins are shown to admins only.
    await createUser({ store, actor: { username: 'test' } }, { username: 'operator', password: 'status-reading-pass', role: 'admin' });
    const adminHeaders = { authorization: `Bearer ${createApiToken({ store, actor: { username: 'test' } }, { username: 'operator', label: 'test' })}` };
    store.close();
    const env = { WHYWIKI_DATA: dir, WHYWIKI_ADMIN_PASSWORD: 'shutdown-first-pw' };

    const first = await startServer(env);
    await ready(first.url, adminHeaders);
    const put = await fetch(`${first.url}/api/pages/sepsis-screening-bpa`, { headers });
    const version = ((await put.json()) as { version: number }).version;
    const saved = await fetch(`${first.url}/api/pages/sepsis-screening-bpa`, { method: 'PUT', headers, body: JSON.stringify({ ...sampleFrontMatter, owners: ['mreyes'], body: 'Mentions a quokka.\n', summary: 'Before shutdown', base_version: version }) });
    expect(saved.status).toBe(200);

    // Requests in flight when SIGTERM arrives are answered; none fails half way.
    const inFlight = Array.from({ length: 20 }, (_, i) =>
      fetch(`${first.url}/${i % 2 ? 'p/sepsis-screening-bpa' : 'api/search?q=quokka'}`, { headers }).then((r) => r.status, () => 'refused' as const),
    );
    await new Promise((r) => setTimeout(r, 5));
    const exited = new Promise<number | null>((r) => first.process.once('exit', (code) => r(code)));
    first.process.kill('SIGTERM');
    const statuses = await Promise.all(inFlight);
    expect(await exited).toBe(0);
    // Answered in full, or (arriving after closing began) refused or told 503 with Connection: close.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 'refused' && s !== 200 && s !== 503)).toEqual([]);
    const wal = path.join(dir, 'whywiki.db-wal');
    expect(fs.existsSync(wal) ? fs.statSync(wal).size : 0).toBe(0);
    expect(fs.existsSync(path.join(dir, 'search-index-delta.bin'))).toBe(true);

    const second = await startServer(env);
    const status = await ready(second.url, adminHeaders);
    expect(status).toMatchObject({ loadedFrom: 'file', builds: 0, indexedAtStart: 0 });
    const found = await fetch(`${second.url}/api/search?q=quokka`, { headers });
    expect(((await found.json()) as { results: { slug: string }[] }).results[0]?.slug).toBe('sepsis-screening-bpa');
    await second.stop();
  });
});
