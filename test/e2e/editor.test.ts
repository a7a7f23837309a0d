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

async function signedIn(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('status of 400')) errors.push(m.text()); });
  await page.goto(`${server.url}/login`);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', ADMIN_PASSWORD);
  await page.click('form[action="/login"] button[type=submit]');
  await page.waitForURL(`${server.url}/`);
  return { page, errors };
}

describe('the editor in a real browser', () => {
  it('formats with the toolbar, links a page picked from [[ suggestions, saves with Ctrl+S and confirms', { timeout: 90_000 }, async () => {
    const { page, errors } = await signedIn();
    await page.goto(`${server.url}/p/vte-prophylaxis-order-panel/edit`);
    const body = page.locator('#f-body');
    await body.fill('');

    // Bold: the button wraps a placeholder and selects it, so typing replaces it.
    await page.getByRole('button', { name: 'Bold', exact: true }).click();
    await page.keyboard.type('Heparin first');
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');

    // A 2×3 table from the table panel.
    await page.getByRole('button', { name: 'Table', exact: true }).click();
    await page.fill('#md-table-rows', '2');
    await page.fill('#md-table-cols', '3');
    await page.getByRole('button', { name: 'Insert table' }).click();
    await page.keyboard.press('Control+End');

    // A code block, with SQL typed into it.
    await page.getByRole('button', { name: 'Code block' }).click();
    await page.keyboard.type('SELECT order_id FROM orders');
    await page.keyboard.press('Control+End');

    // [[ suggests pages by title; Enter links the highlighted one as [[slug|Title]].
    await page.keyboard.type('See [[sepsis scr');
    const option = page.getByRole('option', { name: /Sepsis screening BPA/ });
    await option.waitFor();
    expect(await page.getAttribute('#page-link-suggestions', 'aria-label')).toBe('Pages to link');
    await page.evaluate(() => document.querySelector('.md-toolbar')?.scrollIntoView());
    await page.screenshot({ path: path.join(SHOTS, 'editor.png'), fullPage: false });
    await page.keyboard.press('Enter');

    const text = await body.inputValue();
    expect(text).toContain('**Heparin first**');
    expect(text).toContain('| Column 1 | Column 2 | Column 3 |\n| --- | --- | --- |\n|     |     |     |\n|     |     |     |');
    expect(text).toContain('```\nSELECT order_id FROM orders\n```');
    expect(text).toContain('See [[sepsis-screening-bpa|Sepsis screening BPA for adult ED and inpatients]]');

    // The preview highlights nothing without a language; with one, the code comes back coloured.
    await body.press('Control+End');
    await page.keyboard.type('\n\n```sql\nSELECT 1\n```\n');
    await expect.poll(async () => page.locator('#preview .hljs-keyword').count(), { timeout: 5000 }).toBeGreaterThan(0);
    await expect.poll(async () => page.locator('#preview table').count(), { timeout: 5000 }).toBe(1);

    await page.fill('#f-summary', 'Toolbar formatting');

    // Ctrl+S saves from the body, and the page says what happened.
    await body.press('Control+s');
    await page.waitForURL(`${server.url}/p/vte-prophylaxis-order-panel`);
    expect(await page.textContent('.flash')).toMatch(/^Saved as version \d+\.$/);
    await page.screenshot({ path: path.join(SHOTS, 'saved.png'), fullPage: false });
    expect(await page.locator('.related-pages li').count()).toBeGreaterThan(0);
    expect(await page.locator('.markdown strong', { hasText: 'Heparin first' }).count()).toBe(1);
    expect(await page.locator('a.wikilink[href="/p/sepsis-screening-bpa"]').first().textContent()).toBe('Sepsis screening BPA for adult ED and inpatients');
    expect(errors).toEqual([]);
  });

  it('moves focus to a summary of every error, and Ctrl+Enter saves from a plain field', { timeout: 60_000 }, async () => {
    const { page, errors } = await signedIn();
    await page.goto(`${server.url}/new`);
    await page.fill('#f-title', 'Reflex culture order');
    await page.fill('#f-supersedes', 'no-such-page');
    await page.locator('#f-title').press('Control+Enter');
    await page.waitForSelector('#error-summary');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('error-summary');
    const summary = await page.textContent('#error-summary');
    for (const label of ['Why it was built', 'Owners', 'System', 'Supersedes']) expect(summary).toContain(label);
    await page.screenshot({ path: path.join(SHOTS, 'form-error-summary.png'), fullPage: false });
    await page.click('#error-summary a[href="#f-supersedes"]');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-supersedes');
    expect(errors).toEqual([]);
  });

  it('lists pages that look the same while a title is typed, and suggests owners for every entry', { timeout: 60_000 }, async () => {
    const { page, errors } = await signedIn();
    await page.goto(`${server.url}/new`);
    await page.locator('#f-title').pressSequentially('Sepsis screening');
    await page.locator('#similar-pages a', { hasText: 'Sepsis screening BPA for adult ED and inpatients' }).waitFor();

    const owners = page.getByRole('combobox', { name: /Owners/ });
    await owners.pressSequentially('mreyes, okaf');
    await page.getByRole('option', { name: /David Okafor/ }).waitFor();
    await owners.press('Enter');
    expect(await owners.inputValue()).toBe('mreyes, dokafor, ');
    // A third entry gets suggestions too, teams among them.
    await owners.pressSequentially('documentation');
    await page.getByRole('option', { name: /team/ }).first().waitFor();
    expect(await page.getAttribute('#f-owners', 'aria-expanded')).toBe('true');
    await page.screenshot({ path: path.join(SHOTS, 'owners-suggestions.png'), fullPage: false });
    expect(errors).toEqual([]);
  });

  it('formats selected lines and words with the buttons and keys', { timeout: 60_000 }, async () => {
    const { page, errors } = await signedIn();
    await page.goto(`${server.url}/new`);
    const body = page.locator('#f-body');
    await body.fill('draw cultures\ngive antibiotics');
    await body.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(0, el.value.length));
    await page.getByRole('button', { name: 'Numbered list' }).click();
    expect(await body.inputValue()).toBe('1. draw cultures\n2. give antibiotics');
    await body.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(0, el.value.length));
    await page.getByRole('button', { name: 'Numbered list' }).click();
    await body.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(0, el.value.length));
    await page.getByRole('button', { name: 'Checklist' }).click();
    expect(await body.inputValue()).toBe('- [ ] draw cultures\n- [ ] give antibiotics');

    await body.fill('lactate');
    await body.evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(0, 7));
    await body.press('Control+b');
    expect(await body.inputValue()).toBe('**lactate**');
    await body.press('End');
    await page.keyboard.type(' see ');
    await body.press('Control+k');
    await page.keyboard.type('the policy');
    expect(await body.inputValue()).toBe('**lactate** see [the policy](https://)');

    // On a page not yet created, "Image or file" points at the note that files come once it exists.
    await page.getByRole('button', { name: 'Image or file' }).click();
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('attach-later');
    // On an existing page it opens the attachment picker.
    await page.goto(`${server.url}/p/vte-prophylaxis-order-panel/edit`);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Image or file' }).click()]);
    expect(chooser.isMultiple()).toBe(true);
    expect(errors).toEqual([]);
  });
});

