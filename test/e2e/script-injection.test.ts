import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import type { AddressInfo } from 'node:net';
import { sampleFrontMatter, testApp, tokenFor, PASSWORD, type TestApp } from '../helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ALERT = 'alert(1)';
const TEMPLATE = "{{constructor.constructor('alert(1)')()}}";

let t: TestApp;
let base: string;
let browser: Browser;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run "apt-get install -y chromium" (CI's .ci/run does) or set CHROMIUM_PATH.`);
  t = await testApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const admin = tokenFor(t.store, 'admin');
  const api = (method: 'POST' | 'PUT', url: string, payload: object) => t.app.inject({ method, url, payload, headers: { authorization: `Bearer ${admin}` } });
  // A person whose display name is a script.
  expect((await api('POST', '/api/people', { handle: 'xss-person', name: `<img src=x onerror=${ALERT}>Eve "Quote" O'Neil` })).statusCode).toBe(201);
  const body = [
    `[javascript link](javascript:${ALERT})`,
    `[entity scheme](&#106;avascript:${ALERT})`,
    `[tab scheme](jav&#x09;ascript:${ALERT})`,
    `![alt" onerror="${ALERT}](/assets/favicon.svg)`,
    `[titled](https://example.org "x\\" onmouseover=\\"${ALERT}")`,
    `<a href="javascript:${ALERT}">raw anchor</a>`,
    `<img src=x onerror="${ALERT}">`,
    `<details open ontoggle="${ALERT}"><summary>s</summary></details>`,
    `<iframe src="javascript:${ALERT}"></iframe>`,
    `<svg><script>${ALERT}</script></svg>`,
    `<script>${ALERT}</script>`,
    TEMPLATE,
    '[[xss-target|<img src=x onerror=alert(1)>]]',
  ].join('\n\n');
  const page = await api('POST', '/api/pages', {
    ...sampleFrontMatter,
    slug: 'xss-probe',
    title: `"><script>${ALERT}</script><img src=x onerror=${ALERT}> ${TEMPLATE}`,
    why: `<img src=x onerror=${ALERT}> [why link](javascript:${ALERT}) ${TEMPLATE}`,
    owners: ['xss-person', 'mreyes'],
    tags: ['plain'],
    body,
  });
  expect(page.statusCode).toBe(201);
  const edit = await api('PUT', '/api/pages/xss-probe', { ...sampleFrontMatter, title: 'XSS probe second', why: 'w', owners: ['xss-person'], body: `${body}\n\nmore`, summary: `<script>${ALERT}</script> "><img src=x onerror=${ALERT}> ${TEMPLATE}`, base_version: 1 });
  expect(edit.statusCode).toBe(200);
  // A tag cannot carry markup at all: the schema refuses it.
  expect((await api('POST', '/api/pages', { ...sampleFrontMatter, slug: 'xss-tag', tags: [`"><svg onload=${ALERT}>`], body: 'x' })).statusCode).toBe(400);
  await t.app.searchIndex.whenReady();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'] });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

describe('script injection through every field a person can fill', () => {
  it('stays inert in Chromium even with the Content-Security-Policy switched off', async () => {
    // With CSP bypassed, only escaping and sanitizing stand between a payload and execution.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const fired: string[] = [];
    page.on('dialog', async (d) => { fired.push(`${page.url()}: ${d.message()}`); await d.dismiss(); });
    await page.goto(`${base}/login`);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('form[action="/login"] button[type=submit]');
    await page.waitForURL(`${base}/`);
    const urls = ['/p/xss-probe', '/p/xss-probe/v/1', '/p/xss-probe/history', '/p/xss-probe/diff?from=1&to=2', '/p/xss-probe/blame', '/people/xss-person', '/',
      `/search?q=${encodeURIComponent(`"><img src=x onerror=${ALERT}>`)}`, `/search?q=${encodeURIComponent(`<script>${ALERT}</script>`)}`, '/search?q=probe', '/audit', '/reports/health', '/p/xss-probe/edit'];
    for (const url of urls) {
      await page.goto(`${base}${url}`);
      await page.waitForLoadState('load');
      // Hover every link and image so that mouse handlers, had any got through, would run.
      for (const el of await page.$$('main a, main img')) await el.hover({ timeout: 500 }).catch(() => undefined);
      const found = await page.evaluate(() => {
        const bad: string[] = [];
        for (const el of Array.from(document.querySelectorAll('*'))) {
          for (const a of Array.from(el.attributes)) {
            if (/^on/i.test(a.name)) bad.push(`${el.tagName} ${a.name}`);
            if (/^(href|src|action|formaction|xlink:href)$/i.test(a.name) && /^\s*javascript:/i.test(a.value.replace(/[\s\u0000-\u001f]/g, ''))) bad.push(`${el.tagName} ${a.name}=${a.value}`);
          }
          if (el.tagName === 'SCRIPT' && !(el as HTMLScriptElement).src.includes('/assets/')) bad.push('inline script');
          if (el.tagName === 'IFRAME') bad.push('iframe');
        }
        return bad;
      });
      expect(found, url).toEqual([]);
    }
    expect(fired).toEqual([]);
    // The payloads are shown as the text people typed, not swallowed.
    await page.goto(`${base}/p/xss-probe/v/1`);
    expect(await page.textContent('h1')).toContain('<script>alert(1)</script>');
    expect(await page.textContent('main')).toContain(TEMPLATE);
    await page.goto(`${base}/p/xss-probe/history`);
    expect(await page.textContent('main')).toContain('<script>alert(1)</script>');
    await context.close();
  });

  it('sends a strict Content-Security-Policy on every page', async () => {
    const res = await fetch(`${base}/login`);
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none';script-src 'self';style-src 'self';img-src 'self' data:;connect-src 'self';form-action 'self';frame-ancestors 'none';base-uri 'none';object-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBeTruthy();
  });
});
