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

const SLUG = 'sepsis-screening-bpa';
const SECOND = 'second admin words 12';
const OWN = 'my own second admin words 34';

describe('purging an attachment in a real browser', () => {
  it('one admin picks the screenshot on the request form, a second approves, and the page shows a notice in its place', { timeout: 120_000 }, async () => {
    const first = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await first.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, server.url);
    await page.goto(`${server.url}/admin/users/new`);
    await page.fill('input[name=username]', 'admin2');
    await page.selectOption('select[name=role]', 'admin');
    await page.fill('input[name=password]', SECOND);
    await page.click('form[action="/admin/users/new"] button[type=submit]');

    await page.goto(`${server.url}/p/${SLUG}`);
    expect(await page.locator('img.page-image').count()).toBeGreaterThan(0);
    await page.click('a.purge-link');
    await page.locator('#files').scrollIntoViewIfNeeded();
    await page.locator('input[name=file]').first().check();
    await page.fill('#file-reason', 'Test of the file purge: the screenshot stands in for one showing a patient');
    await page.screenshot({ path: path.join(SHOTS, 'file-purge-form.png'), fullPage: false });
    await page.click('form:has(#file-reason) button[type=submit]');
    await page.waitForSelector('.form-message.success');
    expect(await page.locator('.form-message.success').innerText()).toContain('before the file');

    const second = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page2 = await second.newPage();
    page2.on('pageerror', (e) => errors.push(e.message));
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
    expect(await page2.locator('.purge-request').innerText()).toContain('removed from every page that shows it');
    await page2.fill('.purge-request input[type=password]', OWN);
    await page2.click('.purge-request button[type=submit]');
    await page2.waitForSelector('.form-message.success');
    expect(await page2.locator('.form-message.success').innerText()).toContain('the file is gone');

    await page2.goto(`${server.url}/p/${SLUG}`);
    const notice = page2.locator('.file-removed').first();
    await notice.scrollIntoViewIfNeeded();
    expect(await notice.innerText()).toMatch(/removed on .* by admin, approved by admin2: Test of the file purge/);
    expect(await page2.locator('img.page-image').count()).toBe(0);
    await page2.screenshot({ path: path.join(SHOTS, 'file-purge.png'), fullPage: false });
    expect(errors).toEqual([]);
    await first.close();
    await second.close();
  });
});
