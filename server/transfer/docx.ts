import fs from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import type { CommandContext } from '../pages/commands.js';
import { attachFile, FilePhiRefused } from '../files/commands.js';
import { DEFAULT_INSPECT_LIMITS } from '../files/inspect.js';
import { fileMarkdown } from '../files/refs.js';
import { DomainError } from '../pages/errors.js';
import { htmlToMarkdown } from './html.js';
import { slugFromFileName } from './adr.js';
import type { ImportProblem, SourcePage } from './import.js';

/**
 * Word documents (build documentation kept on SharePoint) as pages: mammoth turns the document into
 * HTML, turndown into markdown. Embedded images become files of the page, stored before the page is
 * written and run through the PHI guard like any upload; the text meets the guard when the page is checked.
 */

const MAX_DOCX_BYTES = 50 * 1024 * 1024;

/** The title Word keeps in the document's properties (File > Info > Title), if someone set one. */
async function documentTitle(bytes: Buffer): Promise<string | undefined> {
  try {
    const zip = await JSZip.loadAsync(bytes);
    const core = await zip.file('docProps/core.xml')?.async('string');
    const m = core ? /<dc:title>([\s\S]*?)<\/dc:title>/.exec(core) : null;
    const title = m?.[1]?.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&').trim();
    return title || undefined;
  } catch {
    return undefined;
  }
}

function refusal(e: unknown): string | null {
  if (e instanceof FilePhiRefused) return e.errors.map((x) => x.message).join(' ');
  if (e instanceof DomainError) return e.message;
  return null;
}

/** Reads the .docx files (paths relative to `root`) into pages; their images are attached as it goes. */
export async function readWordFiles(ctx: CommandContext, root: string, files: string[], taken: Set<string>): Promise<{ pages: SourcePage[]; problems: ImportProblem[]; filesAdded: number }> {
  const pages: SourcePage[] = [];
  const problems: ImportProblem[] = [];
  let filesAdded = 0;
  for (const rel of files) {
    const bytes = fs.readFileSync(path.join(root, rel));
    if (bytes.length > MAX_DOCX_BYTES) {
      problems.push({ file: rel, field: 'file', reason: `the document is ${Math.ceil(bytes.length / 1024 / 1024)} MB, over the limit of ${MAX_DOCX_BYTES / 1024 / 1024} MB` });
      continue;
    }
    let slug = slugFromFileName(path.basename(rel).replace(/\.docx$/i, ''));
    const fileNotes: string[] = [];
    if (taken.has(slug)) {
      const apart = slugFromFileName(rel.replace(/\.docx$/i, '').replace(/[\\/]/g, '-'));
      fileNotes.push(`another file already gives the slug "${slug}"; this document is the page "${apart}"`);
      slug = apart;
    }
    taken.add(slug);
    const images: { token: string; url: string; name: string; type: string; alt?: string }[] = [];
    let html: string;
    try {
      // Loaded on the first Word import rather than at every start: mammoth and its XML stack are large.
      const { default: mammoth } = await import('mammoth');
      const result = await mammoth.convertToHtml(
        { buffer: bytes },
        {
          convertImage: mammoth.images.imgElement(async (image) => {
            const data = await image.read();
            const n = images.length + 1;
            const ext = (image.contentType.split('/')[1] ?? 'bin').replace('jpeg', 'jpg').replace(/[^a-z0-9]/g, '');
            const name = `image-${n}.${ext}`;
            const alt = (image as { altText?: string }).altText;
            try {
              const file = await attachFile({ ...ctx, limits: DEFAULT_INSPECT_LIMITS }, { slug, name, bytes: data, alt: alt?.slice(0, 300) });
              filesAdded++;
              const token = `whywiki-docx-image-${n}`;
              images.push({ token, url: file.url, name: file.name, type: file.type, alt });
              return { src: token };
            } catch (e) {
              const reason = refusal(e);
              if (!reason) throw e;
              // A picture the guard refuses is left out, and the page says where it was.
              problems.push({ file: rel, field: 'file', reason: `${name} (picture ${n}) was not stored: ${reason}` });
              return { src: `whywiki-docx-refused-${n}` };
            }
          }),
        },
      );
      html = result.value;
      const unknownStyles = [...new Set(result.messages.filter((m) => m.type === 'warning' && /Unrecognised paragraph style/.test(m.message)).map((m) => /'([^']+)'/.exec(m.message)?.[1] ?? m.message))];
      if (unknownStyles.length) fileNotes.push(`Word styles ${unknownStyles.map((s) => `"${s}"`).join(', ')} have no markdown form; their text is kept as plain paragraphs`);
    } catch (e) {
      problems.push({ file: rel, field: 'file', reason: `not a Word document mammoth can read (${e instanceof Error ? e.message.split('\n')[0] : String(e)})` });
      continue;
    }
    let body = htmlToMarkdown(html);
    for (const img of images) body = body.replace(new RegExp(`!\\[([^\\]]*)\\]\\(${img.token}\\)`, 'g'), (_all, alt: string) => fileMarkdown(img, alt || img.alt));
    body = body.replace(/!\[([^\]]*)\]\(whywiki-docx-refused-(\d+)\)/g, '_(picture $2 of the document was not imported: see the import report)_');
    let title = await documentTitle(bytes);
    const heading = /^#\s+(.+)$/m.exec(body);
    if (!title && heading) {
      title = heading[1]!.replace(/[*_`]/g, '').trim();
      body = body.replace(heading[0], '').replace(/^\n+/, '');
    }
    if (!title) {
      title = path.basename(rel).replace(/\.docx$/i, '').replace(/[-_]+/g, ' ').trim();
      fileNotes.push(`no document title and no heading; the title "${title}" is made from the file name`);
    }
    pages.push({ slug, mode: 'content', versions: [{ file: rel, frontMatter: { title }, body: `${body}\n`, format: 'docx', notes: fileNotes }] });
  }
  return { pages, problems, filesAdded };
}
