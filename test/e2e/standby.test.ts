import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { runCli } from '../../server/cli.js';
import { startServer, type RunningServer } from '../server-process.js';
import { tempDir } from '../temp.js';
import { ADMIN_PASSWORD, SHOTS, serverAndBrowser, signIn } from './browser.js';

let primary: RunningServer;
let standby: RunningServer;
let browser: Browser;

beforeAll(async () => {
  const dir = tempDir();
  ({ server: primary, browser } = await serverAndBrowser({ WHYWIKI_DATA: dir }));
  let out = '';
  await runCli(['token', 'create', 'admin'], { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (out += t) }, env: { ...process.env, WHYWIKI_DATA: dir } });
  standby = await startServer({ WHYWIKI_DATA: tempDir(), WHYWIKI_FOLLOW: primary.url, WHYWIKI_FOLLOW_TOKEN: out.trim().split('\n').pop()!, WHYWIKI_FOLLOW_INTERVAL_MS: '200' });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await standby?.stop();
  await primary?.stop();
}, 60_000);

describe('a standby in a real browser', () => {
  it('signs in with the primary\'s password, shows the banner on every screen, and answers an edit with the primary\'s address', { timeout: 90_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // The accounts arrive with the first pull; until then the sign-in is refused.
    for (let i = 0; i < 100; i++) {
      await page.goto(`${standby.url}/login`);
      if ((await page.textContent('.standby-banner'))?.includes('s behind')) break;
      await page.waitForTimeout(200);
    }
    await signIn(page, standby.url, 'admin', ADMIN_PASSWORD);
    await page.goto(`${standby.url}/p/sepsis-screening-bpa`);
    const banner = await page.textContent('.standby-banner');
    expect(banner).toMatch(new RegExp(`Standby of ${primary.url} — \\d+ s behind`));
    await page.screenshot({ path: path.join(SHOTS, 'standby.png'), fullPage: false });
    await page.goto(`${standby.url}/p/sepsis-screening-bpa/edit`);
    await page.click('form.page-form button[type=submit]');
    expect(await page.textContent('main')).toContain(`read-only standby of ${primary.url}`);
  });
});
