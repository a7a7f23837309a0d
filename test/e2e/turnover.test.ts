import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../server-process.js';
import { ADMIN_PASSWORD, SHOTS, useServerAndBrowser } from './browser.js';

let server: RunningServer;
let browser: Browser;

useServerAndBrowser((s, b) => {
  server = s;
  browser = b;
});

async function signedIn(height = 900): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  (page as Page & { errors: string[] }).errors = errors;
  await page.goto(`${server.url}/login`);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', ADMIN_PASSWORD);
  await page.click('form[action="/login"] button[type=submit]');
  await page.waitForURL(`${server.url}/`);
  return page;
}

describe('turnover in a real browser', () => {
  it('marks an overdue demo page reviewed and sees the overdue banner disappear', { timeout: 60_000 }, async () => {
    const page = await signedIn();
    // The demo's sepsis BPA was last reviewed on 11 May 2026 and is reviewed every 6 months.
    await page.goto(`${server.url}/p/sepsis-screening-bpa`);
    await expect.poll(() => page.isVisible('#review-banner')).toBe(true);
    expect(await page.textContent('#review-banner')).toContain('Review overdue');
    await page.fill('.review-form input[name=note]', 'Still matches the SEP-1 bundle');
    await page.click('.review-form button[type=submit]');
    await page.waitForURL(/\/p\/sepsis-screening-bpa/);
    expect(await page.isVisible('#review-banner')).toBe(false);
    expect(await page.textContent('.review-facts')).toContain(`Last reviewed: ${new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(new Date())} by admin`);
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
  });

  it('marks an analyst departed, sees their orphaned pages, reassigns them and the report clears; the dashboard draws without scripts', { timeout: 90_000 }, async () => {
    const page = await signedIn();
    await page.goto(`${server.url}/people/lchen`);
    await page.click('a[href="/people/lchen/depart"]');
    await page.selectOption('#f-successor', 'pnair');
    await page.fill('#f-reason', 'Left for another health system');
    await page.click('form[action="/people/lchen/depart"] button[type=submit]');
    await page.waitForURL(/\/people\/lchen\/reassign$/);
    await page.screenshot({ path: path.join(SHOTS, 'reassign.png'), fullPage: true });
    // Lin Chen owned Beaker pages alone and through a one-person team: they are orphans now.
    await page.goto(`${server.url}/reports/orphans`);
    const orphans = await page.locator('table.report-table tbody tr').allTextContents();
    expect(orphans.some((r) => r.includes('Beaker'))).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'orphans.png'), fullPage: true });

    await page.goto(`${server.url}/people/lchen/reassign`);
    const proposed = await page.locator('select[name^="to:"]').evaluateAll((els) => els.map((e) => (e as HTMLSelectElement).value));
    expect(proposed.length).toBeGreaterThan(0);
    expect(new Set(proposed)).toEqual(new Set(['pnair']));
    await page.click('form.reassign-form button[type=submit]');
    await page.waitForURL(/\/people\/lchen\?moved=/);
    // The team Lin was the only member of still leaves its pages orphaned: give it a member.
    await page.goto(`${server.url}/teams/epic-lab/edit`);
    await page.check('input[name=members][value=pnair]');
    await page.click('form[action="/teams/epic-lab/edit"] button[type=submit]');
    await page.waitForURL(/\/teams\/epic-lab$/);
    await page.goto(`${server.url}/reports/orphans`);
    const left = await page.locator('table.report-table tbody tr').allTextContents();
    expect(left.some((r) => r.includes('Beaker'))).toBe(false);

    const health = await browser.newPage({ viewport: { width: 1280, height: 1000 }, javaScriptEnabled: false });
    await health.context().addCookies(await page.context().cookies());
    await health.goto(`${server.url}/reports/health`);
    expect(await health.locator('svg[role=img]').count()).toBe(4);
    const box = await health.locator('svg[role=img]').first().boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(await health.locator('table.health-table tbody tr').count()).toBeGreaterThan(5);
    await health.screenshot({ path: path.join(SHOTS, 'health.png'), fullPage: false });
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
  });
});
