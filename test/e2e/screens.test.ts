import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from '../temp.js';
import { startServer, type RunningServer } from '../server-process.js';
import { startTogether } from './browser.js';
import { ROOT } from '../../server/paths.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ADMIN_PASSWORD = 'e2e-first-password-1';
const SHOTS = process.env.WHYWIKI_SCREENSHOTS ? path.join(ROOT, 'docs', 'screenshots') : tempDir('whywiki-shots-');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const WIDE_PAGE = 'interface-field-map';

let server: RunningServer;
let browser: Browser;
let admin: BrowserContext;

/** Every screen a signed-in admin can reach, with what is on it. */
const SCREENS: Record<string, string> = {
  home: '/',
  page: '/p/sepsis-screening-bpa',
  'page with a wide table and a task list': `/p/${WIDE_PAGE}`,
  history: '/p/sepsis-screening-bpa/history',
  diff: '/p/sepsis-screening-bpa/diff?from=1&to=2',
  blame: '/p/sepsis-screening-bpa/blame',
  'purge request': '/p/sepsis-screening-bpa/v/1/purge',
  purges: '/admin/purges',
  edit: '/p/sepsis-screening-bpa/edit',
  new: '/new',
  'search with results': '/search?q=order',
  'search history': '/search?q=lactate&history=1',
  people: '/people',
  person: '/people/mreyes',
  team: '/teams/epic-orders',
  reports: '/reports',
  'health dashboard': '/reports/health',
  'stale report': '/reports/stale',
  audit: '/audit',
  'admin users': '/admin/users',
  'admin PHI': '/admin/phi',
  'admin integrations': '/admin/integrations',
  inbox: '/inbox',
  'inbox settings': '/inbox/settings',
  'mail delivery': '/admin/notifications',
  'flagged report': '/reports/flagged',
  'access review': '/reports/access',
  'PHI retro-scan': '/admin/phi/scan',
  'missing page': '/p/no-such-page',
  'missing address': '/nowhere',
  'as-of': '/as-of/2026-01-01/',
  'as-of page': '/as-of/2026-01-01/p/sepsis-screening-bpa',
  'change password': '/account/password',
  'old version': '/p/sepsis-screening-bpa/v/1',
  'status form': '/p/sepsis-screening-bpa/status',
  'orphans report': '/reports/orphans',
  'broken links report': '/reports/broken-links',
  'audit verify': '/audit/verify',
  'admin user': '/admin/users/admin',
  'new user': '/admin/users/new',
  'new person': '/people/new',
  'new team': '/teams/new',
  'depart a person': '/people/mreyes/depart',
  'reassign pages': '/people/tbrennan/reassign',
};

interface Violation { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }

/** axe-core's serious and critical findings on the page as it is now, as readable lines. */
async function axeFindings(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const run = (window as unknown as { axe: { run: (ctx: Document, options: object) => Promise<{ violations: Violation[] }> } }).axe.run;
    // Only violations are read: axe then skips building the node lists of every passing rule.
    return (await run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

/** How much wider than the window the document is (0: no horizontal scrolling). */
const overflow = (page: Page) => page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);

/** The elements that stick out past the right edge, innermost first: what to fix when a screen is too wide. */
const stickingOut = (page: Page) => page.evaluate(() => [...document.querySelectorAll('body *')]
  .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5 && ![...e.children].some((c) => c.getBoundingClientRect().right > window.innerWidth + 0.5))
  .filter((e) => { for (let a = e.parentElement; a; a = a.parentElement) if (getComputedStyle(a).overflowX !== 'visible') return false; return true; })
  .slice(0, 4)
  .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ').join('.')}` : ''} to ${Math.round(e.getBoundingClientRect().right)}px`));

async function signIn(context: BrowserContext): Promise<void> {
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', ADMIN_PASSWORD);
  await page.click('form[action="/login"] button[type=submit]');
  await page.waitForURL(`${server.url}/`);
  await page.close();
}

async function open(url: string, viewport = DESKTOP, context = admin): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  await page.goto(`${server.url}${url}`);
  return page;
}

interface Sweep { wide: string[]; axe: string[] }
const sweeps = new Map<number, Promise<Sweep>>();

/**
 * Every screen loaded once at one width, in one tab: axe's findings and (on a phone) what is too wide.
 * The fit and the axe tests below both read it, so no screen is loaded twice at the same width; run alone
 * (-t), either test makes the sweeps it needs.
 */
function sweep(viewport: { width: number; height: number }): Promise<Sweep> {
  let made = sweeps.get(viewport.width);
  if (!made) {
    made = (async () => {
      const out: Sweep = { wide: [], axe: [] };
      const page = await admin.newPage();
      await page.setViewportSize(viewport);
      for (const [name, url] of Object.entries(SCREENS)) {
        await page.goto(`${server.url}${url}`);
        // Measured before axe runs, as a person would see the screen.
        const extra = viewport === PHONE ? await overflow(page) : 0;
        if (extra > 0) out.wide.push(`${name} (${url}) is ${extra}px too wide: ${(await stickingOut(page)).join(', ')}`);
        for (const f of await axeFindings(page)) out.axe.push(`${viewport.width}px ${name}: ${f}`);
      }
      await page.close();
      return out;
    })();
    made.catch(() => {}); // reported by the test that awaits it, not as an unhandled rejection
    sweeps.set(viewport.width, made);
  }
  return made;
}

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run "apt-get install -y chromium" or set CHROMIUM_PATH.`);
  ({ server, browser } = await startTogether(
    chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    }),
    startServer({ WHYWIKI_DATA: tempDir(), WHYWIKI_ADMIN_PASSWORD: ADMIN_PASSWORD }),
  ));
  // axe is injected as a script into pages whose CSP (rightly) refuses scripts not served by Whywiki.
  admin = await browser.newContext({ viewport: DESKTOP, bypassCSP: true });
  await signIn(admin);
  // A page with a table wider than any column and a checklist, written through the form as a person would.
  const page = await open('/new');
  await page.fill('#f-title', 'Interface field map');
  await page.fill('#f-slug', WIDE_PAGE);
  await page.fill('#f-why', 'The lab feed dropped fields nobody had written down; this is the map.');
  await page.fill('#f-owners', 'lchen');
  await page.selectOption('#f-system', 'Epic');
  const cols = Array.from({ length: 14 }, (_, i) => `segment_field_${i + 1}`);
  const table = `| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|\n| ${cols.map((c) => `${c}_value_long_enough`).join(' | ')} |`;
  await page.fill('#f-body', `## Fields\n\n${table}\n\n## Go-live checklist\n\n- [ ] Test in POC\n- [x] Sign-off from the lab\n`);
  await page.click('form.page-form button[type=submit]');
  await page.waitForURL(`${server.url}/p/${WIDE_PAGE}`);
  await page.close();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('every screen', () => {
  it('fits a 390 px phone without horizontal scrolling', { timeout: 400_000 }, async () => {
    void sweep(DESKTOP); // the axe test's other width, in a second tab meanwhile: two cores, two tabs
    const wide = [...(await sweep(PHONE)).wide];
    const login = await browser.newContext({ viewport: PHONE });
    const page = await open('/login', PHONE, login);
    if (await overflow(page) > 0) wide.push('login');
    await login.close();
    expect(wide).toEqual([]);
  });

  it('fits a tablet and a small laptop too, whether the menu is folded or whole', { timeout: 60_000 }, async () => {
    const wide: string[] = [];
    for (const width of [768, 1023, 1024]) {
      for (const url of ['/', '/p/sepsis-screening-bpa', '/search?q=order']) {
        const page = await open(url, { width, height: 900 });
        const extra = await overflow(page);
        if (extra > 0) wide.push(`${url} at ${width}px is ${extra}px too wide: ${(await stickingOut(page)).join(', ')}`);
        await page.close();
      }
    }
    expect(wide).toEqual([]);
  });

  it('has no serious or critical axe finding, wide or on a phone, signed in or not', { timeout: 400_000 }, async () => {
    const [wide, phone] = await Promise.all([sweep(DESKTOP), sweep(PHONE)]);
    const found = [...wide.axe, ...phone.axe];
    const signedOut = await browser.newContext({ viewport: DESKTOP, bypassCSP: true });
    for (const url of ['/login', '/p/sepsis-screening-bpa']) {
      const page = await open(url, DESKTOP, signedOut);
      for (const f of await axeFindings(page)) found.push(`signed out ${url}: ${f}`);
    }
    await signedOut.close();
    expect(found).toEqual([]);
  });

  it('in dark mode too: the system setting is followed and the switch overrides it, before paint', { timeout: 90_000 }, async () => {
    const context = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark', bypassCSP: true });
    await signIn(context);
    const background = (page: Page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    const dark = (rgb: string) => rgb.match(/\d+/g)!.slice(0, 3).map(Number).reduce((a, b) => a + b, 0) < 3 * 80;

    const page = await open('/', DESKTOP, context);
    expect(dark(await background(page))).toBe(true);
    expect(await page.getAttribute('.theme-switch', 'aria-pressed')).toBe('true');
    await page.screenshot({ path: path.join(SHOTS, 'dark-home.png') });
    const found: string[] = [];
    for (const url of ['/', '/p/sepsis-screening-bpa', `/p/${WIDE_PAGE}`, '/reports/health', '/p/sepsis-screening-bpa/diff?from=1&to=2', '/search?q=order']) {
      const p = await open(url, DESKTOP, context);
      for (const f of await axeFindings(p)) found.push(`dark ${url}: ${f}`);
      if (url === '/p/sepsis-screening-bpa') await p.screenshot({ path: path.join(SHOTS, 'dark-page.png') });
      await p.close();
    }
    expect(found).toEqual([]);

    // The switch: stored, and applied by the script in <head> on the next page.
    await page.click('.site-menu .theme-switch');
    expect(await page.getAttribute('html', 'data-theme')).toBe('light');
    expect(dark(await background(page))).toBe(false);
    await page.goto(`${server.url}/people`);
    expect(await page.getAttribute('html', 'data-theme')).toBe('light');
    expect(await page.evaluate(() => localStorage.getItem('whywiki-theme'))).toBe('light');
    await page.click('.site-menu .theme-switch');
    await page.reload();
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    expect(dark(await background(page))).toBe(true);
    await context.close();
  });
});

describe('on a phone', () => {
  it('folds the navigation into a menu and keeps search on every screen', { timeout: 60_000 }, async () => {
    for (const url of ['/', '/p/sepsis-screening-bpa', '/reports/health', '/p/no-such-page']) {
      const page = await open(url, PHONE);
      expect(await page.isVisible('.header-search input[name=q]'), url).toBe(true);
      expect(await page.isVisible('#site-menu a[href="/people"]'), url).toBe(false);
      await page.close();
    }
    const page = await open('/p/sepsis-screening-bpa', PHONE);
    await page.screenshot({ path: path.join(SHOTS, 'phone-page.png') });
    await page.click('.menu-toggle');
    expect(await page.getAttribute('.menu-toggle', 'aria-expanded')).toBe('true');
    expect(await page.isVisible('#site-menu a[href="/people"]')).toBe(true);
    expect(await overflow(page), (await stickingOut(page)).join(', ')).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SHOTS, 'phone-menu.png') });
    await page.keyboard.press('Escape');
    expect(await page.isVisible('#site-menu a[href="/people"]')).toBe(false);
    await page.click('.menu-toggle');
    await page.click('#site-menu a[href="/people"]');
    await page.waitForURL(`${server.url}/people`);
  });

  it('lists search results before the filters', { timeout: 30_000 }, async () => {
    const page = await open('/search?q=order', PHONE);
    const results = (await page.locator('.results').boundingBox())!;
    const facets = (await page.locator('.facets').boundingBox())!;
    expect(results.y).toBeLessThan(facets.y);
    await page.screenshot({ path: path.join(SHOTS, 'phone-search.png') });
    // Wide, the filters stay at the left of the results.
    await page.setViewportSize(DESKTOP);
    const wideResults = (await page.locator('.results').boundingBox())!;
    const wideFacets = (await page.locator('.facets').boundingBox())!;
    expect(wideFacets.x + wideFacets.width).toBeLessThanOrEqual(wideResults.x);
  });

  it('shows the home page and the menu', { timeout: 30_000 }, async () => {
    const page = await open('/', PHONE);
    await page.screenshot({ path: path.join(SHOTS, 'phone-home.png') });
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  });
});

describe('the header search', () => {
  it('is a combobox: a named listbox, the highlighted option named by aria-activedescendant, no links in options, nothing serious for axe', { timeout: 60_000 }, async () => {
    const page = await open('/');
    const box = page.locator('.header-search input[name=q]');
    expect(await box.getAttribute('role')).toBe('combobox');
    await box.click();
    await box.pressSequentially('sepsis', { delay: 20 });
    await page.waitForSelector('#suggestions [role=option]');
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    expect(await page.getAttribute('#suggestions', 'role')).toBe('listbox');
    expect(await page.getAttribute('#suggestions', 'aria-label')).toBeTruthy();
    expect(await page.locator('#suggestions [role=option] a').count()).toBe(0);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const selected = page.locator('#suggestions [aria-selected=true]');
    expect(await selected.count()).toBe(1);
    expect(await box.getAttribute('aria-activedescendant')).toBe(await selected.getAttribute('id'));
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('q');
    expect(await axeFindings(page)).toEqual([]);
    await page.keyboard.press('Escape');
    expect(await box.getAttribute('aria-expanded')).toBe('false');
    expect(await box.getAttribute('aria-activedescendant')).toBeNull();

    // On a phone too, and a click on an option opens it.
    await page.setViewportSize(PHONE);
    await box.fill('');
    await box.pressSequentially('sepsis scr', { delay: 20 });
    await page.waitForSelector('#suggestions [role=option]');
    await page.keyboard.press('ArrowDown');
    expect(await axeFindings(page)).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, 'phone-suggestions.png') });
    await page.locator('#suggestions [role=option]').first().click();
    await page.waitForURL(/\/p\//);
  });
});

describe('for keyboards and screen readers', () => {
  it('offers a skip link first that moves to the content', { timeout: 30_000 }, async () => {
    const page = await open('/p/sepsis-screening-bpa');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    expect(await page.isVisible('.skip-link')).toBe(true);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
  });

  it('labels task-list checkboxes and keeps chart text at 12 px or more as drawn, wide and on a phone', { timeout: 30_000 }, async () => {
    const page = await open(`/p/${WIDE_PAGE}`);
    expect(await page.locator('.markdown input[type=checkbox]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual(['Test in POC', 'Sign-off from the lab']);
    for (const viewport of [DESKTOP, PHONE]) {
      const health = await open('/reports/health', viewport);
      const sizes = await health.locator('svg.chart text').evaluateAll((texts) => texts.map((t) => {
        const svg = t.closest('svg')!;
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        return parseFloat(getComputedStyle(t).fontSize) * scale;
      }));
      expect(sizes.length).toBeGreaterThan(10);
      expect(Math.min(...sizes), `${viewport.width}px`).toBeGreaterThanOrEqual(12);
      if (viewport === DESKTOP) await health.screenshot({ path: path.join(SHOTS, 'health.png'), fullPage: true });
      await health.close();
    }
  });
});

describe('small things', () => {
  it('scrolls a wide table inside its column instead of running into the facts', { timeout: 30_000 }, async () => {
    const page = await open(`/p/${WIDE_PAGE}`);
    const table = (await page.locator('.markdown table').boundingBox())!;
    const facts = (await page.locator('aside.facts').boundingBox())!;
    expect(table.x + table.width).toBeLessThanOrEqual(facts.x);
    expect(await page.locator('.markdown table').evaluate((t) => t.scrollWidth > t.clientWidth)).toBe(true);
    await page.screenshot({ path: path.join(SHOTS, 'wide-table.png') });
  });

  it('reaches "Browse as of a date" from the home page and from history', { timeout: 30_000 }, async () => {
    const page = await open('/');
    await page.fill('.as-of-form input[name=date]', '2026-01-01');
    await page.click('.as-of-form button[type=submit]');
    await page.waitForURL(`${server.url}/as-of/2026-01-01/`);
    await page.goto(`${server.url}/p/sepsis-screening-bpa/history`);
    await page.fill('.as-of-form input[name=date]', '2026-02-01');
    await page.click('.as-of-form button[type=submit]');
    await page.waitForURL(`${server.url}/as-of/2026-02-01/`);
  });

  it('offers a search and "Create this page" on a missing page, with the header', { timeout: 30_000 }, async () => {
    const page = await open('/p/lab-downtime-labels');
    expect(await page.isVisible('.site-header .header-search')).toBe(true);
    await page.click('a.create-missing');
    await page.waitForURL(/\/new\?slug=lab-downtime-labels$/);
    expect(await page.inputValue('#f-title')).toBe('Lab Downtime Labels');
  });
});

describe('on paper', () => {
  it('prints the decision alone: no navigation or forms, and a footer with version, hash and approvals', { timeout: 60_000 }, async () => {
    const page = await open('/p/sepsis-screening-bpa');
    const hash = (await page.textContent('.version-line span'))!.trim();
    expect(await page.isVisible('.print-footer')).toBe(false);
    expect(await page.isVisible('button.print-button')).toBe(true);
    // The action calls the browser's print dialog; here it is replaced to see that it is called.
    await page.evaluate(() => { (window as unknown as { printed: number }).printed = 0; window.print = () => { (window as unknown as { printed: number }).printed++; }; });
    await page.click('button.print-button');
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);

    await page.emulateMedia({ media: 'print' });
    for (const hidden of ['.site-header', '.site-footer', 'form', 'button', '.crumbs', '.history-link']) {
      const shown = await page.locator(hidden).evaluateAll((els) => els.filter((e) => (e as HTMLElement).offsetParent !== null || getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0).length);
      expect(shown, hidden).toBe(0);
    }
    for (const visible of ['h1', '.why', 'aside.facts', '.markdown', '.print-footer']) expect(await page.isVisible(visible), visible).toBe(true);
    const footer = (await page.textContent('.print-footer'))!;
    expect(footer).toContain(hash);
    expect(footer).toMatch(/version \d+ by /);
    expect(footer).toContain('Approvals:');
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.screenshot({ path: path.join(SHOTS, 'print-page.png'), fullPage: true });
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  });
});

describe('screenshots for the README', () => {
  it('shows the page and home at 1280 px', { timeout: 30_000 }, async () => {
    const page = await open('/p/sepsis-screening-bpa');
    await page.screenshot({ path: path.join(SHOTS, 'desktop-page.png') });
    await page.goto(`${server.url}/`);
    await page.screenshot({ path: path.join(SHOTS, 'desktop-home.png') });
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  });
});
