import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { tempDir } from '../temp.js';
import { openStore } from '../../server/setup.js';
import { seedFromContent } from '../../server/seed.js';
import { loadConfig } from '../../server/config.js';
import { CONTENT_DIR } from '../../server/paths.js';
import { exportOffline } from '../../server/transfer/offline.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let browser: Browser;
let out: string;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run "apt-get install -y chromium" (CI's .ci/run does) or set CHROMIUM_PATH.`);
  const dir = tempDir();
  const config = loadConfig({ WHYWIKI_DATA: dir });
  const store = openStore(dir);
  seedFromContent(store, CONTENT_DIR, { systems: config.systems, maxBodyBytes: config.maxBodyBytes });
  out = path.join(tempDir(), 'offline');
  exportOffline(store, config, out);
  store.close();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

describe('the offline copy', () => {
  it('opens from a file:// URL with no server, finds a page with its search, and follows links between pages', { timeout: 60_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(path.join(out, 'index.html')).href);
    expect(await page.textContent('h1')).toBe('Build decisions');
    await page.fill('#offline-q', 'lactate');
    await page.waitForSelector('.offline-hits li a');
    const hit = page.locator('.offline-hits li a').first();
    expect(await hit.textContent()).toBe('Sepsis screening BPA for adult ED and inpatients');
    await hit.click();
    await page.waitForURL(/p\/sepsis-screening-bpa\.html$/);
    expect(await page.textContent('h1')).toBe('Sepsis screening BPA for adult ED and inpatients');
    // The page's screenshot was copied beside it and shows from the file system.
    const shot = page.locator('.markdown img').first();
    expect(await shot.getAttribute('src')).toMatch(/^\.\.\/files\/[0-9a-f]{64}\/sepsis-bpa-criteria\.png$/);
    await expect.poll(() => shot.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1280);
    // A [[link]] in the body leads to the other page's file.
    const link = page.locator('.markdown a.wikilink').first();
    const href = await link.getAttribute('href');
    expect(href).toMatch(/^\.\.\/p\/[a-z0-9-]+\.html$/);
    await link.click();
    await page.waitForURL(/\.html$/);
    expect(await page.isVisible('.why')).toBe(true);
    // The superseded decision points to its successor here too.
    await page.goto(pathToFileURL(path.join(out, 'p', 'nursing-admission-navigator-v1.html')).href);
    expect(await page.textContent('.superseded-banner')).toContain('Streamlined nursing admission navigator');
    expect(requests.every((u) => u.startsWith('file://'))).toBe(true);
    expect(errors).toEqual([]);
  });
});
