import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandContext, sampleFrontMatter } from '../helpers.js';
import { createPage } from '../../server/pages/commands.js';
import { SHOTS, useWiki } from './browser.js';
import type { Page } from 'playwright-core';

const wiki = useWiki();

/** Enough pages for the home page to need three pages of its own (another process writing, as the CLI does). */
function manyPages(): void {
  wiki.write((store) => {
    const systems = ['Epic', 'Workday', 'Interfaces', 'Infrastructure'];
    store.transaction(() => {
      for (let i = 0; i < 240; i++) {
        createPage(commandContext(store, 'mreyes'), { slug: `order-set-change-${i}`, frontMatter: { ...sampleFrontMatter, title: `Order set change ${i}`, system: systems[i % 4]!, module: `Module ${i % 6}` }, body: 'Text.', summary: 'Created' });
      }
    });
  });
}

describe('the home page with paging in a browser', () => {
  it('shows numbered pages a keyboard can reach, on a desktop and on a phone', async () => {
    manyPages();
    const { server } = wiki;
    const { page, errors } = await wiki.signedInPage();
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

/** More accounts than one screen of the access review, and more purges than one screen of /admin/purges (written as the CLI would). */
function manyAccountsAndPurges(): void {
  wiki.write((store) => {
    store.transaction(() => {
      for (let i = 0; i < 120; i++) store.users.insert({ username: `analyst-${String(i).padStart(3, '0')}`, password_hash: null, role: 'reader', person: null, created_at: '2026-01-01T00:00:00.000Z' });
      createPage(commandContext(store, 'mreyes'), { slug: 'purged-runbook', frontMatter: { ...sampleFrontMatter, title: 'Purged runbook' }, body: 'Text.', summary: 'Created' });
      const pageId = store.pages.head('purged-runbook')!.id;
      for (let i = 0; i < 130; i++) {
        store.purges.insert({ page_id: pageId, version: 1, reason: `A patient name pasted into the runbook by mistake, request ${i}`, text_salt: 's', text_digest: 'd', fields: '{"body":1}', pending_text: null, status: 'applied', requested_by: 'admin', requested_at: '2026-01-01T00:00:00.000Z' });
      }
    });
  });
}

/**
 * The pager on `url`: in the tab order (Shift+Tab away and Tab back lands on Next again), followed with Enter,
 * no wider than a phone, and gone from print.
 */
async function checkPager(page: Page, url: string, shot: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${wiki.server.url}${url}`);
  const nav = page.locator('nav[aria-label="Pages"]');
  expect(await nav.count()).toBe(1);
  const next = nav.locator('a[rel="next"]');
  await next.focus();
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  expect(await next.evaluate((a) => a === document.activeElement)).toBe(true);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${wiki.server.url}${url}?page=2`);
  expect(await page.locator('nav[aria-label="Pages"] [aria-current="page"]').textContent()).toBe('2');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${wiki.server.url}${url}`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.locator('nav[aria-label="Pages"]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, `phone-${shot}-paged.png`) });

  // On paper the list stays and the links to other screens go.
  await page.emulateMedia({ media: 'print' });
  expect(await page.locator('nav[aria-label="Pages"]').isVisible()).toBe(false);
  expect(await page.locator('main table').first().isVisible()).toBe(true);
  await page.emulateMedia({ media: 'screen' });
  expect(await page.locator('nav[aria-label="Pages"]').isVisible()).toBe(true);
}

describe('a paged report and a paged admin list in a browser', () => {
  it('the access review and /admin/purges: a pager a keyboard can follow, no overflow on a phone, none on paper', async () => {
    manyAccountsAndPurges();
    const { server } = wiki;
    const { page, errors } = await wiki.signedInPage();
    await checkPager(page, '/reports/access', 'access-review');
    await checkPager(page, '/admin/purges', 'purges');
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
