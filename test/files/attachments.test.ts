import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { testApp, tokenFor, seedPage, privacyTeam, type TestApp } from '../helpers.js';
import { docx, multipartBody, pdf, screenshot } from './fixtures.js';
import { closeOcr } from '../../server/files/ocr.js';

let t: TestApp;
let editor: string;
let reader: string;

beforeAll(async () => {
  t = await testApp();
  seedPage(t.store);
  editor = tokenFor(t.store, 'editor');
  reader = tokenFor(t.store, 'reader');
});
afterAll(async () => {
  await t.close();
  await closeOcr();
});

function upload(token: string, slug: string, file: { name: string; bytes: Buffer; type?: string }, extra: Record<string, string> = {}) {
  const body = multipartBody([...Object.entries(extra).map(([name, value]) => ({ name, value })), { name: 'file', value: file.bytes, filename: file.name, type: file.type ?? 'image/png' }]);
  return t.app.inject({ method: 'POST', url: `/api/pages/${slug}/attachments`, headers: { ...body.headers, authorization: `Bearer ${token}` }, payload: body.payload });
}

describe('attachments', () => {
  it('stores a build screenshot, lists it, and serves it with the type read from its bytes', async () => {
    const png = await screenshot(['BPA criteria: Sepsis screening', 'Lactate order when SIRS >= 2']);
    const res = await upload(editor, 'sepsis-screening-bpa', { name: 'bpa criteria.png', bytes: png, type: 'application/octet-stream' }, { alt: 'BPA criteria' });
    expect(res.statusCode, res.body).toBe(201);
    const file = res.json();
    expect(file).toMatchObject({ name: 'bpa-criteria.png', type: 'image/png', size: png.length });
    expect(file.url).toBe(`/p/sepsis-screening-bpa/files/${file.sha256}/bpa-criteria.png`);
    const list = await t.app.inject({ method: 'GET', url: '/api/pages/sepsis-screening-bpa/attachments', headers: { authorization: `Bearer ${reader}` } });
    expect(list.json().attachments).toEqual([expect.objectContaining({ name: 'bpa-criteria.png', sha256: file.sha256, alt: 'BPA criteria', added_by: 'editor' })]);
    const served = await t.app.inject({ method: 'GET', url: file.url, headers: { authorization: `Bearer ${reader}` } });
    expect(served.statusCode).toBe(200);
    expect(served.headers['content-type']).toBe('image/png');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.rawPayload.equals(png)).toBe(true);
    const events = t.store.audit.search({ action: 'file.attached' }, 10, 0);
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]!.details)).toMatchObject({ sha256: file.sha256, name: 'bpa-criteria.png' });
  }, 60_000);

  it('refuses a screenshot that shows a patient name and an MRN, naming the finding and outlining where', async () => {
    const png = await screenshot(['Patient: John Smith', 'MRN: 00482913', 'Sepsis screening BPA fired']);
    const res = await upload(editor, 'sepsis-screening-bpa', { name: 'bpa-fired.png', bytes: png });
    expect(res.statusCode, res.body).toBe(422);
    const body = res.json();
    expect(body.message).toMatch(/medical record number/);
    expect(body.message).not.toContain('00482913');
    const mrn = body.findings.find((f: { kind: string }) => f.kind === 'medical record number');
    expect(mrn.box.y).toBeGreaterThan(150);
    expect(mrn.box.width).toBeGreaterThan(50);
    expect(t.store.files.forPage('sepsis-screening-bpa').map((f) => f.name)).not.toContain('bpa-fired.png');
  }, 60_000);

  it('refuses bad files with a clear message and stores nothing', async () => {
    const before = [...t.store.files.all()].length;
    const png = await screenshot(['Order set build']);
    const cases: [string, Buffer, number, RegExp][] = [
      ['empty.png', Buffer.alloc(0), 400, /empty/],
      ['tool.exe', Buffer.from('MZ\x90\x00'), 415, /run code/],
      ['notes.pdf', png, 415, /named as a \.pdf file but its contents are a PNG image/],
      ['page.html', Buffer.from('<!DOCTYPE html><script>alert(1)</script>'), 415, /run code/],
      ['diagram.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), 415, /script/],
      ['archive.zip', await zipOf(), 415, /not accepted/],
    ];
    for (const [name, bytes, status, message] of cases) {
      const res = await upload(editor, 'sepsis-screening-bpa', { name, bytes });
      expect(res.statusCode, `${name}: ${res.body}`).toBe(status);
      expect(res.json().message, name).toMatch(message);
    }
    const bomb = await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#fff' } }).png({ compressionLevel: 9 }).toBuffer();
    const res = await upload(editor, 'sepsis-screening-bpa', { name: 'bomb.png', bytes: bomb });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toMatch(/10000 × 10000 pixels/);
    expect([...t.store.files.all()].length).toBe(before);
  }, 60_000);

  it('refuses a file over the limit with 413, a reader with 403, and an upload without a file with 400', async () => {
    const small = await testApp({ maxAttachmentBytes: 2048 });
    try {
      seedPage(small.store);
      const body = multipartBody([{ name: 'file', value: Buffer.alloc(5000, 'a'), filename: 'big.txt', type: 'text/plain' }]);
      const res = await small.app.inject({ method: 'POST', url: '/api/pages/sepsis-screening-bpa/attachments', headers: { ...body.headers, authorization: `Bearer ${tokenFor(small.store, 'editor')}` }, payload: body.payload });
      expect(res.statusCode).toBe(413);
      expect(res.json().message).toMatch(/larger than the limit/);
    } finally {
      await small.close();
    }
    const asReader = await upload(reader, 'sepsis-screening-bpa', { name: 'a.txt', bytes: Buffer.from('hello') });
    expect(asReader.statusCode).toBe(403);
    const none = multipartBody([{ name: 'alt', value: 'nothing' }]);
    const res = await t.app.inject({ method: 'POST', url: '/api/pages/sepsis-screening-bpa/attachments', headers: { ...none.headers, authorization: `Bearer ${editor}` }, payload: none.payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/no file/);
  });
});

async function zipOf(): Promise<Buffer> {
  const { default: JSZip } = await import('jszip');
  const zip = new JSZip();
  zip.file('a.txt', 'hello');
  return zip.generateAsync({ type: 'nodebuffer' });
}

describe('the PHI guard reads documents, and admins may override it', () => {
  it('finds patient data in Word, PDF and CSV text, and accepts clean ones', async () => {
    const cases: [string, Buffer, number][] = [
      ['handoff.docx', await docx(['Downtime procedure for the BPA', 'Patient John Smith, MRN 00482913, was used to test']), 422],
      ['results.pdf', pdf(['Interface test results', 'DOB: 03/14/1962 for the test message']), 422],
      ['extract.csv', Buffer.from('name,ssn\nTest,123-45-6789\n'), 422],
      ['runbook.docx', await docx(['Downtime procedure for the BPA', 'Open the Rule Editor and release Rule 90012.']), 201],
      ['spec.pdf', pdf(['ORU^R01 routing spec', 'OBX-3 maps to Beaker components']), 201],
    ];
    for (const [name, bytes, status] of cases) {
      const res = await upload(editor, 'sepsis-screening-bpa', { name, bytes, type: 'application/octet-stream' });
      expect(res.statusCode, `${name}: ${res.body}`).toBe(status);
      if (status === 422) expect(res.json().findings.length, name).toBeGreaterThan(0);
    }
  }, 60_000);

  it('refuses a Word file that unpacks to far more than it weighs (a zip bomb)', async () => {
    const bomb = await docx(['Runbook'], 3 * 1024 * 1024);
    const small = await testApp();
    try {
      seedPage(small.store);
      const { attachFile } = await import('../../server/files/commands.js');
      const { commandContext } = await import('../helpers.js');
      const ctx = { ...commandContext(small.store), limits: { maxPixels: 40e6, ocrTimeoutMs: 30_000, extractTimeoutMs: 20_000, maxInflatedBytes: 1024 * 1024 } };
      await expect(attachFile(ctx, { slug: 'sepsis-screening-bpa', name: 'bomb.docx', bytes: bomb })).rejects.toThrow(/zip bomb/);
      expect(small.store.files.forPage('sepsis-screening-bpa')).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('lets an admin add a file over a finding with a reason, recorded in the audit event; nobody else', async () => {
    const bytes = Buffer.from('Service desk: call 555-867-5309 during downtime.');
    const asEditor = await upload(editor, 'sepsis-screening-bpa', { name: 'desk.txt', bytes }, { phi_override_reason: 'Published help desk number' });
    expect(asEditor.statusCode).toBe(403);
    const res = await upload(tokenFor(t.store, 'admin'), 'sepsis-screening-bpa', { name: 'desk.txt', bytes }, { phi_override_reason: 'Published help desk number' });
    expect(res.statusCode, res.body).toBe(201);
    const event = t.store.audit.search({ action: 'file.attached' }, 50, 0).find((e) => e.details.includes('desk.txt'))!;
    expect(JSON.parse(event.details).phi_override).toEqual({ reason: 'Published help desk number', kinds: ['phone number'] });
  });

  it('makes a thumbnail of a large screenshot for the page view, the original one click away', async () => {
    const big = await screenshot(['Wide dashboard'], { width: 2560, height: 1440 });
    const res = await upload(editor, 'sepsis-screening-bpa', { name: 'dashboard.png', bytes: big });
    expect(res.statusCode, res.body).toBe(201);
    const thumb = await t.app.inject({ url: `${res.json().url}?size=thumb`, headers: { authorization: `Bearer ${reader}` } });
    expect(thumb.headers['content-type']).toBe('image/webp');
    expect((await sharp(thumb.rawPayload).metadata()).width).toBe(1200);
    const original = await t.app.inject({ url: res.json().url, headers: { authorization: `Bearer ${reader}` } });
    expect((await sharp(original.rawPayload).metadata()).width).toBe(2560);
  }, 60_000);

  it('hides a restricted page’s files from those outside its team, by any URL', async () => {
    await privacyTeam(t.store);
    const { createPage } = await import('../../server/pages/commands.js');
    const { commandContext, sampleFrontMatter } = await import('../helpers.js');
    createPage(commandContext(t.store, 'pwong'), { slug: 'privacy-only', frontMatter: { ...sampleFrontMatter, restricted_to: ['privacy'] }, body: 'x' });
    const member = tokenFor(t.store, 'pat');
    const res = await upload(member, 'privacy-only', { name: 'privacy-notes.txt', bytes: Buffer.from('Privacy office notes') });
    expect(res.statusCode, res.body).toBe(201);
    const { url, sha256 } = res.json();
    expect((await t.app.inject({ url, headers: { authorization: `Bearer ${member}` } })).statusCode).toBe(200);
    for (const probe of [url, `/p/sepsis-screening-bpa/files/${sha256}/privacy-notes.txt`, '/api/pages/privacy-only/attachments']) {
      expect((await t.app.inject({ url: probe, headers: { authorization: `Bearer ${editor}` } })).statusCode, probe).toBe(404);
    }
    expect((await upload(editor, 'privacy-only', { name: 'x.txt', bytes: Buffer.from('x') })).statusCode).toBe(404);
  });
});
