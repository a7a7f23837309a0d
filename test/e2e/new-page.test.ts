import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { tempDir } from '../temp.js';
import { startServer, type RunningServer } from '../server-process.js';
import { ROOT } from '../../server/paths.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN_PASSWORD = 'e2e-first-password-1';
const SHOTS = process.env.WHYWIKI_SCREENSHOTS ? path.join(ROOT, 'docs', 'screenshots') : tempDir('whywiki-shots-');

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run "apt-get install -y chromium" (CI's .ci/run does) or set CHROMIUM_PATH.`);
  server = await startServer({ WHYWIKI_DATA: tempDir(), WHYWIKI_ADMIN_PASSWORD: ADMIN_PASSWORD, WHYWIKI_TICKET_URL: 'https://servicenow.example/{id}' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}, 90_000);

/** A fresh browser tab signed in as admin, on the home page. */
async function signedInPage(height: number) {
  const page = await browser.newPage({ viewport: { width: 1280, height } });
  await page.goto(`${server.url}/login`);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', ADMIN_PASSWORD);
  await page.click('form[action="/login"] button[type=submit]');
  await page.waitForURL(`${server.url}/`);
  return page;
}

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('a person in a real browser', () => {
  it('signs in, is told the why is missing with the form intact, fixes it, saves and sees the page', { timeout: 60_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // The refused form answers 400 on purpose; any other console error is a fault.
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('status of 400')) errors.push(m.text()); });

    await page.goto(`${server.url}/`);
    await expect.poll(() => page.url()).toContain('/login');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${server.url}/`);
    expect(await page.textContent('h1')).toBe('Build decisions');
    await page.screenshot({ path: path.join(SHOTS, 'home.png'), fullPage: false });

    await page.click('a.new-page');
    await page.waitForURL(/\/new$/);
    await page.fill('#f-title', 'Blood culture reflex order');
    await page.fill('#f-owners', 'dokafor');
    await page.selectOption('#f-system', 'Epic');
    await page.fill('#f-module', 'Orders');
    await page.fill('#f-tickets', 'CHG0077777');
    await page.fill('#f-body', '## Context\n\nLinks to [[sepsis-screening-bpa]].\n\n| step | who |\n|---|---|\n| build | Orders team |');
    await expect.poll(async () => (await page.innerHTML('#preview')).includes('<table>'), { timeout: 5000 }).toBe(true);
    await page.click('form.page-form button[type=submit]');

    await page.waitForSelector('#f-why-error');
    expect(await page.textContent('#f-why-error')).toContain('Why is required');
    expect(await page.inputValue('#f-title')).toBe('Blood culture reflex order');
    expect(await page.inputValue('#f-owners')).toBe('dokafor');
    expect(await page.inputValue('#f-system')).toBe('Epic');
    expect(await page.inputValue('#f-tickets')).toBe('CHG0077777');
    expect(await page.inputValue('#f-body')).toContain('Links to [[sepsis-screening-bpa]].');
    await page.screenshot({ path: path.join(SHOTS, 'form-error.png'), fullPage: false });

    await page.fill('#f-why', 'Blood cultures were drawn without a reflex order, delaying sensitivities by a day.');
    await page.fill('#f-summary', 'Documented the reflex order');
    await page.click('form.page-form button[type=submit]');
    await page.waitForURL(`${server.url}/p/blood-culture-reflex-order`);
    expect(await page.textContent('h1')).toBe('Blood culture reflex order');
    expect(await page.textContent('.why')).toContain('Blood cultures were drawn without a reflex order');
    expect(await page.getAttribute('a.ticket', 'href')).toBe('https://servicenow.example/CHG0077777');
    expect(await page.textContent('.page-meta')).toContain('Version 1 by admin');
    expect(errors).toEqual([]);
  });

  it('reads a seeded demo page with its why, owners and history', { timeout: 60_000 }, async () => {
    const page = await signedInPage(1000);
    const first = await page.getAttribute('.system .page-list a', 'href');
    expect(first).toMatch(/^\/p\//);
    await page.goto(`${server.url}/p/sepsis-screening-bpa`);
    expect(await page.textContent('.why h2')).toBe('Why it was built');
    expect(await page.locator('.owners a').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, 'page.png'), fullPage: true });
  });

  it('walks history, compares two versions, and restores an old one', { timeout: 60_000 }, async () => {
    const page = await signedInPage(900);

    await page.goto(`${server.url}/p/sepsis-screening-bpa`);
    await page.click('a.history-link');
    await page.waitForURL(/\/history$/);
    expect(await page.locator('table.history tbody tr').count()).toBe(3);
    await page.screenshot({ path: path.join(SHOTS, 'history.png') });

    await page.check('input[name=from][value="1"]');
    await page.check('input[name=to][value="3"]');
    await page.click('button.compare-button');
    await page.waitForURL(/\/diff\?/);
    expect(await page.textContent('h1')).toBe('Version 1 → 3');
    expect(await page.locator('mark.w-added').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SHOTS, 'diff.png') });

    await page.goto(`${server.url}/p/sepsis-screening-bpa/v/1`);
    await page.fill('.restore-form input[name=summary]', 'Committee reverted the lactate change');
    await page.click('.restore-form button[type=submit]');
    await page.waitForURL(`${server.url}/p/sepsis-screening-bpa`);
    expect(await page.textContent('.page-meta')).toContain('Version 4 by admin');
    expect(await page.textContent('.wiki-page')).toContain('A lactate of 4.0 mmol/L or more counts as a criterion on its own.');
  });

  it('finds pages from the header box as they type, then filters on the search page', { timeout: 60_000 }, async () => {
    const page = await signedInPage(900);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const box = page.locator('.header-search input[name=q]');
    await box.click();
    await box.pressSequentially('sepsis scr', { delay: 30 });
    const first = page.locator('#suggestions [role=option]').first();
    await expect.poll(() => first.textContent(), { timeout: 10_000 }).toContain('Sepsis screening BPA');
    expect(await first.locator('mark').first().textContent()).toMatch(/^sepsis$/i);
    await page.screenshot({ path: path.join(SHOTS, 'search-suggestions.png') });

    await box.fill('');
    await box.pressSequentially('bpa-1900231', { delay: 20 });
    await expect.poll(() => page.locator('#suggestions [role=option]').first().textContent(), { timeout: 10_000 }).toContain('Sepsis screening BPA');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/p/sepsis-screening-bpa`);

    await page.goto(`${server.url}/search?q=order`);
    const count = async () => Number(/of (\d+)/.exec((await page.textContent('.result-count')) ?? '')?.[1] ?? 0);
    const all = await count();
    expect(all).toBeGreaterThan(2);
    expect(await page.locator('.hit mark').count()).toBeGreaterThan(0);
    await page.click('.facet a:text-is("Epic")');
    await page.waitForURL(/system=Epic/);
    expect(await count()).toBeLessThan(all);
    expect(await page.locator('.hit-meta').allTextContents()).not.toContainEqual(expect.stringContaining('Workday'));
    await page.screenshot({ path: path.join(SHOTS, 'search.png'), fullPage: true });
    expect(errors).toEqual([]);
  });
});
