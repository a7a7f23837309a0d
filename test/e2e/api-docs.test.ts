import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../server-process.js';
import { ADMIN_PASSWORD, SHOTS, useServerAndBrowser } from './browser.js';

let server: RunningServer;
let browser: Browser;

useServerAndBrowser((s, b) => {
  server = s;
  browser = b;
});

describe('the API reference in a real browser', () => {
  it('sends a signed-out person to sign in, then shows every operation under the strict CSP, fetching nothing from elsewhere', { timeout: 60_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    // A CSP refusal shows up as a console error.
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    const elsewhere: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith(server.url) && !r.url().startsWith('data:')) elsewhere.push(r.url()); });

    await page.goto(`${server.url}/api/docs`);
    await page.waitForURL(/\/login\?next=%2Fapi%2Fdocs$/);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('form[action="/login"] button[type=submit]');
    await page.waitForURL(`${server.url}/api/docs`);

    await page.waitForSelector('.opblock-summary-path');
    const paths = await page.$$eval('.opblock', (blocks) => blocks.map((b) => `${b.querySelector('.opblock-summary-method')?.textContent} ${b.querySelector('.opblock-summary-path')?.getAttribute('data-path')}`));
    expect(paths).toContain('PUT /api/pages/{slug}');
    expect(paths).toContain('GET /api/openapi.json');
    expect(await page.textContent('.info .title')).toContain('Whywiki API');
    await page.screenshot({ path: path.join(SHOTS, 'api-docs.png'), fullPage: false });

    // One operation opened: its request body and answers, with the error shape.
    await page.click('#operations-pages-put_api_pages__slug_ .opblock-summary');
    await page.waitForSelector('#operations-pages-put_api_pages__slug_ .responses-table');
    await page.screenshot({ path: path.join(SHOTS, 'api-docs-put.png'), fullPage: false });

    expect(problems).toEqual([]);
    expect(elsewhere).toEqual([]);
  });
});
