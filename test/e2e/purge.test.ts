import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../server-process.js';
import { SHOTS, signIn, useServerAndBrowser } from './browser.js';

let server: RunningServer;
let browser: Browser;

useServerAndBrowser((s, b) => {
  server = s;
  browser = b;
});

const SLUG = 'adt-a08-patient-update-filter';
const TEXT = 'Queue depth on the engine reached 40,000 messages at peak.';
const SECOND = 'second admin words 12';
const OWN = 'my own second admin words 34';

describe('purging text in a real browser', () => {
  it('one admin requests from the page, a second approves with their password, and the page says so', { timeout: 120_000 }, async () => {
    const first = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await first.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, server.url);
    // A second admin, made through the users screen.
    await page.goto(`${server.url}/admin/users/new`);
    await page.fill('input[name=username]', 'admin2');
    await page.selectOption('select[name=role]', 'admin');
    await page.fill('input[name=password]', SECOND);
    await page.click('form[action="/admin/users/new"] button[type=submit]');

    await page.goto(`${server.url}/p/${SLUG}`);
    await page.click('a.purge-link');
    await page.fill('#text', TEXT);
    await page.fill('#reason', 'Test of the purge screens: the sentence stands in for a pasted patient detail');
    await page.click('form[action$="/purge"] button[type=submit]');
    await page.waitForSelector('.form-message.success');
    expect(await page.locator('.form-message.success').innerText()).toContain('A second admin must approve it');
    // The one who asked is told they cannot approve.
    expect(await page.locator('.purge-request').innerText()).toContain('You requested this purge');

    const second = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page2 = await second.newPage();
    page2.on('pageerror', (e) => errors.push(e.message));
    // An account an admin made chooses its own password on first sign-in.
    await page2.goto(`${server.url}/login`);
    await page2.fill('input[name=username]', 'admin2');
    await page2.fill('input[name=password]', SECOND);
    await page2.click('form[action="/login"] button[type=submit]');
    await page2.waitForURL(`${server.url}/account/password`);
    await page2.fill('input[name=current]', SECOND);
    await page2.fill('input[name=password]', OWN);
    await page2.fill('input[name=confirm]', OWN);
    await page2.click('form[action="/account/password"] button[type=submit]');
    await page2.waitForLoadState();
    await page2.goto(`${server.url}/admin/purges`);
    await page2.screenshot({ path: path.join(SHOTS, 'purges.png'), fullPage: false });
    await page2.fill('.purge-request input[type=password]', OWN);
    await page2.click('.purge-request button[type=submit]');
    await page2.waitForSelector('.form-message.success');
    expect(await page2.locator('.form-message.success').innerText()).toContain('applied');

    await page2.goto(`${server.url}/p/${SLUG}`);
    const banner = page2.locator('.purged-banner');
    expect(await banner.innerText()).toContain('Content removed');
    expect(await banner.innerText()).toContain('approved by admin2');
    expect(await page2.locator('.wiki-page').innerText()).not.toContain(TEXT);
    expect(await page2.locator('.wiki-page').innerText()).toContain('[removed]');
    await page2.screenshot({ path: path.join(SHOTS, 'purge.png'), fullPage: false });
    expect(errors).toEqual([]);
    await first.close();
    await second.close();
  });
});
