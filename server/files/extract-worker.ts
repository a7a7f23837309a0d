import { parentPort, workerData } from 'node:worker_threads';
import JSZip from 'jszip';
import mammoth from 'mammoth';
import { extractText, getDocumentProxy } from 'unpdf';

/**
 * Reads the text of an uploaded document in a worker thread, so a large or hostile file never holds
 * the request thread; the caller ends the worker when its time runs out. Office files are zip
 * archives: their declared sizes are checked before anything is inflated (a zip bomb is refused).
 */

export interface ExtractRequest {
  kind: 'pdf' | 'docx' | 'xlsx' | 'pptx';
  bytes: Uint8Array;
  /** Largest total of the archive's inflated entries. */
  maxInflatedBytes: number;
}
export type ExtractReply = { ok: true; text: string } | { ok: false; problem: string };

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decodeXml = (s: string) =>
  s.replace(/&(?:#(\d+)|#x([0-9a-f]+)|(amp|lt|gt|quot|apos));/giu, (_m, dec: string, hex: string, name: string) =>
    dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : XML_ENTITIES[name]!,
  );

async function openZip(bytes: Uint8Array, maxInflated: number): Promise<JSZip> {
  const zip = await JSZip.loadAsync(bytes);
  let total = 0;
  let entries = 0;
  for (const entry of Object.values(zip.files)) {
    entries++;
    // JSZip reads sizes from the central directory without inflating anything.
    total += (entry as unknown as { _data?: { uncompressedSize?: number } })._data?.uncompressedSize ?? 0;
  }
  if (entries > 10_000 || total > maxInflated) throw new Error(`it unpacks to ${Math.round(total / 1e6)} MB in ${entries} parts, more than a document needs (a zip bomb?)`);
  return zip;
}

/** The text runs of Office XML parts (`<t>` in Excel, `<a:t>` in PowerPoint), a line per paragraph or cell. */
async function xmlText(zip: JSZip, pattern: RegExp, tag: RegExp): Promise<string> {
  const names = Object.keys(zip.files).filter((n) => pattern.test(n)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const out: string[] = [];
  for (const name of names) {
    const xml = await zip.file(name)!.async('string');
    for (const m of xml.matchAll(tag)) out.push(decodeXml(m[1]!));
  }
  return out.join('\n');
}

async function extract(req: ExtractRequest): Promise<string> {
  switch (req.kind) {
    case 'pdf': {
      const pdf = await getDocumentProxy(new Uint8Array(req.bytes));
      const { text } = await extractText(pdf, { mergePages: false });
      return (text as string[]).join('\n');
    }
    case 'docx': {
      await openZip(req.bytes, req.maxInflatedBytes);
      const { value } = await mammoth.extractRawText({ buffer: Buffer.from(req.bytes) });
      return value;
    }
    case 'xlsx': {
      const zip = await openZip(req.bytes, req.maxInflatedBytes);
      return xmlText(zip, /^xl\/(?:sharedStrings|worksheets\/sheet\d+)\.xml$/u, /<(?:x:)?t(?:\s[^>]*)?>([^<]*)<\/(?:x:)?t>/gu);
    }
    case 'pptx': {
      const zip = await openZip(req.bytes, req.maxInflatedBytes);
      return xmlText(zip, /^ppt\/(?:slides\/slide|notesSlides\/notesSlide)\d+\.xml$/u, /<a:t>([^<]*)<\/a:t>/gu);
    }
  }
}

const req = (workerData as { request: ExtractRequest }).request;
extract(req).then(
  (text) => parentPort!.postMessage({ ok: true, text } satisfies ExtractReply),
  (e: unknown) => parentPort!.postMessage({ ok: false, problem: e instanceof Error ? e.message.split('\n')[0]! : String(e) } satisfies ExtractReply),
);
