import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { testApp, tokenFor, seedPage, type TestApp } from '../helpers.js';
import { multipartBody, screenshot } from './fixtures.js';
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
