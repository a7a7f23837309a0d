import { fileTypeFromBuffer } from 'file-type';
import { DomainError } from '../core/errors.js';

/**
 * Which files a page accepts, decided from the bytes (file-type's signatures, or a strict UTF-8 check for
 * text), never from the name or what the browser claims. Only kinds whose text the PHI guard can read are
 * accepted: raster images (OCR), PDF, Word, Excel and PowerPoint (their text), plain text, and SVG
 * diagrams without script.
 */

export type FileKind = 'image' | 'svg' | 'pdf' | 'docx' | 'xlsx' | 'pptx' | 'text';

export interface AcceptedType {
  kind: FileKind;
  /** The Content-Type it is served with. */
  type: string;
  /** Extensions a name may carry for it; the first is added to a name without one. */
  extensions: string[];
  /** Shown inline (raster images); everything else is served as a download. */
  inline: boolean;
  label: string;
}

const RASTER: Record<string, AcceptedType> = {
  'image/png': { kind: 'image', type: 'image/png', extensions: ['png'], inline: true, label: 'PNG image' },
  'image/jpeg': { kind: 'image', type: 'image/jpeg', extensions: ['jpg', 'jpeg'], inline: true, label: 'JPEG image' },
  'image/gif': { kind: 'image', type: 'image/gif', extensions: ['gif'], inline: true, label: 'GIF image' },
  'image/webp': { kind: 'image', type: 'image/webp', extensions: ['webp'], inline: true, label: 'WebP image' },
};
const DOCUMENTS: Record<string, AcceptedType> = {
  'application/pdf': { kind: 'pdf', type: 'application/pdf', extensions: ['pdf'], inline: false, label: 'PDF document' },
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': {
    kind: 'docx', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extensions: ['docx'], inline: false, label: 'Word document',
  },
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
    kind: 'xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extensions: ['xlsx'], inline: false, label: 'Excel workbook',
  },
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': {
    kind: 'pptx', type: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', extensions: ['pptx'], inline: false, label: 'PowerPoint presentation',
  },
};
const SVG: AcceptedType = { kind: 'svg', type: 'image/svg+xml', extensions: ['svg'], inline: false, label: 'SVG diagram' };
/** Text an analyst attaches: notes, extracts, interface specs, sample messages (de-identified), SQL. */
const TEXT_EXTENSIONS = ['txt', 'csv', 'tsv', 'md', 'log', 'hl7', 'json', 'xml', 'sql', 'yaml', 'yml', 'ini', 'cfg', 'conf'];
const TEXT: AcceptedType = { kind: 'text', type: 'text/plain; charset=utf-8', extensions: TEXT_EXTENSIONS, inline: false, label: 'text file' };

/** Names that run code when opened, whatever their bytes: refused outright. */
const EXECUTABLE_EXTENSIONS = new Set(
  'exe dll com scr msi msp bat cmd ps1 psm1 vbs vbe js mjs cjs jse wsf wsh hta html htm xhtml shtml mht mhtml sh bash zsh csh py pyc pl rb php jar class apk app dmg deb rpm lnk reg cpl inf scf url desktop docm xlsm pptm dotm xltm potm'.split(' '),
);

export const ACCEPTED_LABEL = 'PNG, JPEG, GIF or WebP images, SVG diagrams, PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), and text files (.txt, .csv, .md, .hl7, .json, .xml, .sql …)';

/** Why a file is refused; `kind` lets the edge choose 400, 413 or 415, `field` names the form field. */
export class FileRefused extends DomainError {
  constructor(message: string, readonly kind: 'invalid' | 'too_large' | 'unsupported' = 'invalid', readonly field = 'file') {
    super(message);
    this.name = 'FileRefused';
  }
}

/**
 * A name safe to store, show and put in a URL: the last path segment is not taken silently — a name with
 * path separators or control characters is refused — and anything outside letters, digits, dot, dash and
 * underscore becomes a dash.
 */
export function cleanFileName(raw: string): string {
  const name = raw.normalize('NFKC');
  if (/[\u0000-\u001f\u007f-\u009f]/u.test(name)) throw new FileRefused('The file name contains control characters; rename the file and try again.');
  if (/[/\\]/.test(name)) throw new FileRefused('The file name contains a path separator (/ or \\); send the file under its own name, without a folder.');
  const cleaned = name
    .trim()
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+/, '')
    .slice(-120);
  if (!cleaned || /^\.+$/.test(cleaned)) throw new FileRefused('The file has no usable name; rename it (for example bpa-criteria.png) and try again.');
  return cleaned;
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function asText(bytes: Buffer): string | null {
  if (bytes.includes(0)) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** An SVG that could run script or reach out when opened on its own; drawings need none of these. */
const SVG_ACTIVE = /<\s*(?:script|foreignObject|iframe|embed|object|handler|animate|set)\b|\son[a-z]+\s*=|(?:java|vb)script\s*:|xlink:href\s*=\s*["']\s*(?!#)|\shref\s*=\s*["']\s*(?!#)|<!ENTITY|@import/iu;

export interface SniffedFile {
  accepted: AcceptedType;
  /** The cleaned name, with the right extension. */
  name: string;
  /** For text and SVG: the decoded text, for the guard. */
  text?: string;
}

/** Decides what the bytes are and whether a page takes them; refuses with a message a person can act on. */
export async function sniffFile(rawName: string, bytes: Buffer): Promise<SniffedFile> {
  let name = cleanFileName(rawName);
  if (bytes.length === 0) throw new FileRefused(`“${name}” is empty (0 bytes); choose the file again.`);
  const ext = extensionOf(name);
  if (EXECUTABLE_EXTENSIONS.has(ext)) throw new FileRefused(`“${name}” is a .${ext} file, which can run code when opened, so it is not accepted. Accepted: ${ACCEPTED_LABEL}.`, 'unsupported');
  const sniffed = await fileTypeFromBuffer(bytes);
  let accepted: AcceptedType | undefined;
  let text: string | undefined;
  if (sniffed) {
    accepted = RASTER[sniffed.mime] ?? DOCUMENTS[sniffed.mime];
    if (!accepted) {
      const what = sniffed.mime === 'application/x-cfb' ? 'an old Office format (.doc, .xls or .ppt); save it as .docx, .xlsx, .pptx or PDF' : `a ${sniffed.mime} file (.${sniffed.ext})`;
      throw new FileRefused(`“${name}” is ${what}, which is not accepted. Accepted: ${ACCEPTED_LABEL}.`, 'unsupported');
    }
  } else {
    const decoded = asText(bytes);
    if (decoded === null) throw new FileRefused(`The contents of “${name}” are not a kind of file Whywiki recognizes. Accepted: ${ACCEPTED_LABEL}.`, 'unsupported');
    const head = decoded.slice(0, 4096).replace(/^\uFEFF/, '').trimStart();
    if (/^(?:<\?xml[^>]*>\s*)?(?:<!--[\s\S]*?-->\s*)*(?:<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/iu.test(head)) {
      if (SVG_ACTIVE.test(decoded)) throw new FileRefused(`“${name}” is an SVG drawing with script, event handlers or links to other files; export the diagram again without them (or as PNG).`, 'unsupported');
      accepted = SVG;
    } else if (/^(?:<!DOCTYPE\s+html|<html[\s>])/iu.test(head)) {
      throw new FileRefused(`“${name}” is a web page (HTML), which can run code when opened, so it is not accepted. Save it as PDF instead.`, 'unsupported');
    } else {
      accepted = TEXT;
    }
    text = decoded;
  }
  if (ext && !accepted.extensions.includes(ext)) {
    throw new FileRefused(`“${name}” is named as a .${ext} file but its contents are a ${accepted.label}; rename it with the right extension (.${accepted.extensions[0]}) or choose the right file.`, 'unsupported');
  }
  if (!ext) name = `${name}.${accepted.extensions[0]}`;
  return { accepted, name, text };
}

/** The accepted type for a stored file's type, for serving. */
export function acceptedFor(type: string): AcceptedType | undefined {
  return RASTER[type] ?? DOCUMENTS[type] ?? (type === SVG.type ? SVG : type === TEXT.type ? TEXT : undefined);
}
