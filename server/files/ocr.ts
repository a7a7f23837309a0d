import path from 'node:path';
import { createRequire } from 'node:module';
import type { Worker as TesseractWorker } from 'tesseract.js';

/**
 * OCR for the PHI guard: the text in a screenshot, line by line with where each line sits, so a finding
 * can be outlined on the image. tesseract.js runs in its own worker thread; its English data comes from
 * the @tesseract.js-data/eng package in node_modules, and nothing is fetched at run time.
 */

export interface OcrLine {
  text: string;
  /** Where the line sits, in pixels of the original image. */
  box: { x: number; y: number; width: number; height: number };
}

export interface OcrResult {
  lines: OcrLine[];
  ms: number;
}

const require = createRequire(import.meta.url);
const LANG_PATH = path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');

export class OcrTimeout extends Error {}

let worker: Promise<TesseractWorker> | null = null;
/** One recognition at a time: the machine has few cores, and the request thread must keep one. */
let queue: Promise<unknown> = Promise.resolve();

function getWorker(): Promise<TesseractWorker> {
  // tesseract.js is loaded with the first image to read, not at every start.
  worker ??= import('tesseract.js').then(({ createWorker }) => createWorker('eng', 1, { langPath: LANG_PATH, cacheMethod: 'none', gzip: true, logger: () => {}, errorHandler: () => {} }));
  return worker;
}

async function endWorker(): Promise<void> {
  const w = worker;
  worker = null;
  if (w) await (await w).terminate().catch(() => {});
}

/**
 * Reads the text of an image. Small screenshots are enlarged first (UI text at 1× is too small for
 * tesseract); anything past `timeoutMs` ends the worker and throws OcrTimeout.
 */
export function readImageText(bytes: Buffer, timeoutMs: number): Promise<OcrResult> {
  const job = queue.then(() => recognize(bytes, timeoutMs));
  queue = job.catch(() => {});
  return job;
}

async function recognize(bytes: Buffer, timeoutMs: number): Promise<OcrResult> {
  const started = performance.now();
  const { default: sharp } = await import('sharp');
  const meta = await sharp(bytes, { limitInputPixels: 50_000_000 }).metadata();
  const width = meta.width ?? 1;
  const scale = width < 1600 ? 2 : width > 3200 ? 3200 / width : 1;
  const prepared = await sharp(bytes, { limitInputPixels: 50_000_000 })
    .flatten({ background: '#ffffff' })
    .resize({ width: Math.round(width * scale) })
    .greyscale()
    .png()
    .toBuffer();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OcrTimeout(`reading the text of the image took longer than ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  });
  try {
    const w = await Promise.race([getWorker(), timeout]);
    const { data } = await Promise.race([w.recognize(prepared, {}, { blocks: true, text: false }), timeout]);
    const lines: OcrLine[] = [];
    for (const block of data.blocks ?? []) {
      for (const para of block.paragraphs) {
        for (const line of para.lines) {
          const text = line.text.replace(/\s+/g, ' ').trim();
          if (!text) continue;
          const b = line.bbox;
          lines.push({ text, box: { x: Math.round(b.x0 / scale), y: Math.round(b.y0 / scale), width: Math.round((b.x1 - b.x0) / scale), height: Math.round((b.y1 - b.y0) / scale) } });
        }
      }
    }
    return { lines, ms: performance.now() - started };
  } catch (e) {
    if (e instanceof OcrTimeout) await endWorker();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** Ends the OCR worker (at shutdown, and in tests). */
export async function closeOcr(): Promise<void> {
  await endWorker();
}
