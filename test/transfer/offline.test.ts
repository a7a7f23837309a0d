import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { seedPage, tempDir, testStore } from '../helpers.js';
import { loadConfig } from '../../server/config.js';
import { exportOffline } from '../../server/transfer/offline.js';
import { runCli } from '../../server/cli.js';

// A page the renderer cannot handle (a deep enough blockquote once overflowed the stack): the renderer is
// made to fail for one marked body, so the test does not depend on which input the renderer refuses.
const UNRENDERABLE = 'This body cannot be rendered.';
vi.mock('../../server/render/markdown.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../server/render/markdown.js')>();
  return {
    ...real,
    renderMarkdown: (...args: Parameters<typeof real.renderMarkdown>) => {
      if (args[0].includes(UNRENDERABLE)) throw new RangeError('Maximum call stack size exceeded');
      return real.renderMarkdown(...args);
    },
  };
});

function storeWithOneBadPage() {
  const { store, dir } = testStore();
  seedPage(store, 'a-first-page', 'Fine.');
  seedPage(store, 'b-broken-page', UNRENDERABLE);
  seedPage(store, 'c-last-page', 'Links to [[a-first-page]].');
  return { store, dir };
}

describe('export --html with a page that cannot be rendered', () => {
  it('writes every other page, leaves the broken one out of the index and search, and reports it', () => {
    const { store, dir } = storeWithOneBadPage();
    const out = path.join(tempDir(), 'site');
    const r = exportOffline(store, loadConfig({ WHYWIKI_DATA: dir }), out);
    expect(r.pages).toBe(2);
    expect(r.failed).toEqual([{ slug: 'b-broken-page', reason: 'RangeError: Maximum call stack size exceeded' }]);
    expect(fs.readdirSync(path.join(out, 'p')).sort()).toEqual(['a-first-page.html', 'c-last-page.html']);
    const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(index).toContain('p/a-first-page.html');
    expect(index).not.toContain('p/b-broken-page.html');
    expect(fs.readFileSync(path.join(out, 'assets', 'search-index.js'), 'utf8')).not.toContain('b-broken-page');
    store.close();
  });

  it('names the page on the command line and exits 1 after writing the rest', async () => {
    const { store, dir } = storeWithOneBadPage();
    store.close();
    const out = path.join(tempDir(), 'site');
    let stdout = '';
    const code = await runCli(['export', '--html', out], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true }, env: { ...process.env, WHYWIKI_DATA: dir } });
    expect(code).toBe(1);
    expect(stdout).toContain('FAILED p/b-broken-page.html: RangeError: Maximum call stack size exceeded');
    expect(stdout).toMatch(/Wrote an offline copy of 2 pages to .*; 1 could not be written \(listed above\) and are left out\./);
    expect(fs.existsSync(path.join(out, 'p', 'c-last-page.html'))).toBe(true);
  });
});
