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

describe('comments in a real browser', () => {
  it('flags the page, mentions someone picked from the @ suggestions, replies and resolves', { timeout: 120_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, server.url);
    await page.goto(`${server.url}/p/${SLUG}`);

    // A "wrong" flag, mentioning Maria: typing @mar suggests her; Enter puts her handle in.
    const box = page.locator('#comment-body');
    await box.click();
    await page.keyboard.type('The lactate threshold moved to 2.5 mmol/L in May; ');
    await page.keyboard.type('@mar');
    const option = page.getByRole('option', { name: /Maria Reyes/ });
    await option.waitFor();
    await page.keyboard.press('Enter');
    await page.keyboard.type('can you confirm?');
    expect(await box.inputValue()).toBe('The lactate threshold moved to 2.5 mmol/L in May; @mreyes can you confirm?');
    await page.getByLabel('This page is wrong or out of date').check();
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.waitForURL(new RegExp(`/p/${SLUG}#comment-\\d+$`));

    const banner = page.locator('#wrong-banner');
    await expect(banner.textContent()).resolves.toContain('The lactate threshold moved to 2.5 mmol/L in May');
    const thread = page.locator('.comment-thread').first();
    await expect(thread.locator('a.mention').getAttribute('href')).resolves.toBe('/people/mreyes');
    await expect(thread.textContent()).resolves.toContain('on version');

    // A reply from the thread's own form.
    await thread.locator('summary', { hasText: 'Reply' }).click();
    await thread.locator('textarea[name=body]').fill('Checked with the lab: the build still says 2.0. Fixing it today.');
    await thread.getByRole('button', { name: 'Reply', exact: true }).click();
    await page.waitForURL(/#comment-\d+$/);
    await expect(page.locator('.comment-reply').first().textContent()).resolves.toContain('Fixing it today.');

    // A second, ordinary thread, so the screenshot shows a resolved one beside the open flag.
    await page.fill('#comment-body', 'Does this BPA also fire for ED boarders held overnight?');
    await page.getByRole('button', { name: 'Post comment' }).click();
    await page.waitForURL(/#comment-\d+$/);
    const second = page.locator('.comment-thread').nth(1);
    await second.getByRole('button', { name: 'Resolve' }).click();
    await page.waitForURL(/#comment-\d+$/);
    await expect(page.locator('.comment-thread').nth(1).locator('.badge.resolved').count()).resolves.toBe(1);

    await page.screenshot({ path: path.join(SHOTS, 'comments.png'), fullPage: true });

    // Resolving the flag takes the notice away.
    await page.locator('.comment-thread').first().getByRole('button', { name: 'Resolve' }).click();
    await page.waitForURL(/#comment-\d+$/);
    await expect(page.locator('#wrong-banner').count()).resolves.toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('suggests people and teams after @ in the page editor too', { timeout: 60_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await signIn(page, server.url);
    await page.goto(`${server.url}/p/${SLUG}/edit`);
    const body = page.locator('#f-body');
    await body.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n\nAsk @dok');
    await page.getByRole('option', { name: /David Okafor/ }).waitFor();
    await page.keyboard.press('Enter');
    expect(await body.inputValue()).toMatch(/\n\nAsk @dokafor $/);
    await page.close();
  });
});
