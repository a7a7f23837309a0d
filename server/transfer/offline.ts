import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import Handlebars from 'handlebars';
import lunr from 'lunr';
import type { Config } from '../config.js';
import type { Store } from '../store/index.js';
import type { FrontMatter } from '../pages/schema.js';
import { renderMarkdown } from '../render/markdown.js';
import { registerHelpers } from '../view-helpers.js';
import { VIEWS_DIR } from '../paths.js';
import { recordAudit } from '../audit/log.js';
import { ExportError } from './export.js';
import { referencedFiles } from '../files/refs.js';
import { pageFileMeta } from '../files/meta.js';
import { redactHtml, redactText, RESTRICTED_PAGE } from '../auth/visibility.js';

const require = createRequire(import.meta.url);

/** Turns the server's links into links between the static files (pages, and the files they show). */
function localLinks(html: string, prefix: string): string {
  return html
    .replace(/(href|src)="\/p\/[a-z0-9-]+\/files\/([0-9a-f]{64})\/([^"?]+)(?:\?size=thumb)?"/g, (_m, attr: string, sha: string, name: string) => `${attr}="${prefix}files/${sha}/${name}"`)
    .replace(/href="\/p\/([a-z0-9-]+)"/g, (_m, slug: string) => `href="${prefix}p/${slug}.html"`)
    .replace(/href="\/new\?slug=[^"]*"/g, 'href="#" title="This page does not exist yet"');
}

export interface OfflineResult {
  dir: string;
  /** Pages written. */
  pages: number;
  bytes: number;
  /** Pages that could not be written, and why; the others are written all the same. */
  failed: { slug: string; reason: string }[];
}

/**
 * A static copy of the current pages for downtime binders and USB sticks: the same look, working links,
 * and a search over a Lunr index built here, all opening from the file system with no server. The index
 * is a script (not JSON) because browsers refuse to fetch files from a file:// page.
 */
export function exportOffline(store: Store, config: Pick<Config, 'ticketUrl' | 'systems'> & Config, dir: string, options: { system?: string; includeRestricted?: boolean; onProgress?: (done: number, total: number) => void; actor?: string } = {}): OfflineResult {
  const out = path.resolve(dir);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) throw new ExportError(`${out} is not empty; export into a new or empty folder.`);
  fs.mkdirSync(path.join(out, 'p'), { recursive: true });
  fs.mkdirSync(path.join(out, 'assets'), { recursive: true });

  const hbs = Handlebars.create();
  registerHelpers(hbs, config);
  const tpl = (name: string) => hbs.compile(fs.readFileSync(path.join(VIEWS_DIR, 'offline', `${name}.hbs`), 'utf8'));
  hbs.registerPartial('status', fs.readFileSync(path.join(VIEWS_DIR, 'partials', 'status.hbs'), 'utf8'));
  const layout = tpl('layout');
  const pageTpl = tpl('page');
  const indexTpl = tpl('index');

  // A downtime copy is handed around on USB sticks: restricted pages stay out unless asked for.
  const rows = store.pages.allCurrent().filter((r) => (!options.system || r.system === options.system) && (options.includeRestricted || !r.restricted_to));
  const slugs = new Set(rows.map((r) => r.slug));
  // Restricted pages left out of the copy are "a restricted page" wherever an open page refers to them.
  const left: ReadonlySet<string> = options.includeRestricted ? new Set() : new Set(store.pages.restrictions().map((r) => r.slug));
  const exists = (s: string) => slugs.has(s) || left.has(s);
  const titleOf = (s: string) => (left.has(s) ? RESTRICTED_PAGE : rows.find((r) => r.slug === s)?.title ?? s);
  const parties = new Map(store.parties.all().map((p) => [p.handle, p]));
  const exportedAt = new Date().toISOString();
  const docs: Record<string, { t: string; s: string; m: string; st: string; w: string }> = {};
  const builder = new lunr.Builder();
  builder.pipeline.add(lunr.trimmer, lunr.stopWordFilter, lunr.stemmer);
  builder.searchPipeline.add(lunr.stemmer);
  builder.ref('slug');
  builder.field('title', { boost: 10 });
  builder.field('why', { boost: 4 });
  builder.field('tags', { boost: 3 });
  builder.field('tickets', { boost: 3 });
  builder.field('owners', { boost: 2 });
  builder.field('body');

  const failed: OfflineResult['failed'] = [];
  const written = new Set<string>();
  rows.forEach((row, i) => {
    // One page that cannot be rendered or written must not cost the downtime copy every page after it.
    try {
      writePage(row);
      written.add(row.slug);
    } catch (e) {
      failed.push({ slug: row.slug, reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
    options.onProgress?.(i + 1, rows.length);
  });

  function writePage(row: (typeof rows)[number]): void {
    const fm = JSON.parse(row.front_matter) as FrontMatter;
    const version = store.pages.version(row.id, row.current_version)!;
    const files = (md: string) => ({ slug: row.slug, files: pageFileMeta(store, row.slug, md) });
    const render = (md: string) => localLinks(redactHtml(renderMarkdown(md, { pageExists: exists, pageFiles: files(md) }).html, left), '../');
    const body = renderMarkdown(version.body, { pageExists: exists, pageFiles: files(version.body) });
    const owners = fm.owners.map((h) => ({ name: parties.get(h)?.name ?? h, departed: parties.get(h)?.status === 'departed', team: parties.get(h)?.kind === 'team' }));
    const html = pageTpl({
      fm,
      slug: row.slug,
      version: row.current_version,
      updatedAt: row.updated_at,
      author: parties.get(version.author)?.name ?? version.author,
      whyHtml: render(fm.why),
      bodyHtml: localLinks(redactHtml(body.html, left), '../'),
      toc: body.toc,
      owners,
      link: (s: string) => (slugs.has(s) ? `${s}.html` : null),
      supersedes: (fm.supersedes ?? []).map((s) => ({ slug: s, title: titleOf(s), here: slugs.has(s) })),
      supersededBy: (fm.superseded_by ?? []).map((s) => ({ slug: s, title: titleOf(s), here: slugs.has(s) })),
      backlinks: store.pages.backlinks(row.slug).filter((b) => slugs.has(b.slug) && b.slug !== row.slug),
    });
    fs.writeFileSync(path.join(out, 'p', `${row.slug}.html`), layout({ title: fm.title, root: '../', body: html, exportedAt }));
    // The page's screenshots and documents go beside it, so the copy shows them from the file system.
    for (const sha of referencedFiles(row.slug, `${fm.why}\n${version.body}`)) {
      const stored = store.files.belongsTo(row.slug, sha) ? store.files.bytes(sha) : undefined;
      // A purged file has no bytes left to copy.
      if (!stored || stored.bytes.length === 0) continue;
      for (const name of new Set([...`${fm.why}\n${version.body}`.matchAll(new RegExp(`/files/${sha}/([^)>\\s"?]+)`, 'g'))].map((m) => m[1]!))) {
        fs.mkdirSync(path.join(out, 'files', sha), { recursive: true });
        fs.writeFileSync(path.join(out, 'files', sha, decodeURIComponent(name).replace(/[/\\]/g, '-')), stored.bytes);
      }
    }
    builder.add({ slug: row.slug, title: fm.title, why: redactText(fm.why, left), body: redactText(version.body, left), tags: (fm.tags ?? []).join(' '), tickets: (fm.tickets ?? []).join(' '), owners: owners.map((o) => o.name).join(' ') });
    docs[row.slug] = { t: fm.title, s: fm.system, m: fm.module ?? '', st: fm.status, w: redactText(fm.why, left).replace(/\s+/g, ' ').slice(0, 220) };
  }

  // The index lists only what was written, so it has no link to a page that is missing.
  const listed = rows.filter((r) => written.has(r.slug));
  const systems = config.systems
    .map((system) => {
      const inSystem = listed.filter((r) => r.system === system);
      const modules = [...new Set(inSystem.map((r) => r.module ?? 'General'))].sort().map((module) => ({ module, pages: inSystem.filter((r) => (r.module ?? 'General') === module).sort((a, b) => a.title.localeCompare(b.title)) }));
      return { system, count: inSystem.length, modules };
    })
    .filter((s) => s.count > 0);
  fs.writeFileSync(path.join(out, 'index.html'), layout({ title: 'Offline copy', root: '', body: indexTpl({ systems, pageCount: listed.length, exportedAt }), exportedAt }));

  const index = JSON.stringify(builder.build());
  fs.writeFileSync(path.join(out, 'assets', 'search-index.js'), `window.WHYWIKI_SEARCH = {"index":${index},"docs":${JSON.stringify(docs)}};\n`);
  fs.copyFileSync(require.resolve('lunr/lunr.min.js'), path.join(out, 'assets', 'lunr.min.js'));
  fs.copyFileSync(require.resolve('@picocss/pico/css/pico.min.css'), path.join(out, 'assets', 'pico.min.css'));
  for (const f of ['app.css', 'offline-search.js', 'favicon.svg']) fs.copyFileSync(path.join(VIEWS_DIR, 'assets', f), path.join(out, 'assets', f));

  store.transaction(() =>
    recordAudit(store, { actor: options.actor ?? 'cli', action: 'export.made', target: null, client: 'cli', details: { format: 'offline-html', pages: listed.length, ...(failed.length ? { failed: failed.length } : {}), ...(options.system ? { system: options.system } : {}) } }),
  );
  const bytes = fs.readdirSync(out, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).reduce((n, e) => n + fs.statSync(path.join(e.parentPath, e.name)).size, 0);
  return { dir: out, pages: listed.length, bytes, failed };
}
