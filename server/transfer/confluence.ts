import fs from 'node:fs';
import path from 'node:path';
import { fromHtml } from 'hast-util-from-html';
import { toHtml } from 'hast-util-to-html';
import { toString } from 'hast-util-to-string';
import { visit } from 'unist-util-visit';
import type { Element, Root } from 'hast';
import type { CommandContext } from '../pages/commands.js';
import { attachFile, FilePhiRefused } from '../files/commands.js';
import { DEFAULT_INSPECT_LIMITS } from '../files/inspect.js';
import { DomainError } from '../pages/errors.js';
import { htmlToMarkdown } from './html.js';
import { readDate, slugFromFileName } from './adr.js';
import type { ImportProblem, SourcePage } from './import.js';

/**
 * A Confluence space exported as HTML (Space tools > Export > HTML): index.html (the space home and its
 * page tree), one <Title>_<pageId>.html per page with its ancestors in #breadcrumbs and its text in
 * #main-content, attachments/<pageId>/<file>, and images/ and styles/ for the theme. Each page becomes
 * a Whywiki page: its top ancestor is the module, every ancestor a tag, and the parent a link at the top;
 * links between pages become [[links]]; images and attachments become files of the page.
 */

/** True when `dir` looks like a Confluence HTML space export. */
export function isConfluenceExport(dir: string): boolean {
  if (!fs.existsSync(path.join(dir, 'index.html'))) return false;
  return fs.readdirSync(dir).some((f) => f !== 'index.html' && /\.html?$/i.test(f) && /id="main-content"/.test(fs.readFileSync(path.join(dir, f), 'utf8')));
}

const byId = (tree: Root, id: string): Element | undefined => {
  let found: Element | undefined;
  visit(tree, 'element', (n: Element) => {
    if (!found && n.properties?.id === id) found = n;
  });
  return found;
};
const hasClass = (n: Element, c: string) => Array.isArray(n.properties?.className) && (n.properties.className as string[]).includes(c);
const elements = (root: Element | Root, tag: string): Element[] => {
  const out: Element[] = [];
  visit(root, 'element', (n: Element) => {
    if (n.tagName === tag) out.push(n);
  });
  return out;
};
const clean = (s: string) => s.replace(/\s+/g, ' ').trim();

interface ConfluencePage {
  file: string;
  id?: string;
  title: string;
  slug: string;
  ancestors: { title: string; file?: string }[];
  tree: Root;
}

function refusal(e: unknown): string | null {
  if (e instanceof FilePhiRefused) return e.errors.map((x) => x.message).join(' ');
  if (e instanceof DomainError) return e.message;
  return null;
}

/** A tag made from a page title: lowercase words, at most 40 characters. */
const tagOf = (title: string) => title.toLowerCase().replace(/[^a-z0-9 ._/+-]+/g, ' ').replace(/\s+/g, ' ').trim().replace(/^[^a-z0-9]+/, '').slice(0, 40).trim();

export async function readConfluenceExport(ctx: CommandContext, dir: string): Promise<{ pages: SourcePage[]; problems: ImportProblem[]; skipped: ImportProblem[]; filesAdded: number }> {
  const root = path.resolve(dir);
  const problems: ImportProblem[] = [];
  const skipped: ImportProblem[] = [{ file: 'index.html', field: 'file', reason: 'skipped: the space\'s home index (the page tree is read from each page\'s breadcrumbs)' }];
  const space: ConfluencePage[] = [];
  const slugs = new Set<string>();
  for (const file of fs.readdirSync(root).filter((f) => /\.html?$/i.test(f) && f !== 'index.html').sort()) {
    const tree = fromHtml(fs.readFileSync(path.join(root, file), 'utf8'));
    if (!byId(tree, 'main-content')) {
      skipped.push({ file, field: 'file', reason: 'skipped: no #main-content (not a page of the space)' });
      continue;
    }
    const titleEl = byId(tree, 'title-text') ?? elements(tree, 'title')[0];
    // Confluence writes "Space name : Page title".
    const full = titleEl ? clean(toString(titleEl)) : '';
    const title = (full.includes(' : ') ? full.slice(full.indexOf(' : ') + 3) : full) || file.replace(/(_\d+)?\.html?$/i, '').replace(/[-_+]+/g, ' ');
    const crumbs = byId(tree, 'breadcrumbs');
    const ancestors = crumbs
      ? elements(crumbs, 'a')
          .map((a) => ({ title: clean(toString(a)), file: typeof a.properties?.href === 'string' ? a.properties.href : undefined }))
          .filter((a) => a.file !== 'index.html' && a.file !== file && a.title)
      : [];
    // The first crumb is the space home (index.html) and is left out above.
    let slug = slugFromFileName(title) || slugFromFileName(file.replace(/\.html?$/i, ''));
    if (slugs.has(slug)) slug = slugFromFileName(`${slug}-${/_?(\d+)\.html?$/i.exec(file)?.[1] ?? space.length}`);
    slugs.add(slug);
    space.push({ file, id: /(?:^|_)(\d+)\.html?$/i.exec(file)?.[1], title, slug, ancestors, tree });
  }
  const slugOfFile = new Map(space.map((p) => [p.file, p.slug]));
  const used = new Set<string>();
  let filesAdded = 0;
  const pages: SourcePage[] = [];

  for (const p of space) {
    const notes: string[] = [];
    const main = byId(p.tree, 'main-content')!;
    // Attachment names as Confluence shows them (attachments/<page>/<id>.png is listed as diagram.png).
    const names = new Map<string, string>();
    for (const a of elements(p.tree, 'a')) {
      const href = typeof a.properties?.href === 'string' ? decodeURIComponent(a.properties.href.split('?')[0]!) : '';
      if (href.startsWith('attachments/') && clean(toString(a))) names.set(href, clean(toString(a)));
    }
    const stored = new Map<string, string>();
    const attach = async (href: string, alt?: string): Promise<string | null> => {
      const rel = decodeURIComponent(href.split('?')[0]!);
      if (stored.has(rel)) return stored.get(rel)!;
      const full = path.resolve(root, rel);
      if (!full.startsWith(root + path.sep) || !fs.existsSync(full) || !fs.statSync(full).isFile()) {
        problems.push({ file: p.file, field: 'file', reason: `${rel}: not in the export` });
        return null;
      }
      used.add(rel);
      const name = names.get(rel) ?? path.basename(rel);
      try {
        const file = await attachFile({ ...ctx, limits: DEFAULT_INSPECT_LIMITS }, { slug: p.slug, name, bytes: fs.readFileSync(full), alt: alt?.slice(0, 300) });
        filesAdded++;
        stored.set(rel, file.url);
        return file.url;
      } catch (e) {
        const reason = refusal(e);
        if (!reason) throw e;
        problems.push({ file: p.file, field: 'file', reason: `${name}: ${reason}` });
        return null;
      }
    };
    // Links and images are settled on the tree, before it is turned into markdown.
    const imgs = elements(main, 'img');
    for (const img of imgs) {
      const src = String(img.properties?.dataImageSrc ?? img.properties?.src ?? '');
      if (src.startsWith('attachments/')) {
        const url = await attach(src, String(img.properties?.alt ?? '') || undefined);
        if (url) img.properties = { src: url, alt: String(img.properties?.alt ?? '') || names.get(src) || path.basename(src) };
      } else if (src.startsWith('images/icons/')) {
        img.properties = { alt: String(img.properties?.alt ?? '') };
        img.tagName = 'span';
      }
    }
    for (const a of elements(main, 'a')) {
      const href = typeof a.properties?.href === 'string' ? a.properties.href : '';
      const target = href.split('#')[0]!;
      if (slugOfFile.has(target)) a.properties = { href: `whywiki-page:${slugOfFile.get(target)}` };
      else if (target.startsWith('attachments/')) {
        const url = await attach(target);
        if (url) a.properties = { href: url };
      }
    }
    let body = htmlToMarkdown(toHtml(main)).replace(/\[([^\]]*)\]\(whywiki-page:([a-z0-9-]+)\)/g, (_all, text: string, slug: string) => {
      const label = text.replace(/[[\]|]/g, '').trim();
      return label && label !== slug ? `[[${slug}|${label}]]` : `[[${slug}]]`;
    });
    // Attachments the text does not show are listed, so none is left behind.
    const rest: string[] = [];
    const pageDir = p.id ? path.join(root, 'attachments', p.id) : null;
    if (pageDir && fs.existsSync(pageDir)) {
      for (const f of fs.readdirSync(pageDir).sort()) {
        const rel = `attachments/${p.id}/${f}`;
        if (stored.has(rel)) continue;
        const url = await attach(rel);
        if (url) rest.push(`- [${(names.get(rel) ?? f).replace(/[[\]]/g, '')}](${url})`);
      }
    }
    if (rest.length) body += `\n\n## Attachments\n\n${rest.join('\n')}`;
    const parent = p.ancestors.at(-1);
    const parentSlug = parent?.file ? slugOfFile.get(parent.file) : undefined;
    if (parent) body = `Parent: ${parentSlug ? `[[${parentSlug}|${parent.title.replace(/[[\]|]/g, '')}]]` : parent.title}\n\n${body}`;
    // "Created by X, last modified by Y on Mar 04, 2021": who and when, kept as written and used for the version.
    const meta = elements(p.tree, 'div').find((d) => hasClass(d, 'page-metadata'));
    const metaText = meta ? clean(toString(meta)) : '';
    if (metaText) body = `_${metaText}_\n\n${body}`;
    const when = readDate(/on (.+)$/.exec(metaText)?.[1]);
    const tags = [...new Set(p.ancestors.map((a) => tagOf(a.title)).filter(Boolean))].slice(0, 50);
    const module = p.ancestors[0]?.title.slice(0, 60);
    if (p.ancestors.length) notes.push(`under ${p.ancestors.map((a) => `"${a.title}"`).join(' > ')}: module "${module}", tags ${tags.join(', ')}, and a link to the parent`);
    pages.push({
      slug: p.slug,
      mode: 'content',
      versions: [{ file: p.file, frontMatter: { title: p.title.slice(0, 200), ...(module ? { module } : {}), ...(tags.length ? { tags } : {}) }, body: `${body.trim()}\n`, format: 'confluence', notes, ...(when.date ? { revision: { date: new Date(`${when.date}T00:00:00Z`).toISOString() } } : {}) }],
    });
  }
  // Theme files are not content; anything else the export holds and no page used is listed.
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.relative(root, path.join(d, e.name)).split(path.sep).join('/')]));
  const theme = walk(root).filter((f) => /^(images|styles)\//.test(f));
  if (theme.length) skipped.push({ file: 'images/, styles/', field: 'file', reason: `skipped: ${theme.length} Confluence theme files (icons and styles)` });
  for (const f of walk(root).filter((f) => f.startsWith('attachments/') && !used.has(f))) skipped.push({ file: f, field: 'file', reason: 'skipped: an attachment of no page in the export' });
  return { pages, problems, skipped, filesAdded };
}
