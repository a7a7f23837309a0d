import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Browser, commandContext, privacyTeam, sampleFrontMatter, tempDir, testApp, testStore, tokenFor, type TestApp } from '../helpers.js';
import { createPage, savePage } from '../../server/pages/commands.js';
import { attachFile } from '../../server/files/commands.js';
import { DEFAULT_INSPECT_LIMITS } from '../../server/files/inspect.js';
import { saveDraft } from '../../server/pages/commands/save-draft.js';
import { addComment } from '../../server/comments/commands/add-comment.js';
import { runCli } from '../../server/cli.js';
import { scanNow, type PhiScanResult, type ScanFinding } from '../../server/phi/retro-scan.js';

// Planted before any guard ran (the test contexts carry none), as text saved before a rule existed would be.
const SSN = '123-45-6789';
const ATTACHED_SSN = '219-09-9999';
const COMMENT_SSN = '457-55-5462';

/** An open page whose first version held an SSN and whose current one is clean; a text file with an SSN; a draft with an MRN; a restricted page with an SSN. */
async function plant(store: TestApp['store']): Promise<void> {
  const ctx = commandContext(store);
  createPage(ctx, { slug: 'lab-interface', frontMatter: { ...sampleFrontMatter, title: 'Lab interface' }, body: `## Defect\n\nCalled back about ${SSN} before go-live.\nTicket ZZQ-4821 tracked it.\n` });
  savePage(ctx, { slug: 'lab-interface', frontMatter: { ...sampleFrontMatter, title: 'Lab interface' }, body: '## Defect\n\nDe-identified.\n', summary: 'Removed the identifier', baseVersion: 1 });
  await attachFile({ ...ctx, limits: DEFAULT_INSPECT_LIMITS }, { slug: 'lab-interface', name: 'interface-log.txt', bytes: Buffer.from(`HL7 trace\nPID segment carried SSN ${ATTACHED_SSN} in PID-19\n`) });
  saveDraft(ctx, { slug: 'lab-interface', baseVersion: 2, fields: { body: 'Reproduced on MRN 00482913 in TST.' } });
  addComment(ctx, { slug: 'lab-interface', body: `Still seeing ${COMMENT_SSN} in the feed`, kind: 'wrong' });
  await privacyTeam(store);
  createPage(commandContext(store, 'pwong'), { slug: 'vip-charts', frontMatter: { ...sampleFrontMatter, title: 'VIP charts', restricted_to: ['privacy'] }, body: `Old ticket had 078-05-1121 in it.` });
}

let t: TestApp;
beforeAll(async () => {
  t = await testApp();
  await plant(t.store);
});
afterAll(async () => { await t.close(); });

const get = (token: string, url: string) => t.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
const report = async (token: string) => {
  const res = await get(token, '/api/reports/phi');
  expect(res.statusCode, res.body).toBe(200);
  return res.json<PhiScanResult>();
};

describe('the PHI retro-scan', () => {
  it('finds an SSN in an old version (not the current one), in attachment text and in a draft, masked, with a purge link', async () => {
    const r = await report(tokenFor(t.store, 'admin'));
    const on = (f: Partial<ScanFinding>) => r.findings.filter((x) => Object.entries(f).every(([k, v]) => x[k as keyof ScanFinding] === v));
    expect(on({ slug: 'lab-interface', source: 'version', version: 1, field: 'body', line: 3, kind: 'Social Security number', purge: '/p/lab-interface/history' })).toHaveLength(1);
    expect(on({ slug: 'lab-interface', version: 2 })).toEqual([]);
    expect(on({ slug: 'lab-interface', source: 'attachment', field: 'attachment interface-log.txt', line: 2, kind: 'Social Security number', purge: '/p/lab-interface/history' })).toHaveLength(1);
    expect(on({ slug: 'lab-interface', source: 'draft', field: 'draft by mreyes: body', kind: 'medical record number', purge: null })).toHaveLength(1);
    expect(on({ slug: 'lab-interface', source: 'comment', kind: 'Social Security number', purge: null })).toHaveLength(1);
    expect(r.scanned).toMatchObject({ version: 3, attachment: 1, draft: 1, comment: 1 });
    expect(r.total).toBe(r.findings.length);
    // Masked: the identifiers never leave the store.
    const body = JSON.stringify(r);
    for (const secret of [SSN, ATTACHED_SSN, COMMENT_SSN, '00482913', '078-05-1121']) expect(body).not.toContain(secret);
    expect(on({ slug: 'lab-interface', version: 1 })[0]!.excerpt).toMatch(/^•••-••-••••$/);
  });

  it('is for admins and auditors, and leaves out restricted pages a reader of the report may not see', async () => {
    expect((await get(tokenFor(t.store, 'reader'), '/api/reports/phi')).statusCode).toBe(403);
    expect((await get(tokenFor(t.store, 'editor'), '/api/reports/phi')).statusCode).toBe(403);
    const auditor = await report(tokenFor(t.store, 'auditor'));
    expect(auditor.findings.map((f) => f.slug)).not.toContain('vip-charts');
    expect(JSON.stringify(auditor)).not.toContain('vip-charts');
    const admin = await report(tokenFor(t.store, 'admin'));
    expect(admin.total).toBe(auditor.total + 1);
  });

  it('runs again in the background when a rule is added, and then finds what the new pattern matches', async () => {
    const before = await report(tokenFor(t.store, 'admin'));
    expect(before.findings.filter((f) => f.kind === 'custom pattern')).toEqual([]);
    const admin = new Browser(t.app);
    await admin.signIn('admin');
    await admin.get('/admin/phi');
    const added = await admin.post('/admin/phi/rules', { kind: 'pattern', value: 'ZZQ-\\d{4}', label: 'Old lab ticket with patient id' });
    expect(added.statusCode).toBe(200);
    // The request answered before the scan finished: the scan runs beside it.
    expect(t.app.phiScan.scanning).toBe(true);
    const after = await report(tokenFor(t.store, 'admin'));
    expect(after.under.rules).toEqual([expect.objectContaining({ kind: 'pattern', value: 'ZZQ-\\d{4}' })]);
    expect(after.findings.filter((f) => f.kind === 'custom pattern')).toEqual([expect.objectContaining({ slug: 'lab-interface', version: 1, line: 4, rule: 'Old lab ticket with patient id', excerpt: 'Z••-••••' })]);
    expect(after.ran_at >= before.ran_at).toBe(true);
  });

  it('shows the findings on a screen with a link to request each purge', async () => {
    const auditor = new Browser(t.app);
    await auditor.signIn('auditor');
    const res = await auditor.get('/admin/phi/scan');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('PHI retro-scan');
    expect(res.body).toContain('<a href="/p/lab-interface/history">Request purge</a>');
    expect(res.body).toContain('attachment interface-log.txt');
    expect(res.body).not.toContain(SSN);
    expect(res.body).not.toContain('vip-charts');
  });
});

describe('scanning versions that repeat a text', () => {
  it('reports the identifier in every version that holds it, each under its own version', () => {
    const { store } = testStore();
    const ctx = commandContext(store);
    createPage(ctx, { slug: 'repeat', frontMatter: sampleFrontMatter, body: `Old note: ${SSN}.` });
    savePage(ctx, { slug: 'repeat', frontMatter: { ...sampleFrontMatter, title: 'Renamed decision' }, body: `Old note: ${SSN}.`, summary: 'Title only', baseVersion: 1 });
    const r = scanNow(store, []);
    expect(r.findings.map((f) => [f.version, f.field, f.kind])).toEqual([[1, 'body', 'Social Security number'], [2, 'body', 'Social Security number']]);
    store.close();
  });
});

describe('whywiki phi-scan', () => {
  const cli = async (dir: string, ...args: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: { ...process.env, WHYWIKI_DATA: dir } });
    return { code, stdout, stderr };
  };

  it('prints each finding masked and exits 1 when there is any; exits 0 on a clean store', async () => {
    const { store, dir } = testStore();
    await plant(store as TestApp['store']);
    store.close();
    const found = await cli(dir, 'phi-scan');
    expect(found.code).toBe(1);
    expect(found.stdout).toContain('FOUND lab-interface v1 body line 3: Social Security number “•••-••-••••” (request purge: /p/lab-interface/history)');
    expect(found.stdout).toContain('FOUND lab-interface attachment interface-log.txt line 2: Social Security number');
    expect(found.stdout).toMatch(/Scanned 3 versions, 1 attachment, 1 comment, 1 draft \([\d.]+ MB of text\) in \d+ ms .*: 5 findings\./);
    expect(found.stdout).not.toContain(SSN);

    const clean = tempDir();
    const { store: other } = testStore(clean);
    createPage(commandContext(other), { slug: 'clean', frontMatter: sampleFrontMatter, body: 'Nothing to see.' });
    other.close();
    const none = await cli(clean, 'phi-scan');
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/: 0 findings\.$/m);
  }, 30_000);
});
