import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commandContext, sampleFrontMatter, testStore } from '../helpers.js';
import { createPage, savePage } from '../../server/pages/commands.js';
import { saveDraft } from '../../server/pages/commands/save-draft.js';
import { scanNow, type PhiScanResult } from '../../server/phi/retro-scan.js';
import { PhiScanFailed, PhiScanService } from '../../server/phi/scan-service.js';
import type { Store } from '../../server/store/index.js';

const MRN_PATTERNS = ['\\bMRN[ :#]*\\d{7,8}\\b'];
const AT = new Date('2026-03-02T09:30:00Z');
const clock = () => AT;

/** Pages whose old versions held identifiers (some repeated across versions, some not), a draft with an MRN, and an admin rule. */
function plant(store: Store): void {
  const ctx = commandContext(store);
  for (let i = 0; i < 30; i++) {
    const slug = `interface-${i}`;
    createPage(ctx, { slug, frontMatter: { ...sampleFrontMatter, title: `Interface ${i}` }, body: `## Defect\n\nPatient 123-45-${String(6700 + i)} called.\nTicket ZZQ-${1000 + i}.\n` });
    savePage(ctx, { slug, frontMatter: { ...sampleFrontMatter, title: `Interface ${i}`, why: i % 3 ? 'Kept' : `Seen on MRN ${4400000 + i}` }, body: i % 2 ? 'Clean now.' : `Still 219-09-${String(9000 + i)}.`, summary: 'Edit', baseVersion: 1 });
  }
  saveDraft(ctx, { slug: 'interface-0', baseVersion: 2, fields: { body: 'Reproduced on MRN 00482913 in TST.' } });
  store.phiRules.insert({ kind: 'pattern', value: 'ZZQ-\\d{4}', label: 'Old lab ticket', created_by: 'admin', created_at: AT.toISOString() });
}

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});
function planted(): Store {
  const { store } = testStore();
  stores.push(store);
  plant(store);
  return store;
}
const withoutTime = (r: PhiScanResult) => ({ ...r, ms: 0 });

describe('the retro-scan in its worker thread', () => {
  it('finds exactly what the scan on this thread finds, without reading the store on this thread', async () => {
    const store = planted();
    const expected = scanNow(store, MRN_PATTERNS, clock);
    expect(expected.total).toBeGreaterThan(30);
    // The request thread's connection is not used for the scan: every row is read by the worker.
    const read = vi.spyOn(store.phiScan, 'versionsAfter');
    const service = new PhiScanService(store, MRN_PATTERNS, clock);
    const result = await service.run();
    expect(read).not.toHaveBeenCalled();
    expect(withoutTime(result)).toEqual(withoutTime(expected));
    // Kept for the report, the CLI and the next start.
    expect(service.latest()).toEqual(result);
    expect(service.isCurrent()).toBe(true);
    expect(service.scanning).toBe(false);
  }, 60_000);

  it('stops when the app closes during a scan, and keeps nothing of it', async () => {
    const store = planted();
    const service = new PhiScanService(store, MRN_PATTERNS, clock);
    const run = service.run();
    expect(service.scanning).toBe(true);
    await service.stop();
    await expect(run).rejects.toThrow(/shutting down/);
    expect(service.scanning).toBe(false);
    expect(service.latest()).toBeUndefined();
    await expect(service.run()).rejects.toThrow(/shutting down/);
  }, 60_000);

  it('runs once more when a rule changes during a scan, and keeps the result under the new rules', async () => {
    const store = planted();
    const service = new PhiScanService(store, MRN_PATTERNS, clock);
    const kept = vi.spyOn(store, 'setMeta');
    const run = service.run();
    store.phiRules.insert({ kind: 'pattern', value: 'Clean now', label: 'Test phrase', created_by: 'admin', created_at: AT.toISOString() });
    service.rulesChanged();
    const result = await run;
    expect(result.under.rules.map((r) => r.value)).toEqual(['ZZQ-\\d{4}', 'Clean now']);
    // The scan under the old rules finished and was kept, then the one under the new rules replaced it.
    expect(kept).toHaveBeenCalledTimes(2);
    expect(result.findings.filter((f) => f.rule === 'Test phrase')).toHaveLength(15);
    expect(withoutTime(result)).toEqual(withoutTime(scanNow(store, MRN_PATTERNS, clock)));
    expect(service.latest()).toEqual(result);
    expect(service.isCurrent()).toBe(true);
    expect(service.scanning).toBe(false);
  }, 90_000);

  it('reports a scan that fails by its kind, and a later scan runs', async () => {
    const { store, dir } = testStore();
    stores.push(store);
    plant(store);
    const errors: unknown[] = [];
    const service = new PhiScanService(store, MRN_PATTERNS, clock, (e) => errors.push(e));
    // The worker cannot open the store file (this thread's connection still holds it).
    const file = store.file;
    fs.renameSync(file, `${dir}/moved.db`);
    const failed = service.run();
    await expect(failed).rejects.toBeInstanceOf(PhiScanFailed);
    await expect(failed).rejects.toThrow(/SqliteError \(SQLITE_CANTOPEN\)/);
    expect(service.scanning).toBe(false);
    expect(service.latest()).toBeUndefined();
    fs.renameSync(`${dir}/moved.db`, file);
    expect((await service.run()).total).toBeGreaterThan(30);
  }, 60_000);
});
