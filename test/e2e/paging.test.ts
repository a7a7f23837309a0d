import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../server-process.js';
import { commandContext, sampleFrontMatter, tempDir } from '../helpers.js';
import { openStore } from '../../server/setup.js';
import { createPage } from '../../server/pages/commands.js';
import { SHOTS, signIn, useServerAndBrowser } from './browser.js';

let server: RunningServer;
let browser: Browser;
const dataDir = tempDir();
useServerAndBrowser((s, b) => {
  server = s;
  browser = b;
}, { WHYWIKI_DATA: dataDir });

/** Enough pages for the home page to need three pages of its own (another process writing, as the CLI does). */
function manyPages(): void {
  const store = openStore(dataDir);
  try {
    const systems = ['Epic', 'Workday', 'Interfaces', 'Infrastructure'];
    store.transaction(() => {
      for (let i = 0; i < 240; i++) {
        createPage(commandContext(store, 'mreyes'), { slug: `order-set-change-${i}`, frontMatter: { ...sampleFrontMatter, title: `Order set change ${i}`, system: systems[i % 4]!, module: `Module ${i % 6}` }, body: 'Text.', summary: 'Created' });
      }
    });
  } finally {
    store.close();
  }
}

describe('the home page with paging in a browser', () => {
  it('shows numbered pages a keyboard can reach, on a desktop and on a phone', async () => {
    manyPages();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, server.url);
    const nav = page.locator('nav[aria-label="Pages"]');
    expect(await nav.count()).toBe(1);
    expect(await nav.locator('[aria-current="page"]').textContent()).toBe('1');
    await page.screenshot({ path: path.join(SHOTS, 'desktop-home-paged.png'), fullPage: true });

    // The next page by keyboard: focus the "Next" link and press Enter.
    await nav.locator('a[rel="next"]').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/?page=2`);
    expect(await page.locator('nav[aria-label="Pages"] [aria-current="page"]').textContent()).toBe('2');
    expect(await page.title()).toContain('page 2 of');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${server.url}/?page=2`);
    // Nothing wider than the phone: the page links wrap.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.locator('nav[aria-label="Pages"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'phone-home-paged.png') });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
