import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import type { AddressInfo } from 'node:net';
import { sampleFrontMatter, testApp, tokenFor, PASSWORD, type TestApp } from '../helpers.js';

let t: TestApp;
let base: string;
let browser: Browser;

beforeAll(async () => {
  t = await testApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const admin = tokenFor(t.store, 'admin');
  const page = await t.app.inject({ method: 'POST', url: '/api/pages', headers: { authorization: `Bearer ${admin}` }, payload: { ...sampleFrontMatter, slug: 'export-bait', body: 'A chart:\n\n![chart](/api/audit/export.csv)\n\n![json](/api/audit/export.json)\n' } });
  expect(page.statusCode).toBe(201);
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** Signs in through the real form, starting from the given sign-in address; answers where the browser ends up. */
async function signInFrom(page: Page, loginUrl: string, username: string): Promise<URL> {
  await page.goto(`${base}${loginUrl}`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  return new URL(page.url());
}

describe('in Chromium, with the content security policy on', () => {
  it('stays on this site after sign-in, whatever the sign-in link asks for', { timeout: 90_000 }, async () => {
    for (const next of ['/%09/evil.example', '%09//evil.example', '/%5C/evil.example', '//evil.example', '/%0D%0ASet-Cookie:%20x=1', '/p/caf%C3%A9']) {
      const context = await browser.newContext();
      // Were the browser sent off-site, it would land here instead of failing on a name lookup.
      await context.route((url) => url.hostname === 'evil.example', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: 'evil' }));
      const page = await context.newPage();
      try {
        const landed = await signInFrom(page, `/login?next=${next}`, 'reader');
        expect(landed.origin, next).toBe(base);
        expect(await page.content(), next).not.toContain('evil');
      } finally {
        await context.close();
      }
    }
  });

  it('makes no export when an auditor opens a page that embeds the export URLs as images', async () => {
    const exports = () => t.store.unsafeDatabaseForTests().prepare("SELECT count(*) FROM audit_events WHERE action = 'export.made'").pluck().get() as number;
    const before = exports();
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signInFrom(page, '/login', 'auditor');
      const answers: number[] = [];
      page.on('response', (res) => { if (res.url().includes('/api/audit/export')) answers.push(res.status()); });
      await page.goto(`${base}/p/export-bait`, { waitUntil: 'networkidle' });
      // The page does not even ask: an image on the wiki's own routes (other than the page's files) is shown as text.
      expect(answers).toEqual([]);
      expect(await page.locator('.markdown img').count()).toBe(0);
      // And if a browser is made to ask anyway (an image planted in the document), the GET exports nothing.
      await page.evaluate(() => Promise.all(['/api/audit/export.csv', '/api/audit/export.json'].map((src) => new Promise((resolve) => {
        const img = new Image();
        img.onload = img.onerror = resolve;
        img.src = src;
      }))));
      await expect.poll(() => answers.length).toBe(2);
      expect(answers).toEqual([405, 405]);
      expect(exports()).toBe(before);
      // The export button on /audit still works, and is recorded.
      await page.goto(`${base}/audit`);
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('form.exports button:has-text("CSV")')]);
      expect(download.suggestedFilename()).toBe('whywiki-audit.csv');
      expect(exports()).toBe(before + 1);
    } finally {
      await context.close();
    }
  });
});
