import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, SHOTS } from './browser.js';
import { PASSWORD, sampleFrontMatter, testApp, tokenFor, type TestApp } from '../helpers.js';
import { createUser } from '../../server/auth/commands/create-user.js';

let t: TestApp;
let base: string;
let browser: Browser;
const MARIA = 'quiet harbour words 45';
// Four months on from when the accounts were made, so those nobody used since are dormant.
const NOW = new Date(Date.now() + 120 * 24 * 60 * 60 * 1000);

beforeAll(async () => {
  t = await testApp({ approvals: { Epic: 1 } }, { clock: () => NOW });
  await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'maria', password: MARIA, role: 'editor', person: 'mreyes' });
  await createUser({ store: t.store, actor: { username: 'test' } }, { username: 'tom', password: 'tom quiet harbour 1', role: 'editor', person: 'tbrennan' });
  const editor = { authorization: `Bearer ${tokenFor(t.store, 'editor')}` };
  const created = await t.app.inject({ method: 'POST', url: '/api/pages', headers: editor, payload: { ...sampleFrontMatter, status: 'in-build', slug: 'sepsis-bpa', body: '## Context\n\nThe BPA fires when two SIRS criteria are charted within an hour.\n' } });
  expect(created.statusCode).toBe(201);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${base}/login`);
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL(`${base}/`), page.click('form[action="/login"] button[type=submit]')]);
}

describe('signing in Chromium', () => {
  it('signs a version from the page, and the signature shows on the page and on the printout', { timeout: 90_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    try {
      await signIn(page, 'maria', MARIA);
      await page.goto(`${base}/p/sepsis-bpa`);
      await page.click('details.sign-box summary');
      await page.selectOption('form.sign-form select[name="meaning"]', 'approved');
      await page.fill('form.sign-form input[name="comment"]', 'Checked the criteria against the build');
      await page.fill('form.sign-form input[name="password"]', MARIA);
      await Promise.all([page.waitForURL(`${base}/p/sepsis-bpa#signatures`), page.click('form.sign-form button[type=submit]')]);
      const signature = page.locator('.signature-list li').first();
      await expect(signature.textContent()).resolves.toMatch(/Approved by Maria Reyes, \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC — version 1, hash [0-9a-f]{4}…/);
      expect(await page.locator('.approval-state').textContent()).toContain('1 so far');
      await page.screenshot({ path: path.join(SHOTS, 'signature.png'), fullPage: true });

      // On paper: the footer a printed copy is checked against names the signature too.
      await page.emulateMedia({ media: 'print' });
      const footer = page.locator('.print-footer .print-signatures');
      expect(await footer.isVisible()).toBe(true);
      expect(await footer.textContent()).toMatch(/Signatures: Approved by Maria Reyes, .* UTC — version 1, hash/);
    } finally {
      await context.close();
    }
  });

  it('shows the access review with a dormant and a departed account flagged', { timeout: 90_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    try {
      await signIn(page, 'admin', PASSWORD);
      await page.goto(`${base}/reports/access`);
      const tom = page.locator('tr', { has: page.locator('a[href="/admin/users/tom"]') });
      expect(await tom.textContent()).toContain('departed, still active');
      const reader = page.locator('tr', { has: page.locator('a[href="/admin/users/reader"]') });
      expect(await reader.textContent()).toContain('dormant');
      await page.fill('form.sign-form input[name="comment"]', 'Tom Brennan left in March: account to be deactivated');
      await page.fill('form.sign-form input[name="password"]', PASSWORD);
      await Promise.all([page.waitForLoadState('load'), page.click('form.sign-form button[type=submit]')]);
      expect(await page.locator('#reviews .signature-list li').first().textContent()).toMatch(/Reviewed by admin, .* UTC — report hash/);
      await page.screenshot({ path: path.join(SHOTS, 'access-review.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
