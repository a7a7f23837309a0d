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

describe('writing in a real browser', () => {
  it('starts a page from a template, leaves mid-edit, comes back to the draft, saves and renames it', { timeout: 90_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.type()); void d.accept(); });

    await page.goto(`${server.url}/login`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('form[action="/login"] button[type=submit]');
    await page.waitForURL(`${server.url}/`);

    // The new-page screen offers the templates first.
    await page.goto(`${server.url}/new`);
    await page.click('.template-choice a:text("Interface (HL7 feed)")');
    await page.waitForURL(/\/new\?template=\d+$/);
    expect(await page.inputValue('#f-system')).toBe('Interfaces');
    expect(await page.inputValue('#f-review_every')).toBe('1y');
    expect(await page.inputValue('#f-body')).toContain('## Systems and direction');

    await page.click('#f-title');
    await page.keyboard.type('Lab results inbound feed');
    await page.fill('#f-why', 'Results from the reference lab must file to the chart without manual entry.');
    await page.fill('#f-owners', 'dokafor');
    await page.click('#f-body');
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\nORU^R01 from the reference lab, filtered to final results.');
    await expect.poll(() => page.textContent('.draft-status'), { timeout: 15_000 }).toContain('Draft saved');

    // Leaving with unsaved changes asks first; the person chooses to leave.
    await page.click('form.page-form a:text("Cancel")');
    await page.waitForURL(`${server.url}/`);
    expect(dialogs).toEqual(['beforeunload']);

    // Coming back offers the draft, with what it holds.
    await page.goto(`${server.url}/new`);
    const offer = page.locator('.draft-offer');
    await offer.waitFor();
    expect(await offer.locator('h2').textContent()).toMatch(/^You have a draft from \d/);
    expect(await offer.textContent()).toContain('ORU^R01 from the reference lab');
    await page.screenshot({ path: path.join(SHOTS, 'draft-offer.png') });
    await page.click('.draft-continue');
    expect(await page.inputValue('#f-title')).toBe('Lab results inbound feed');
    expect(await page.inputValue('#f-system')).toBe('Interfaces');
    expect(await page.inputValue('#f-body')).toContain('filtered to final results.');

    await page.click('form.page-form button[type=submit]');
    await page.waitForURL(`${server.url}/p/lab-results-inbound-feed`);
    expect(await page.textContent('h1')).toBe('Lab results inbound feed');
    expect(dialogs).toEqual(['beforeunload']); // saving does not ask
    const drafts = await page.evaluate(() => fetch('/api/drafts').then((r) => r.json()));
    expect(drafts).toEqual({ drafts: [] });

    // Rename it; the old address leads to the new one.
    await page.click('a.rename-link');
    await page.fill('#f-slug', 'lab-results-hl7-feed');
    await page.fill('#f-summary', 'Name the message standard');
    await page.click('form[action$="/rename"] button[type=submit]');
    await page.waitForURL(`${server.url}/p/lab-results-hl7-feed`);
    expect(await page.textContent('.page-meta')).toContain('Version 2');
    await page.goto(`${server.url}/p/lab-results-inbound-feed`);
    expect(page.url()).toBe(`${server.url}/p/lab-results-hl7-feed`);
    expect(errors).toEqual([]);
  });

  it('offers an edit\'s draft with its changes, and warns when the page moved on', { timeout: 60_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${server.url}/login`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('form[action="/login"] button[type=submit]');
    await page.waitForURL(`${server.url}/`);

    await page.goto(`${server.url}/p/sepsis-screening-bpa/edit`);
    const base = await page.inputValue('input[name=base_version]');
    await page.click('#f-body');
    await page.keyboard.press('Control+End');
    await page.keyboard.type(`\nA drafted sentence about lactate.\n${'segment_field_value_'.repeat(12)}`);
    await expect.poll(() => page.textContent('.draft-status'), { timeout: 15_000 }).toContain('Draft saved');
    expect(Number(base)).toBeGreaterThan(1);
    // The page moves on meanwhile: an earlier version is restored (a new version the draft did not start from).
    const moved = await page.evaluate(async () => {
      const csrf = (document.querySelector('input[name=_csrf]') as HTMLInputElement).value;
      const res = await fetch('/api/pages/sepsis-screening-bpa/restore', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ version: 1, summary: 'meanwhile' }) });
      return res.status;
    });
    expect(moved).toBe(200);
    await page.goto(`${server.url}/p/sepsis-screening-bpa/edit`);
    const offer = page.locator('.draft-offer');
    await offer.waitFor();
    expect(await offer.textContent()).toContain('The page moved on');
    expect(await offer.locator('pre .added', { hasText: 'A drafted sentence about lactate.' }).count()).toBe(1);
    // The long line makes the changes scroll sideways; a keyboard reaches the box to scroll it.
    const diff = offer.locator('pre.line-diff');
    expect(await diff.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    // In the tab order by its own tabindex (what axe's scrollable-region-focusable asks), not only by a
    // browser that happens to make scrollers focusable.
    expect(await diff.getAttribute('tabindex')).toBe('0');
    await diff.focus();
    expect(await page.evaluate(() => document.activeElement?.classList.contains('line-diff'))).toBe(true);
    await page.click('.draft-discard');
    await expect.poll(() => page.evaluate(() => fetch('/api/pages/sepsis-screening-bpa/draft').then((r) => r.status))).toBe(404);
  });
});
