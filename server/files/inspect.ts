import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type Sharp from 'sharp';
import { TS_WORKER_BOOTSTRAP } from '../search/entry.js';
import { FileRefused, sniffFile, type AcceptedType } from './policy.js';
import { OcrTimeout, readImageText, type OcrLine } from './ocr.js';
import type { ExtractReply, ExtractRequest } from './extract-worker.js';

/** What an upload turned out to be, with the text the PHI guard reads and search indexes. */
export interface InspectedFile {
  sha256: string;
  name: string;
  accepted: AcceptedType;
  size: number;
  bytes: Buffer;
  /** Text in the file: the document's text, or the lines OCR read in an image. */
  text: string;
  /** For images: each OCR line with where it sits, in the order of `text`'s lines. */
  lines?: OcrLine[];
  width: number | null;
  height: number | null;
  thumbnail: Buffer | null;
  /** Time spent reading text (OCR or document extraction). */
  readMs: number;
}

export interface InspectLimits {
  maxPixels: number;
  /** Largest total an Office file's zip entries may unpack to (more is a zip bomb). */
  maxInflatedBytes?: number;
  ocrTimeoutMs: number;
  extractTimeoutMs: number;
}

export const DEFAULT_INSPECT_LIMITS: InspectLimits = { maxPixels: 40_000_000, ocrTimeoutMs: 30_000, extractTimeoutMs: 20_000 };
/** Images wider than this get a thumbnail of this width for the page view. */
export const THUMBNAIL_WIDTH = 1200;

const here = fileURLToPath(import.meta.url);
const FROM_SOURCE = here.endsWith('.ts');
const entry = path.join(path.dirname(here), `extract-worker${FROM_SOURCE ? '.ts' : '.js'}`);

/** Runs the document reader in a worker thread and ends it if it outlives its time. */
function extractInWorker(request: ExtractRequest, timeoutMs: number): Promise<ExtractReply> {
  const worker = FROM_SOURCE
    ? new Worker(TS_WORKER_BOOTSTRAP, { eval: true, workerData: { entry, parentURL: pathToFileURL(entry).href, request }, resourceLimits: { maxOldGenerationSizeMb: 512 } })
    : new Worker(entry, { workerData: { request }, resourceLimits: { maxOldGenerationSizeMb: 512 } });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ ok: false, problem: `reading it took longer than ${Math.round(timeoutMs / 1000)} s` });
    }, timeoutMs);
    worker.once('message', (m: ExtractReply) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(m);
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, problem: e.message.includes('memory') ? 'it needs more memory to read than a document should' : e.message });
    });
  });
}

/** Strips an SVG down to the words it shows, for the guard. */
function svgText(svg: string): string {
  return svg
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]{0,2000}>/g, '\n')
    .replace(/&(?:lt|gt|amp|quot|apos);/g, (e) => ({ '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'" })[e]!)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');
}

/**
 * Decides what an upload is and reads what it says. Refuses (FileRefused) what is not accepted, an
 * image with more pixels than `maxPixels` (a decompression bomb), and a file whose text cannot be read
 * in time: the guard must read a file before it is stored.
 */
/** sharp (and its native library) is loaded with the first drawing or image, not at every start. */
async function loadSharp(): Promise<typeof Sharp> {
  return (await import('sharp')).default;
}

export async function inspectFile(rawName: string, bytes: Buffer, limits: InspectLimits = DEFAULT_INSPECT_LIMITS): Promise<InspectedFile> {
  const sniffed = await sniffFile(rawName, bytes);
  const { accepted, name } = sniffed;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const base = { sha256, name, accepted, size: bytes.length, bytes, width: null, height: null, thumbnail: null, readMs: 0 };
  if (accepted.kind === 'text') return { ...base, text: sniffed.text ?? '' };
  if (accepted.kind === 'svg') {
    const sharp = await loadSharp();
    let width: number | null = null;
    let height: number | null = null;
    try {
      const meta = await sharp(bytes, { limitInputPixels: limits.maxPixels }).metadata();
      width = meta.width ?? null;
      height = meta.height ?? null;
    } catch {
      throw new FileRefused(`“${name}” is not a drawing Whywiki can read (or it is larger than ${Math.round(limits.maxPixels / 1e6)} megapixels).`, 'unsupported');
    }
    return { ...base, width, height, text: svgText(sniffed.text ?? '') };
  }
  if (accepted.kind === 'image') {
    const sharp = await loadSharp();
    let meta: Sharp.Metadata;
    try {
      meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    } catch {
      throw new FileRefused(`“${name}” looks like a ${accepted.label} but cannot be read; it may be damaged. Save it again and retry.`);
    }
    const width = meta.width ?? 0;
    const height = meta.pageHeight ?? meta.height ?? 0;
    if (width * height > limits.maxPixels || (meta.pages ?? 1) > 500) {
      throw new FileRefused(`“${name}” is ${width} × ${height} pixels${(meta.pages ?? 1) > 1 ? ` in ${meta.pages} frames` : ''}; images are accepted up to ${Math.round(limits.maxPixels / 1e6)} megapixels. Crop or shrink it.`, 'too_large');
    }
    let ocr;
    try {
      ocr = await readImageText(bytes, limits.ocrTimeoutMs);
    } catch (e) {
      if (e instanceof OcrTimeout) throw new FileRefused(`“${name}” could not be checked for patient information: ${e.message}. Crop the screenshot to the part that matters and try again.`, 'too_large');
      throw new FileRefused(`“${name}” could not be read as an image (${e instanceof Error ? e.message.split('\n')[0] : String(e)}).`);
    }
    const thumbnail = width > THUMBNAIL_WIDTH ? await sharp(bytes, { limitInputPixels: limits.maxPixels }).resize({ width: THUMBNAIL_WIDTH }).webp({ quality: 82 }).toBuffer() : null;
    return { ...base, width, height, thumbnail, text: ocr.lines.map((l) => l.text).join('\n'), lines: ocr.lines, readMs: ocr.ms };
  }
  const started = performance.now();
  const reply = await extractInWorker({ kind: accepted.kind, bytes: new Uint8Array(bytes), maxInflatedBytes: limits.maxInflatedBytes ?? 200 * 1024 * 1024 }, limits.extractTimeoutMs);
  if (!reply.ok) throw new FileRefused(`The text of “${name}” could not be read, so it cannot be checked for patient information: ${reply.problem}.`, reply.problem.includes('zip bomb') ? 'too_large' : 'invalid');
  return { ...base, text: reply.text, readMs: performance.now() - started };
}
