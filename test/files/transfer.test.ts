import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandContext, sampleFrontMatter, tempDir, testStore } from '../helpers.js';
import { createPage, savePage } from '../../server/pages/commands.js';
import { attachFile } from '../../server/files/commands.js';
import { DEFAULT_INSPECT_LIMITS } from '../../server/files/inspect.js';
import { closeOcr } from '../../server/files/ocr.js';
import { exportStore } from '../../server/transfer/export.js';
import { importPages, readFolder, type ImportProblem } from '../../server/transfer/import.js';
import { importFileManifest, importLocalFiles } from '../../server/transfer/files.js';
import { verifyStore } from '../../server/audit/verify.js';
import { openStore } from '../../server/setup.js';
import { PhiGuard } from '../../server/phi/guard.js';
import type { Store } from '../../server/store/index.js';
import { screenshot } from './fixtures.js';

afterAll(() => closeOcr());

const rules = { systems: ['Epic', 'Workday', 'Interfaces', 'Infrastructure'], maxBodyBytes: 64 * 1024 };
const chain = (store: Store) => store.pages.allHeads().flatMap((h) => store.pages.chain(h.id).map((v) => ({ slug: v.slug, version: v.version, hash: v.hash, files: v.files })));

/** What `whywiki import <dir>` does: files first, then pages. */
async function importWithFiles(store: Store, dir: string) {
  const ctx = commandContext(store, 'cli', { ...rules, phi: new PhiGuard() });
  const source = { ...readFolder(dir, rules.maxBodyBytes), root: dir };
  const problems: ImportProblem[] = [];
  const files = (await importFileManifest(ctx, dir, problems)) + (await importLocalFiles(ctx, dir, source.pages, problems));
  const summary = importPages(store, { ...rules, phi: new PhiGuard() }, { ...source, problems: [...source.problems, ...problems] });
  return { files, summary };
}

describe('files travel with their pages', () => {
  it('export then import keeps every version, its files and its hash; history shows the replaced image', async () => {
    const { store } = testStore();
    const ctx = { ...commandContext(store, 'mreyes', { at: new Date('2025-01-02T03:04:05.000Z') }), limits: DEFAULT_INSPECT_LIMITS };
    createPage(ctx, { slug: 'sepsis-bpa', frontMatter: { ...sampleFrontMatter }, body: 'First draft.' });
    const first = await attachFile(ctx, { slug: 'sepsis-bpa', name: 'criteria.png', bytes: await screenshot(['Rule 90012 criteria v1']) });
    savePage(ctx, { slug: 'sepsis-bpa', frontMatter: { ...sampleFrontMatter }, body: `![criteria](<${first.url}>)`, summary: 'Screenshot', baseVersion: 1 });
    const second = await attachFile(ctx, { slug: 'sepsis-bpa', name: 'criteria-2025.png', bytes: await screenshot(['Rule 90012 criteria v2']) });
    savePage(ctx, { slug: 'sepsis-bpa', frontMatter: { ...sampleFrontMatter }, body: `![criteria](<${second.url}>)`, summary: 'New screenshot', baseVersion: 2 });
    const versions = chain(store);
    expect(versions.map((v) => v.files)).toEqual([null, JSON.stringify([first.sha256]), JSON.stringify([second.sha256])]);
    // Version 2 still shows the first screenshot: the file stays readable through the page.
    expect(store.files.belongsTo('sepsis-bpa', first.sha256)).toBe(true);

    const out = path.join(tempDir(), 'export');
    expect(exportStore(store, out)).toMatchObject({ pages: 1, versions: 3, files: 2 });
    expect(fs.readFileSync(path.join(out, 'files', first.sha256)).length).toBe(first.size);

    const empty = openStore(tempDir());
    const { files, summary } = await importWithFiles(empty, out);
    expect(summary).toMatchObject({ created: 1, failed: 0, problems: [] });
    expect(files).toBe(2);
    expect(chain(empty)).toEqual(versions);
    expect(verifyStore(empty)).toMatchObject({ break: null, files: 2 });
  }, 120_000);

  it('brings a folder’s diagrams referenced by relative paths, and never reads outside the folder', async () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'docs', 'adr'), { recursive: true });
    fs.mkdirSync(path.join(root, 'docs', 'images'), { recursive: true });
    fs.writeFileSync(path.join(root, 'docs', 'images', 'flow.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>ORU flow</text></svg>');
    const outside = tempDir();
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'not for the wiki');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'docs', 'images', 'secret.txt'));
    fs.writeFileSync(
      path.join(root, 'docs', 'adr', '0001-route-results.md'),
      `---\n${Object.entries({ ...sampleFrontMatter, title: 'Route results' }).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n')}\n---\n![Flow](../images/flow.svg)\n\nSee [the notes](../images/secret.txt) and [missing](../images/nope.png).\n`,
    );
    const { store } = testStore();
    const { files, summary } = await importWithFiles(store, root);
    expect(files).toBe(1);
    expect(summary.problems.filter((p) => !/secret|nope/.test(p.reason))).toEqual([]);
    expect(summary.created).toBe(1);
    const reasons = summary.problems.map((p) => p.reason).join('\n');
    expect(reasons).toMatch(/secret\.txt: outside the folder/);
    expect(reasons).toMatch(/nope\.png: no such file/);
    const [head] = store.pages.allHeads();
    const body = store.pages.version(head!.id, head!.current_version)!.body;
    const [attached] = store.files.forPage(head!.slug);
    expect(attached).toMatchObject({ name: 'flow.svg', type: 'image/svg+xml' });
    expect(body).toContain(`![Flow](</p/${head!.slug}/files/${attached!.sha256}/flow.svg>)`);
    expect(store.pages.version(head!.id, head!.current_version)!.files).toBe(JSON.stringify([attached!.sha256]));
    expect(body).toContain('(../images/secret.txt)');
    expect([...store.files.all()].some((f) => f.bytes.toString().includes('not for the wiki'))).toBe(false);
  }, 60_000);

  it('verify notices a stored file whose bytes were altered', async () => {
    const { store, dir } = testStore();
    const ctx = { ...commandContext(store), limits: DEFAULT_INSPECT_LIMITS };
    createPage(ctx, { slug: 'notes', frontMatter: { ...sampleFrontMatter }, body: 'x' });
    const f = await attachFile(ctx, { slug: 'notes', name: 'notes.txt', bytes: Buffer.from('Interface notes, no patients.') });
    expect(verifyStore(store).break).toBeNull();
    store.close();
    const { default: Database } = await import('better-sqlite3');
    const raw = new Database(path.join(dir, 'whywiki.db'));
    // The trigger refuses the edit; someone altering the file by hand drops it first.
    expect(() => raw.prepare("UPDATE files SET bytes = x'00' WHERE sha256 = ?").run(f.sha256)).toThrow(/immutable/);
    raw.exec('DROP TRIGGER files_immutable_update');
    raw.prepare('UPDATE files SET bytes = ? WHERE sha256 = ?').run(Buffer.from('Interface notes, MRN 12345678.'), f.sha256);
    raw.close();
    const again = openStore(dir);
    expect(verifyStore(again).break).toMatchObject({ table: 'files', id: f.sha256 });
    again.close();
  });
});
