import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ADMIN_PASSWORD, SHOTS, launchChromium, signIn } from './browser.js';
import { tempDir } from '../temp.js';
import { startServer, type RunningServer } from '../server-process.js';
import { screenshot } from '../files/fixtures.js';
import { openStore } from '../../server/setup.js';

let server: RunningServer;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  dataDir = tempDir();
  server = await startServer({ WHYWIKI_DATA: dataDir, WHYWIKI_ADMIN_PASSWORD: ADMIN_PASSWORD });
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const dialogs: string[] = [];

async function signedIn(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, acceptDownloads: false });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await signIn(page, server.url);
  return page;
}

const loaded = (page: Page, selector: string) => page.locator(selector).evaluateAll((imgs) => (imgs as HTMLImageElement[]).filter((i) => i.complete && i.naturalWidth > 0).length);

/** Hands the body a file the way the clipboard or a drag does. */
async function handOver(page: Page, kind: 'paste' | 'drop', name: string, bytes: Buffer): Promise<void> {
  await page.evaluate(
    ({ kind, name, b64 }) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], name, { type: 'image/png' }));
      const body = document.querySelector('#f-body')!;
      const event = kind === 'paste' ? new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }) : new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true });
      body.dispatchEvent(event);
    },
    { kind, name, b64: bytes.toString('base64') },
  );
}

describe('screenshots on a page, in a real browser', () => {
  it('adds files by button, paste and drop, shows them in the preview and on the saved page, and keeps the old one in history', { timeout: 120_000 }, async () => {
    const page = await signedIn();
    // The demo page already carries its build screenshot.
    await page.goto(`${server.url}/p/sepsis-screening-bpa`);
    await expect.poll(() => loaded(page, '.markdown img')).toBe(1);

    await page.goto(`${server.url}/p/workday-payroll-retro-pay-rule/edit`);
    await page.locator('#f-body').evaluate((t: HTMLTextAreaElement) => t.setSelectionRange(0, 0));
    await page.setInputFiles('.attach input[type=file][multiple]', { name: 'retro-pay-rule.png', mimeType: 'image/png', buffer: await screenshot(['Retro pay calculation rule', 'Earning code RETRO_SHIFT'], { height: 400 }) });
    await expect.poll(() => page.textContent('.attach-status'), { timeout: 60_000 }).toContain('retro-pay-rule.png: added');
    await handOver(page, 'paste', 'image.png', await screenshot(['Pasted: pay calendar setup'], { height: 300 }));
    await expect.poll(() => page.locator('.attach-line.ok').count(), { timeout: 60_000 }).toBe(2);
    await handOver(page, 'drop', 'dropped.png', await screenshot(['Dropped: retro pay audit report'], { height: 300 }));
    await expect.poll(() => page.locator('.attach-line.ok').count(), { timeout: 60_000 }).toBe(3);
    const body = await page.inputValue('#f-body');
    expect(body.startsWith('![retro pay rule](</p/workday-payroll-retro-pay-rule/files/')).toBe(true);
    expect(body.match(/!\[[^\]]*\]\(<\/p\/workday-payroll-retro-pay-rule\/files\/[0-9a-f]{64}\/[^>]+>\)/g)).toHaveLength(3);
    await expect.poll(() => loaded(page, '#preview img'), { timeout: 20_000 }).toBe(3);
    await page.screenshot({ path: path.join(SHOTS, 'editor-files.png') });

    await page.fill('#f-summary', 'Screenshots of the rule, the pay calendar and the audit report');
    await page.click('form.page-form button[type=submit]');
    await page.waitForURL(`${server.url}/p/workday-payroll-retro-pay-rule`);
    await expect.poll(() => loaded(page, '.markdown img')).toBe(3);
    const { version } = (await (await page.request.get(`${server.url}/api/pages/workday-payroll-retro-pay-rule`)).json()) as { version: number };

    // Replace the first screenshot: the new version shows the new one, the old version the old one.
    const firstUrl = body.match(/\(<([^>]+)>\)/)![1]!;
    await page.goto(`${server.url}/p/workday-payroll-retro-pay-rule/edit`);
    await page.locator('#f-body').evaluate((t: HTMLTextAreaElement, url) => {
      t.value = t.value.replace(new RegExp(`!\\[[^\\]]*\\]\\(<${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}>\\)\\n?`), '');
      t.setSelectionRange(0, 0);
    }, firstUrl);
    await page.setInputFiles('.attach input[type=file][multiple]', { name: 'retro-pay-rule-2026.png', mimeType: 'image/png', buffer: await screenshot(['Retro pay calculation rule (2026)'], { height: 400 }) });
    await expect.poll(() => page.textContent('.attach-status'), { timeout: 60_000 }).toContain('retro-pay-rule-2026.png: added');
    await page.fill('#f-summary', 'New rule screenshot after the 2026 change');
    await page.click('form.page-form button[type=submit]');
    await page.waitForURL(`${server.url}/p/workday-payroll-retro-pay-rule`);
    expect(await page.locator(`.markdown img[src^="${firstUrl}"]`).count()).toBe(0);
    await page.goto(`${server.url}/p/workday-payroll-retro-pay-rule/v/${version}`);
    await expect.poll(() => page.locator(`.markdown img[src^="${firstUrl}"]`).evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth)).toBeGreaterThan(0);
    await page.close();
  });

  it('refuses a screenshot with a patient name and MRN, outlining where, and keeps the text', { timeout: 90_000 }, async () => {
    const page = await signedIn();
    await page.goto(`${server.url}/p/sepsis-screening-bpa/edit`);
    const before = await page.inputValue('#f-body');
    await page.setInputFiles('.attach input[type=file][multiple]', { name: 'bpa-fired.png', mimeType: 'image/png', buffer: await screenshot(['Patient: John Smith', 'MRN: 00482913', 'BPA 1900231 fired'], { height: 400 }) });
    await expect.poll(() => page.textContent('.attach-status'), { timeout: 60_000 }).toContain('not added');
    expect(await page.textContent('.attach-status')).toMatch(/medical record number/);
    await expect.poll(() => page.locator('canvas.attach-findings').count()).toBe(1);
    expect(await page.inputValue('#f-body')).toBe(before);
    await page.screenshot({ path: path.join(SHOTS, 'phi-screenshot.png') });
    await page.close();
  });

  it('never runs script from a stored file, even one the upload checks would refuse', { timeout: 60_000 }, async () => {
    const page = await signedIn();
    // Refused at upload: SVG with script, and HTML.
    for (const [name, text] of [['evil.svg', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'], ['evil.html', '<!DOCTYPE html><script>alert(3)</script>']] as const) {
      const status = await page.evaluate(async ({ name, text }) => {
        const form = new FormData();
        form.append('file', new File([text], name));
        const csrf = await (await fetch('/p/sepsis-screening-bpa/edit')).text().then((h) => /name="_csrf" value="([^"]+)"/.exec(h)![1]!);
        const res = await fetch('/api/pages/sepsis-screening-bpa/attachments', { method: 'POST', body: form, headers: { 'x-csrf-token': csrf } });
        return res.status;
      }, { name, text });
      expect(status, name).toBe(415);
    }
    // A hostile SVG that reached the store some other way is still served so that nothing in it runs.
    const { createHash } = await import('node:crypto');
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(4)"><script>alert(5)</script><text y="20">x</text></svg>');
    const sha = createHash('sha256').update(svg).digest('hex');
    const store = openStore(dataDir);
    store.files.put({ sha256: sha, size: svg.length, type: 'image/svg+xml', bytes: svg, text: null, width: 10, height: 10, thumbnail: null, created_at: new Date().toISOString() });
    store.files.addToPage({ slug: 'sepsis-screening-bpa', sha256: sha, name: 'legacy.svg', alt: null, added_by: 'admin', added_at: new Date().toISOString() });
    store.close();
    const res = await page.request.get(`${server.url}/p/sepsis-screening-bpa/files/${sha}/legacy.svg`);
    expect(res.headers()['content-security-policy']).toContain('sandbox');
    expect(res.headers()['content-disposition']).toMatch(/^attachment/);
    // Opened directly it is a download, not a document; shown as an image, script in it never runs.
    await page.goto(`${server.url}/p/sepsis-screening-bpa/files/${sha}/legacy.svg`).catch((e: Error) => expect(e.message).toMatch(/download/i));
    await page.goto(`${server.url}/p/sepsis-screening-bpa`);
    await page.evaluate((url) => new Promise((resolve) => {
      const img = new Image();
      img.onload = img.onerror = resolve;
      img.src = url;
      document.body.append(img);
    }), `/p/sepsis-screening-bpa/files/${sha}/legacy.svg`);
    expect(dialogs).toEqual([]);
    await page.close();
  });
});
