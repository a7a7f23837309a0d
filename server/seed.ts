import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { seedKnowledgeTransfer } from './knowledge-transfer/demo.js';
import type { Store } from './store/index.js';
import { recordAudit } from './audit/log.js';
import { createPage, savePage, type CommandContext } from './pages/commands.js';
import { ValidationError } from './core/errors.js';
import { markReviewed } from './pages/commands/mark-reviewed.js';
import { createTemplate } from './pages/templates.js';
import { attachTrustedFile, rewriteLocalFiles } from './files/local.js';
import { FrontMatterError, readFrontMatter } from './transfer/front-matter.js';

/** One version of a page as a markdown file: front matter, body, and an optional `revision` block. */
export interface ContentFile {
  file: string;
  frontMatter: Record<string, unknown>;
  body: string;
  revision: { author?: string; date?: Date; summary?: string };
}

interface RawRevision {
  author?: string;
  date?: string | Date;
  summary?: string;
}

interface PeopleFile {
  people?: { handle: string; name: string; title?: string; email?: string; status?: 'active' | 'departed'; departed_on?: string | Date }[];
  teams?: { handle: string; name: string; members?: string[] }[];
}

interface TemplatesFile {
  templates?: { name: string; description?: string; front_matter?: Record<string, unknown>; body?: string }[];
}

interface ReviewsFile {
  reviews?: { page: string; by: string; at: string; note?: string }[];
}

export class ContentError extends Error {
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'ContentError';
  }
}

export function readContentFile(file: string): ContentFile {
  let parsed: ReturnType<typeof readFrontMatter>;
  try {
    // The importer's reader: YAML front matter only, read as plain data, never run.
    parsed = readFrontMatter(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if (e instanceof FrontMatterError) throw new ContentError(file, e.message);
    throw e;
  }
  const { revision, ...frontMatter } = parsed.data as Record<string, unknown> & { revision?: RawRevision };
  const date = revision?.date ? new Date(revision.date) : undefined;
  if (date && isNaN(date.getTime())) throw new ContentError(file, 'revision.date is not a date');
  return { file, frontMatter, body: parsed.body.replace(/^\n+/, ''), revision: { ...revision, date } };
}

function isoDate(value: string | Date | undefined): string | null {
  if (value === undefined) return null;
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
}

/** Seeds people, teams and pages (with their earlier versions) from `dir`, all in one transaction. */
export function seedFromContent(store: Store, dir: string, base: Omit<CommandContext, 'actor' | 'store'>): { pages: number; versions: number } {
  const people = YAML.parse(fs.readFileSync(path.join(dir, 'people.yaml'), 'utf8')) as PeopleFile;
  const pagesDir = path.join(dir, 'pages');
  const historyDir = path.join(dir, 'history');
  const files = fs.readdirSync(pagesDir).filter((f) => f.endsWith('.md')).sort();
  let versions = 0;

  store.transaction(() => {
    const now = new Date().toISOString();
    for (const p of people.people ?? []) {
      store.parties.insert({ handle: p.handle, kind: 'person', name: p.name, title: p.title ?? null, email: p.email ?? null, status: p.status ?? 'active', departed_on: isoDate(p.departed_on), created_at: now });
    }
    for (const t of people.teams ?? []) {
      store.parties.insert({ handle: t.handle, kind: 'team', name: t.name, title: null, email: null, status: 'active', departed_on: null, created_at: now });
      for (const m of t.members ?? []) store.parties.addMember(t.handle, m);
    }
    for (const name of files) {
      const slug = name.replace(/\.md$/, '');
      const earlier = fs.existsSync(path.join(historyDir, slug))
        ? fs.readdirSync(path.join(historyDir, slug)).filter((f) => /^\d+\.md$/.test(f)).sort((a, b) => parseInt(a) - parseInt(b)).map((f) => path.join(historyDir, slug, f))
        : [];
      const chain = [...earlier, path.join(pagesDir, name)].map(readContentFile);
      chain.forEach((version, i) => {
        const ctx: CommandContext = { ...base, store, actor: { username: version.revision.author ?? 'admin' }, at: version.revision.date, client: 'seed', laterPagesMayFollow: true };
        // Screenshots and diagrams beside the content (content/files/) become the page's own files.
        const at = (version.revision.date ?? new Date()).toISOString();
        const local = rewriteLocalFiles(version.body, path.dirname(version.file), dir, (ref) => attachTrustedFile(store, slug, ref.file, ctx.actor.username, at));
        if (local.problems.length > 0) throw new ContentError(version.file, local.problems.join('; '));
        version.body = local.body;
        try {
          if (i === 0) createPage(ctx, { slug, frontMatter: version.frontMatter, body: version.body, summary: version.revision.summary });
          else savePage(ctx, { slug, frontMatter: version.frontMatter, body: version.body, summary: version.revision.summary ?? 'Updated', baseVersion: i });
        } catch (e) {
          if (e instanceof ValidationError) throw new ContentError(version.file, e.message);
          throw e;
        }
        versions++;
      });
    }
    const reviewsFile = path.join(dir, 'reviews.yaml');
    const reviews = fs.existsSync(reviewsFile) ? ((YAML.parse(fs.readFileSync(reviewsFile, 'utf8')) as ReviewsFile).reviews ?? []) : [];
    for (const r of reviews) {
      try {
        markReviewed({ ...base, store, actor: { username: r.by }, at: new Date(r.at), client: 'seed' }, { slug: r.page, note: r.note });
      } catch (e) {
        throw new ContentError(reviewsFile, `review of ${r.page}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    seedKnowledgeTransfer(store, path.join(dir, 'knowledge-transfer.yaml'), base, new Date(now));
    const templatesFile = path.join(dir, 'templates.yaml');
    const templates = fs.existsSync(templatesFile) ? ((YAML.parse(fs.readFileSync(templatesFile, 'utf8')) as TemplatesFile).templates ?? []) : [];
    for (const t of templates) {
      try {
        createTemplate({ ...base, store, actor: { username: 'system' }, client: 'seed' }, { name: t.name, description: t.description, frontMatter: t.front_matter ?? {}, body: t.body ?? '' });
      } catch (e) {
        throw new ContentError(templatesFile, `template ${t.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    store.setMeta('seeded_at', now);
    recordAudit(store, { actor: 'system', action: 'store.seeded', target: null, client: 'seed', details: { pages: files.length, versions } });
  });
  return { pages: files.length, versions };
}

/** True when the store has never been seeded and holds no pages, archived ones included: only then is content/ loaded. */
export function needsSeeding(store: Store): boolean {
  // pages.count() counts only pages in use; a store whose imported pages are all archived is not empty.
  return store.getMeta('seeded_at') === undefined && store.pageRowCount() === 0;
}
