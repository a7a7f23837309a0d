import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { tempDir } from '../temp.js';
import { startServer, type RunningServer } from '../server-process.js';
import { ROOT } from '../../server/paths.js';
import { openStore } from '../../server/setup.js';
import type { Store } from '../../server/store/index.js';

/** Debian's Chromium (never a downloaded browser), with the flags a headless test machine needs. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];
/** The first admin's password in the browser tests' stores. */
export const ADMIN_PASSWORD = 'e2e-first-password-1';
/** Where screenshots go: docs/screenshots with WHYWIKI_SCREENSHOTS set (to refresh the README's), else a temp folder. */
export const SHOTS = process.env.WHYWIKI_SCREENSHOTS ? path.join(ROOT, 'docs', 'screenshots') : tempDir('whywiki-shots-');

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run "apt-get install -y chromium" (CI's .ci/run does) or set CHROMIUM_PATH.`);
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A real server on a fresh store with the demo content, and Chromium beside it. */
export async function serverAndBrowser(env: Record<string, string> = {}): Promise<{ server: RunningServer; browser: Browser }> {
  // Side by side: the server's start (seconds of loading TypeScript) and Chromium's do not wait for each other.
  return startTogether(launchChromium(), startServer({ WHYWIKI_DATA: tempDir(), WHYWIKI_ADMIN_PASSWORD: ADMIN_PASSWORD, ...env }));
}

/** Waits for both; when one fails, stops the other rather than leave it running, and throws the failure. */
export async function startTogether(launching: Promise<Browser>, starting: Promise<RunningServer>): Promise<{ server: RunningServer; browser: Browser }> {
  const [browser, server] = await Promise.allSettled([launching, starting]);
  if (browser.status === 'fulfilled' && server.status === 'fulfilled') return { server: server.value, browser: browser.value };
  if (browser.status === 'fulfilled') await browser.value.close();
  if (server.status === 'fulfilled') await server.value.stop();
  throw browser.status === 'rejected' ? browser.reason : (server as PromiseRejectedResult).reason;
}

/** Starts the server and Chromium before the file's tests and stops both after; `set` receives them. */
export function useServerAndBrowser(set: (server: RunningServer, browser: Browser) => void, env: Record<string, string> = {}): void {
  let started: { server: RunningServer; browser: Browser } | undefined;
  beforeAll(async () => {
    started = await serverAndBrowser(env);
    set(started.server, started.browser);
  }, 90_000);
  afterAll(async () => {
    await started?.browser.close();
    await started?.server.stop();
  });
}

/** A server on its own store and Chromium, as `useWiki` gives them to a test file. */
export interface Wiki {
  readonly server: RunningServer;
  readonly browser: Browser;
  /** Writes to the server's store from this process, as the CLI or a colleague's server would, then closes it. */
  write(change: (store: Store) => void): void;
  /** A new page signed in as `username` (admin by default), and the script errors it reports, which a test expects to stay empty. */
  signedInPage(username?: string, password?: string): Promise<{ page: Page; errors: string[] }>;
}

/** Starts a server on a fresh store and Chromium for the file's tests (stopped after them), with the steps every such file repeats. */
export function useWiki(env: Record<string, string> = {}): Wiki {
  const dataDir = tempDir();
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  useServerAndBrowser((s, b) => {
    server = s;
    browser = b;
  }, { WHYWIKI_DATA: dataDir, ...env });
  const started = () => {
    if (!server || !browser) throw new Error('The server and Chromium start in beforeAll: use them inside a test.');
    return { server, browser };
  };
  return {
    get server() { return started().server; },
    get browser() { return started().browser; },
    write(change) {
      const store = openStore(dataDir);
      try {
        change(store);
      } finally {
        store.close();
      }
    },
    async signedInPage(username = 'admin', password = ADMIN_PASSWORD) {
      const { server: s, browser: b } = started();
      const page = await b.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await signIn(page, s.url, username, password);
      return { page, errors };
    },
  };
}

/** Signs `page` in through the real sign-in form (admin by default) and waits for the home page. */
export async function signIn(page: Page, url: string, username = 'admin', password = ADMIN_PASSWORD): Promise<void> {
  await page.goto(`${url}/login`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('form[action="/login"] button[type=submit]');
  await page.waitForURL(`${url}/`);
}
