import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandContext } from '../helpers.js';
import { savePage } from '../../server/pages/commands.js';
import { getCurrentPage } from '../../server/pages/queries.js';
import { SHOTS, useWiki } from './browser.js';

const wiki = useWiki();

/** A colleague saves a page (another process writing the same store, as the CLI does). */
function colleagueSaves(slug: string, summary: string): void {
  wiki.write((store) => {
    const page = getCurrentPage(store, slug);
    savePage(commandContext(store, 'mreyes'), { slug, frontMatter: page.frontMatter, body: `${page.body}\n\n${summary}.\n`, summary, baseVersion: page.version });
  });
}

describe('the inbox in a browser', () => {
  it('watches a page and a system, counts unread in the header, opens a change and marks read', async () => {
    const { server } = wiki;
    const { page, errors } = await wiki.signedInPage();
    expect(await page.locator('.inbox-link .unread-count').count()).toBe(0);

    await page.goto(`${server.url}/p/beaker-chemistry-autoverification`);
    await page.click('.watch-button');
    await page.waitForLoadState('load');
    expect((await page.textContent('.watch-button'))?.trim()).toBe('Unwatch');
    await page.screenshot({ path: path.join(SHOTS, 'page-watch.png'), clip: { x: 0, y: 0, width: 1280, height: 440 } });

    await page.goto(`${server.url}/inbox/settings`);
    colleagueSaves('beaker-chemistry-autoverification', 'Delta check limits widened for potassium');
    colleagueSaves('beaker-chemistry-autoverification', 'Hemolysis index rule added');
    colleagueSaves('lab-results-oru-routing', 'Routes reference-lab results to the new inbox pool');
    // Watching a system is a write: the server derives the colleague's saves right after it.
    await page.selectOption('#watch-system', 'Interfaces');
    await page.click('form[action="/inbox/watches"]:has(#watch-system) button[type=submit]');
    await page.waitForLoadState('load');
    expect(await page.textContent('.watch-list')).toContain('Every page of Interfaces');

    await page.goto(`${server.url}/inbox`);
    expect((await page.textContent('.inbox-link .unread-count'))?.trim()).toBe('3');
    expect(await page.locator('.inbox-item.unread').count()).toBe(3);
    expect(await page.textContent('.inbox-list')).toContain('mreyes saved version');
    expect(await page.textContent('.inbox-list')).toContain('Hemolysis index rule added');
    await page.screenshot({ path: path.join(SHOTS, 'inbox.png'), fullPage: true });

    // Opening the newest change goes to its diff and marks it read.
    await page.locator('.inbox-item.unread').filter({ hasText: 'Hemolysis' }).locator('.open-button').click();
    await page.waitForLoadState('load');
    expect(page.url()).toMatch(/\/p\/beaker-chemistry-autoverification\/diff\?from=\d+&to=\d+$/);
    expect((await page.textContent('.inbox-link .unread-count'))?.trim()).toBe('2');

    await page.goto(`${server.url}/inbox`);
    expect(await page.locator('.inbox-item.unread').count()).toBe(2);
    await page.locator('.inbox-item.unread').first().locator('.mark-read').click();
    await page.waitForLoadState('load');
    expect(await page.locator('.inbox-item.unread').count()).toBe(1);
    await page.click('.mark-all-form button');
    await page.waitForLoadState('load');
    expect(await page.locator('.inbox-item.unread').count()).toBe(0);
    expect(await page.locator('.inbox-link .unread-count').count()).toBe(0);
    expect(await page.textContent('.flash')).toContain('Marked 1 notification read.');

    await page.goto(`${server.url}/inbox/settings`);
    await page.screenshot({ path: path.join(SHOTS, 'inbox-settings.png'), fullPage: true });
    await page.goto(`${server.url}/admin/notifications`);
    expect(await page.textContent('h1')).toBe('Mail delivery');
    await page.screenshot({ path: path.join(SHOTS, 'admin-notifications.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 120_000);
});
