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

async function signIn(username: string, password: string): Promise<Page & { errors: string[] }> {
  const page = (await browser.newPage({ viewport: { width: 1280, height: 1000 } })) as Page & { errors: string[] };
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  await page.goto(`${server.url}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('form[action="/login"] button[type=submit]');
  await page.waitForLoadState('load');
  return page;
}

/** An admin adds an account linked to a person; its first sign-in chooses its own password. */
async function accountFor(admin: Page, username: string, person: string): Promise<Page & { errors: string[] }> {
  await admin.goto(`${server.url}/admin/users/new`);
  await admin.fill('#f-username', username);
  await admin.selectOption('#f-role', 'editor');
  await admin.selectOption('#f-person', person);
  await admin.fill('#f-password', 'first temporary words 41');
  await admin.click('form[action="/admin/users/new"] button[type=submit]');
  await admin.waitForLoadState('load');
  expect(await admin.textContent('main')).toContain(username);
  const page = await signIn(username, 'first temporary words 41');
  if (page.url().includes('/account/password')) {
    await page.fill('#f-current', 'first temporary words 41');
    await page.fill('#f-password', 'my own quiet harbour 7');
    await page.fill('#f-confirm', 'my own quiet harbour 7');
    await page.click('form[action="/account/password"] button[type=submit]');
    await page.waitForLoadState('load');
  }
  return page;
}

describe('a handover in a real browser', () => {
  it('walks the successor through accepting a page: it becomes theirs and the progress moves', { timeout: 90_000 }, async () => {
    // The admin gives Maria Reyes, the demo's successor for David Okafor, an account linked to her person.
    const admin = await signIn('admin', ADMIN_PASSWORD);
    // The admin is not the successor: no accept button for them.
    await admin.goto(`${server.url}/people/dokafor/handover`);
    expect(await admin.locator('button.accept').count()).toBe(0);
    expect(await admin.textContent('#handover-done')).toBe('2 of 4');
    const maria = await accountFor(admin, 'maria', 'mreyes');
    // From David's page to his handover.
    await maria.goto(`${server.url}/people/dokafor`);
    expect(await maria.textContent('.handover-progress')).toContain('2 of 4');
    await maria.click('.handover-progress a[href="/people/dokafor/handover"]');
    await maria.waitForURL(/\/people\/dokafor\/handover$/);
    const section = maria.locator('#page-restraint-order-renewal-reminder');
    expect(await section.locator('.handover-state').textContent()).toBe('walked through');
    expect(await section.textContent()).toContain('Shadowed the renewal reminder build');
    await maria.screenshot({ path: path.join(SHOTS, 'handover.png'), fullPage: true });

    await section.locator('button.accept').click();
    await maria.waitForURL(/\/people\/dokafor\/handover#page-restraint-order-renewal-reminder$/);
    expect(await maria.locator('#page-restraint-order-renewal-reminder .handover-state').textContent()).toBe('accepted');
    expect(await maria.locator('#page-restraint-order-renewal-reminder button.accept').count()).toBe(0);
    expect(await maria.textContent('#handover-done')).toBe('3 of 4');

    // The page is Maria's now, with the move in its history.
    await maria.goto(`${server.url}/p/restraint-order-renewal-reminder/history`);
    expect(await maria.textContent('main')).toContain('Ownership moved from David Okafor to Maria Reyes');
    expect(maria.errors).toEqual([]);
    expect(admin.errors).toEqual([]);
  });

  it('shows a new hire her reading path with the step that changed since she read it', { timeout: 60_000 }, async () => {
    const admin = await signIn('admin', ADMIN_PASSWORD);
    const rosa = await accountFor(admin, 'rosa', 'rlopez');
    await rosa.goto(`${server.url}/`);
    expect(await rosa.textContent('.reading-paths')).toContain('3 of 6 read');
    await rosa.click('.reading-paths a:has-text("New Epic ClinDoc analyst")');
    expect(await rosa.locator('.path-step').count()).toBe(6);
    expect(await rosa.textContent('#path-progress')).toContain('3 of 6');
    const changed = rosa.locator('#step-sepsis-screening-bpa');
    expect(await changed.locator('.badge.changed').textContent()).toBe('changed since you read it');
    const href = await changed.locator('a.changed-diff').getAttribute('href');
    expect(href).toMatch(/^\/p\/sepsis-screening-bpa\/diff\?from=\d+&to=\d+$/);
    await rosa.screenshot({ path: path.join(SHOTS, 'reading-path.png'), fullPage: true });
    await changed.locator('a.changed-diff').click();
    await rosa.waitForURL(/\/p\/sepsis-screening-bpa\/diff/);
    expect(await rosa.textContent('h1')).toMatch(/Version \d+ → \d+/);
    expect(rosa.errors).toEqual([]);
    expect(admin.errors).toEqual([]);
  });
});
