import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../server-process.js';
import { tempDir } from '../temp.js';
import { openStore } from '../../server/setup.js';
import { createUser } from '../../server/auth/commands/create-user.js';
import { startMailServer, type TestMailServer } from '../notify/smtp.js';
import { SHOTS, serverAndBrowser, signIn } from './browser.js';

const SLUG = 'sepsis-screening-bpa';
const TITLE = 'Sepsis screening BPA for adult ED and inpatients';
const MARIA_MAIL = 'maria.reyes@example-health.org';
const PASSWORDS = { david: 'reader-team-loop-pass-7', maria: 'owner-team-loop-pass-7' };

let server: RunningServer;
let browser: Browser;
let mail: TestMailServer;
const dataDir = tempDir();

beforeAll(async () => {
  mail = await startMailServer();
  ({ server, browser } = await serverAndBrowser({ WHYWIKI_DATA: dataDir, WHYWIKI_SMTP_URL: mail.url }));
  // Accounts for two demo people, made the way the CLI does (another process on the same store): David
  // Okafor reads; Maria Reyes owns the sepsis page (and is in its team, epic-clindoc).
  const store = openStore(dataDir);
  try {
    await createUser({ store, actor: { username: 'admin' } }, { username: 'david', password: PASSWORDS.david, role: 'reader', person: 'dokafor' });
    await createUser({ store, actor: { username: 'admin' } }, { username: 'maria', password: PASSWORDS.maria, role: 'editor', person: 'mreyes' });
  } finally {
    store.close();
  }
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await mail?.close();
});

/** The header's unread count after loading `url` again (0 when the badge is absent). */
async function unreadAfterReload(page: Page, url: string): Promise<number> {
  await page.goto(url);
  const badge = page.locator('.inbox-link .unread-count');
  return (await badge.count()) === 0 ? 0 : Number((await badge.textContent())?.trim());
}

/** The worker runs after each write and on its timer: wait for what it makes, within a bound. */
const eventually = { timeout: 15_000, interval: 250 };

describe('the team loop in a browser', () => {
  it('a reader flags a page and mentions its owner, who hears by inbox and mail, replies and resolves; the reader hears back', { timeout: 180_000 }, async () => {
    const errors: string[] = [];
    const reader = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage();
    const owner = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    for (const p of [reader, owner]) p.on('pageerror', (e) => errors.push(e.message));

    // David, a reader, flags the page as wrong and names Maria from the @ suggestions.
    await signIn(reader, server.url, 'david', PASSWORDS.david);
    await reader.goto(`${server.url}/p/${SLUG}`);
    const box = reader.locator('#comment-body');
    await box.click();
    await reader.keyboard.type('The lactate threshold moved to 2.5 mmol/L in May; ');
    await reader.keyboard.type('@mar');
    await reader.getByRole('option', { name: /Maria Reyes/ }).waitFor();
    await reader.keyboard.press('Enter');
    await reader.keyboard.type('can you confirm?');
    expect(await box.inputValue()).toBe('The lactate threshold moved to 2.5 mmol/L in May; @mreyes can you confirm?');
    await reader.getByLabel('This page is wrong or out of date').check();
    await reader.getByRole('button', { name: 'Post comment' }).click();
    await reader.waitForURL(new RegExp(`/p/${SLUG}#comment-\\d+$`));
    expect(await reader.locator('#wrong-banner').textContent()).toContain('The lactate threshold moved to 2.5 mmol/L in May');
    // The top of the page is what the next reader sees: the flag, above the title.
    await reader.evaluate(() => window.scrollTo(0, 0));
    await reader.screenshot({ path: path.join(SHOTS, 'team-loop-flag.png'), clip: { x: 0, y: 0, width: 1280, height: 620 } });

    // Maria, the owner, sees one unread notification in the header: the flag (it outranks the mention).
    await signIn(owner, server.url, 'maria', PASSWORDS.maria);
    await expect.poll(() => unreadAfterReload(owner, `${server.url}/inbox`), eventually).toBe(1);
    const item = owner.locator('.inbox-item.unread');
    expect(await item.count()).toBe(1);
    expect(await item.locator('.badge').textContent()).toBe('Flagged as wrong');
    expect(await item.textContent()).toContain(TITLE);
    expect(await item.locator('.inbox-text').textContent()).toBe('David Okafor flagged something on the page as wrong.');
    await owner.screenshot({ path: path.join(SHOTS, 'team-loop-inbox.png'), fullPage: true });

    // And by mail, at the real SMTP server, with a link to the comment.
    await expect.poll(() => mail.received.filter((m) => m.to.includes(MARIA_MAIL)).length, eventually).toBe(1);
    const flagMail = mail.received.find((m) => m.to.includes(MARIA_MAIL))!;
    expect(flagMail.subject).toBe(`Flagged as wrong: ${TITLE}`);
    expect(flagMail.raw.replace(/=\r?\n/g, '')).toMatch(new RegExp(`/p/${SLUG}#comment-\\d+`));

    // Opening it goes to the comment and marks it read; she replies in the thread and resolves the flag.
    await item.locator('.open-button').click();
    await owner.waitForURL(new RegExp(`/p/${SLUG}#comment-\\d+$`));
    expect(await owner.locator('.inbox-link .unread-count').count()).toBe(0);
    const thread = owner.locator('.comment-thread').first();
    await thread.locator('summary', { hasText: 'Reply' }).click();
    await thread.locator('textarea[name=body]').fill('Checked with the lab: the build still says 2.0. Fixing the page today.');
    await thread.getByRole('button', { name: 'Reply', exact: true }).click();
    await owner.waitForURL(/#comment-\d+$/);
    await owner.locator('.comment-thread').first().getByRole('button', { name: 'Resolve' }).click();
    await owner.waitForURL(/#comment-\d+$/);
    expect(await owner.locator('#wrong-banner').count()).toBe(0);
    expect(await owner.locator('.comment-thread').first().locator('.badge.resolved').count()).toBe(1);

    // David hears of the reply in his inbox.
    await expect.poll(() => unreadAfterReload(reader, `${server.url}/inbox`), eventually).toBe(1);
    const reply = reader.locator('.inbox-item.unread');
    expect(await reply.locator('.badge').textContent()).toBe('Reply');
    expect(await reply.locator('.inbox-text').textContent()).toBe('Maria Reyes replied to your comment.');
    await reply.locator('.open-button').click();
    await reader.waitForURL(new RegExp(`/p/${SLUG}#comment-\\d+$`));
    expect(await reader.locator('.comment-reply').first().textContent()).toContain('Fixing the page today.');
    expect(errors).toEqual([]);
  });
});
