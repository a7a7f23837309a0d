import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '../server-process.js';
import { SHOTS, signIn, useServerAndBrowser } from './browser.js';
import { downUrl, Receiver } from '../integrations/receiver.js';

let server: RunningServer;
let browser: Browser;
useServerAndBrowser((s, b) => { server = s; browser = b; });
const receivers: Receiver[] = [];
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical findings on the page as it is now. */
async function axeFindings(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const run = (window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }> } }).axe.run;
    return (await run(document)).violations;
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
afterAll(async () => { for (const r of receivers) await r.close(); });

describe('the integrations screen in a real browser', () => {
  it('connects a webhook and a Teams channel, and shows what a save sent to each', { timeout: 90_000 }, async () => {
    const receiver = await Receiver.start();
    receivers.push(receiver);
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signIn(page, server.url);
    await page.goto(`${server.url}/admin/integrations`);

    await page.selectOption('#f-kind', 'webhook');
    await page.fill('#f-label', 'ServiceNow change feed');
    await page.fill('#f-url', receiver.url);
    await page.check('input[name=events][value="page.reviewed"]');
    await page.click('form[action="/admin/integrations"] button[type=submit]');
    await page.waitForLoadState('load');
    expect(await page.textContent('main')).toContain('Connected ServiceNow change feed.');
    expect(await page.textContent('code.secret')).toMatch(/^[0-9a-f]{64}$/);

    await page.selectOption('#f-kind', 'teams');
    await page.fill('#f-label', 'Epic analysts (Teams)');
    await page.fill('#f-url', await downUrl());
    await page.click('form[action="/admin/integrations"] button[type=submit]');
    await page.waitForLoadState('load');
    expect(await page.textContent('main')).toContain('Connected Epic analysts (Teams).');

    // A save through the API with the browser's session: the server sends by itself after the write.
    const arrived = receiver.next();
    const status = await page.evaluate(async () => {
      const csrf = (document.querySelector('input[name=_csrf]') as HTMLInputElement).value;
      const read = (await (await fetch('/api/pages/sepsis-screening-bpa')).json()) as Record<string, unknown>;
      const res = await fetch('/api/pages/sepsis-screening-bpa', {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ ...read, body: `${String(read.body)}\n\nRechecked against the 2026 lactate guidance.`, summary: 'Rechecked the lactate threshold' }),
      });
      return res.status;
    });
    expect(status).toBe(200);
    expect(JSON.parse((await arrived).body)).toMatchObject({ event: 'page.saved', page: { slug: 'sepsis-screening-bpa' } });

    // The log shows both outcomes once the attempts are recorded (a bounded number of reloads).
    for (let i = 0; i < 50; i++) {
      await page.goto(`${server.url}/admin/integrations`);
      const log = await page.textContent('.deliveries-table');
      if (log?.includes('delivered') && log.includes('ECONNREFUSED')) break;
    }
    const log = await page.textContent('.deliveries-table');
    expect(log).toContain('delivered');
    expect(log).toContain('200');
    expect(log).toContain('Could not reach the receiver (ECONNREFUSED).');
    await page.screenshot({ path: path.join(SHOTS, 'integrations.png'), fullPage: true });
    expect(errors).toEqual([]);

    // Accessible, and usable on a phone without sideways scrolling of the page itself.
    const checking = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
    const phone = await checking.newPage();
    await signIn(phone, server.url);
    await phone.goto(`${server.url}/admin/integrations`);
    expect(await axeFindings(phone)).toEqual([]);
    expect(await phone.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await phone.setViewportSize({ width: 1280, height: 1000 });
    expect(await axeFindings(phone)).toEqual([]);
    await checking.close();
  });
});
