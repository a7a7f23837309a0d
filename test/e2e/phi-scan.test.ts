import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ADMIN_PASSWORD, launchChromium, SHOTS, signIn } from './browser.js';
import { commandContext, sampleFrontMatter, tempDir, testStore } from '../helpers.js';
import { freePort, startServer, type RunningServer } from '../server-process.js';
import { createPage, savePage } from '../../server/pages/commands.js';
import { attachFile } from '../../server/files/commands.js';
import { DEFAULT_INSPECT_LIMITS } from '../../server/files/inspect.js';
import { saveDraft } from '../../server/pages/commands/save-draft.js';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  // A store holding what a retro-scan exists for: identifiers saved before today's rules, in an old
  // version, an attachment's text and a draft.
  const dir = tempDir();
  const { store } = testStore(dir);
  const ctx = commandContext(store);
  createPage(ctx, { slug: 'lab-results-interface', frontMatter: { ...sampleFrontMatter, title: 'Lab results interface' }, body: '## Defect\n\nCalled back about 123-45-6789 before go-live.\nReproduced on MRN 00482913 in TST.\n' });
  savePage(ctx, { slug: 'lab-results-interface', frontMatter: { ...sampleFrontMatter, title: 'Lab results interface' }, body: '## Defect\n\nDe-identified.\n', summary: 'Removed the identifiers', baseVersion: 1 });
  createPage(ctx, { slug: 'adt-feed-cutover', frontMatter: { ...sampleFrontMatter, title: 'ADT feed cutover' }, body: 'Patient DOB 03/14/1962 triggered the alert.\n' });
  await attachFile({ ...ctx, limits: DEFAULT_INSPECT_LIMITS }, { slug: 'lab-results-interface', name: 'hl7-trace.txt', bytes: Buffer.from('MSH|^~\\&|LAB\nPID segment carried SSN 219-09-9999\n') });
  saveDraft(ctx, { slug: 'adt-feed-cutover', baseVersion: 1, fields: { body: 'Her daughter called from (608) 555-0142.' } });
  store.close();
  // Forwarding set up towards a collector that is not there: the audit screen shows the waiting events.
  server = await startServer({ WHYWIKI_DATA: dir, WHYWIKI_ADMIN_PASSWORD: ADMIN_PASSWORD, WHYWIKI_SYSLOG_URL: `tcp://127.0.0.1:${await freePort()}` });
  browser = await launchChromium();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the PHI retro-scan screen', () => {
  it('lists each finding masked with a link to request its purge', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, server.url);
    await page.goto(`${server.url}/admin/phi/scan`);
    await expect(page.locator('h1').textContent()).resolves.toBe('PHI retro-scan');
    const rows = page.locator('table.phi-findings tbody tr');
    await expect(rows.count()).resolves.toBe(5);
    await expect(page.locator('a:has-text("Request purge")').first().getAttribute('href')).resolves.toBe('/p/lab-results-interface/history');
    expect(await page.content()).not.toContain('123-45-6789');
    await page.screenshot({ path: path.join(SHOTS, 'phi-scan.png'), fullPage: true });

    await page.goto(`${server.url}/audit`);
    await expect(page.locator('.siem-status').textContent()).resolves.toMatch(/not connected;\s+\d+ events wait to be sent/);
    await page.screenshot({ path: path.join(SHOTS, 'audit-siem-backlog.png'), clip: { x: 0, y: 0, width: 1280, height: 420 } });
    await page.close();
  }, 60_000);
});
