import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../server/cli.js';
import { startServer, type RunningServer } from '../server-process.js';
import { PASSWORD, sampleFrontMatter, tempDir } from '../helpers.js';

const running: RunningServer[] = [];
afterAll(async () => {
  for (const s of running) await s.stop();
}, 60_000);

async function cli(args: string[], dir: string): Promise<{ code: number; out: string }> {
  let out = '';
  const w = { write: (text: string) => (out += text) };
  const code = await runCli(args, { stdout: w, stderr: w, env: { ...process.env, WHYWIKI_DATA: dir } });
  return { code, out };
}

async function tokenOn(dir: string, user: string): Promise<string> {
  const made = await cli(['token', 'create', user], dir);
  expect(made.code).toBe(0);
  return made.out.trim().split('\n').pop()!;
}

/** Waits for a condition with a bounded number of tries: the standby pulls on its own interval. */
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('a standby of a primary that dies', () => {
  it('keeps serving pages and search, shows its banner, refuses writes with 503, and takes over when promoted', { timeout: 180_000 }, async () => {
    const primaryDir = tempDir();
    const standbyDir = tempDir();
    const primary = await startServer({ WHYWIKI_DATA: primaryDir, WHYWIKI_ADMIN_PASSWORD: PASSWORD });
    running.push(primary);
    const admin = await tokenOn(primaryDir, 'admin');
    const json = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });

    // A reader's token is refused by the feed; the standby says why and keeps trying.
    expect((await cli(['user', 'add', 'rita', '--role', 'reader', '--password', PASSWORD], primaryDir)).code).toBe(0);
    const readerToken = await tokenOn(primaryDir, 'rita');
    const refused = await startServer({ WHYWIKI_DATA: tempDir(), WHYWIKI_FOLLOW: primary.url, WHYWIKI_FOLLOW_TOKEN: readerToken, WHYWIKI_FOLLOW_INTERVAL_MS: '100' });
    running.push(refused);
    const login = await until('the refusal on the banner', async () => {
      const html = await (await fetch(`${refused.url}/login`)).text();
      return html.includes('refused the feed (403)') ? html : undefined;
    });
    expect(login).toContain('must be an admin');
    await refused.stop();

    const standby = await startServer({ WHYWIKI_DATA: standbyDir, WHYWIKI_FOLLOW: primary.url, WHYWIKI_FOLLOW_TOKEN: admin, WHYWIKI_FOLLOW_INTERVAL_MS: '100' });
    running.push(standby);
    const created = await fetch(`${primary.url}/api/pages`, {
      method: 'POST',
      headers: json(admin),
      body: JSON.stringify({ ...sampleFrontMatter, slug: 'walrus-downtime-plan', title: 'Walrus downtime plan', body: 'During downtime the walrus ledger goes on paper.', summary: 'Written before the outage' }),
    });
    expect(created.status).toBe(201);
    // The primary's admin token works on the standby: accounts and token hashes are followed.
    await until('the new page on the standby', async () => ((await fetch(`${standby.url}/api/pages/walrus-downtime-plan`, { headers: json(admin) })).ok ? true : undefined));

    primary.process.kill('SIGKILL');
    await new Promise((r) => primary.process.once('exit', r));
    running.splice(running.indexOf(primary), 1);

    const page = await fetch(`${standby.url}/api/pages/walrus-downtime-plan`, { headers: json(admin) });
    expect(page.status).toBe(200);
    expect((await page.json()) as { body: string }).toMatchObject({ body: 'During downtime the walrus ledger goes on paper.' });
    const hits = await until('search on the standby', async () => {
      const res = (await (await fetch(`${standby.url}/api/search?q=walrus`, { headers: json(admin) })).json()) as { results?: { slug: string }[] };
      return res.results?.some((r) => r.slug === 'walrus-downtime-plan') ? res.results : undefined;
    });
    expect(hits.length).toBeGreaterThan(0);
    const banner = await until('the banner to name the unreachable primary', async () => {
      const html = await (await fetch(`${standby.url}/login`)).text();
      return html.includes('does not answer') ? html : undefined;
    });
    expect(banner).toMatch(new RegExp(`Standby of ${primary.url} — \\d+ s behind`));

    const write = await fetch(`${standby.url}/api/pages`, { method: 'POST', headers: json(admin), body: JSON.stringify({ ...sampleFrontMatter, title: 'During the outage', body: 'x', summary: 'x' }) });
    expect(write.status).toBe(503);
    expect(((await write.json()) as { message: string }).message).toContain(primary.url);

    const promoted = await cli(['promote'], standbyDir);
    expect(promoted.code).toBe(0);
    const after = await fetch(`${standby.url}/api/pages`, { method: 'POST', headers: json(admin), body: JSON.stringify({ ...sampleFrontMatter, title: 'During the outage', body: 'Written on the promoted standby.', summary: 'First change after the failover' }) });
    expect(after.status).toBe(201);
    expect(await (await fetch(`${standby.url}/login`)).text()).not.toContain('standby-banner');
    const verified = await cli(['verify'], standbyDir);
    expect(verified.out).toContain('Every hash link holds');
  });
});
