import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { LRUCache } from 'lru-cache';
import handlebars from 'handlebars';
import { MarkdownRefused, wikiSlug, type RenderedMarkdown } from './markdown.js';
import { markdownProblem, MARKDOWN_LIMITS, WIKI_LINK } from './limits.js';
import type { RenderOutcome, RenderTask } from './worker.js';
import type { FileMeta } from './files.js';
import { extractMentions } from '../core/mentions.js';

/** More handles than any real text names; beyond it the rest stay plain text. */
const MENTIONS_LOOKED_UP = 500;

const here = fileURLToPath(import.meta.url);
/** Built code runs the .js worker directly; from sources (tests, benchmarks) tsx loads the .ts one. */
const fromSource = here.endsWith('.ts');
const WORKER_FILE = path.join(path.dirname(here), fromSource ? 'worker.ts' : 'worker.js');

export interface RendererOptions {
  /** How long one rendering may take in a worker before it is given up. */
  timeoutMs: number;
  siteOrigin?: string;
  /** Render threads; by default half the cores, at least one, so requests keep a core. */
  threads?: number;
  /** The stored files a page's text references, by digest (looked up here: the workers have no store). */
  fileMeta?: (slug: string, markdown: string) => Record<string, FileMeta>;
  /** Titles of the open pages a text links to, shown for label-less [[slug]] links (restricted ones keep the slug). */
  titles?: (slugs: string[]) => Record<string, string>;
  /** Where each known @handle among these leads (person or team page); unknown handles are left out. */
  mentions?: (handles: string[]) => Record<string, string>;
}

/** The wiki-link targets in a text, by the same pattern the renderer uses; linear, so fine on the request thread. */
function linkTargets(markdown: string): string[] {
  const slugs = new Set<string>();
  WIKI_LINK.lastIndex = 0;
  for (let m = WIKI_LINK.exec(markdown); m && slugs.size <= MARKDOWN_LIMITS.wikiLinks; m = WIKI_LINK.exec(markdown)) slugs.add(wikiSlug(m[1]!));
  WIKI_LINK.lastIndex = 0;
  return [...slugs].filter(Boolean);
}

/** What a stored version that cannot be rendered shows: why, and its text as written, escaped. */
function cannotDisplay(markdown: string, reason: string): RenderedMarkdown {
  const esc = handlebars.Utils.escapeExpression;
  return {
    html: `<div class="notice render-refused" role="note"><p><strong>This version cannot be displayed.</strong> ${esc(reason)} Its text is shown as written below; edit the page to fix it.</p></div><pre class="raw-markdown">${esc(markdown)}</pre>`,
    toc: [],
    links: [],
  };
}

/**
 * Renders markdown in worker threads with a time limit, so no text (however it is shaped) holds up
 * the request thread, and keeps renderings per version hash. A rendering also depends on which pages
 * exist (missing links look different), so the key carries a generation that moves whenever a page
 * appears or disappears.
 */
export class RenderCache {
  private generation = 0;
  private readonly cache = new LRUCache<string, RenderedMarkdown>({ max: 2000 });
  private readonly pool: Piscina<RenderTask, RenderOutcome>;
  private readonly threads: number;
  private warm: Promise<void> | undefined;
  /** Texts being rendered in the workers right now (for health figures and tests). */
  inFlight = 0;

  constructor(
    private readonly pageExists: (slug: string) => boolean,
    private readonly options: RendererOptions,
  ) {
    const threads = options.threads ?? Math.max(1, Math.floor(os.availableParallelism() / 2));
    this.threads = threads;
    this.pool = new Piscina({
      filename: WORKER_FILE,
      execArgv: fromSource ? ['--import', 'tsx'] : [],
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: 10 * 60_000,
      // A text that would take the heap with it stops its worker, not the server.
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
  }

  /**
   * Starts the workers and loads the renderer in them, once: the time limit is for rendering, and a
   * worker's start (loading unified and its plugins) must not count against the first text.
   */
  private warmUp(): Promise<void> {
    this.warm ??= Promise.all(Array.from({ length: this.threads }, () => this.pool.run({ markdown: 'warm', existing: [] }))).then(
      () => undefined,
      () => undefined,
    );
    return this.warm;
  }

  /** Call when the set of existing pages changed. */
  pagesChanged(): void {
    this.generation++;
  }

  private running = 0;
  private readonly waiting: (() => void)[] = [];

  /** Waits for a free worker (first come, first served). */
  private turn(): Promise<void> {
    if (this.running < this.threads) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the freed worker to the next text waiting, if any. */
  private next(): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter();
    else this.running--;
  }

  /**
   * Renders text being written (a preview, a save): throws MarkdownRefused, naming the problem, for
   * text beyond the bounds or that does not render within the time limit.
   */
  async renderDraft(markdown: string, slug?: string): Promise<RenderedMarkdown> {
    const problem = markdownProblem(markdown);
    if (problem) throw new MarkdownRefused(problem);
    const targets = linkTargets(markdown);
    const existing = targets.filter((slug) => this.pageExists(slug));
    const titles = this.options.titles?.(existing);
    const mentions = this.mentionsIn(markdown);
    await this.warmUp();
    let outcome: RenderOutcome;
    // The time limit is for rendering, not for waiting behind other texts: a text is handed to the pool
    // only when a worker is free, and its clock starts then, so a burst of saves is not refused as slow.
    await this.turn();
    try {
      this.inFlight++;
      const pageFiles = slug !== undefined ? { slug, files: this.options.fileMeta?.(slug, markdown) ?? {} } : undefined;
      outcome = await this.pool.run({ markdown, existing, siteOrigin: this.options.siteOrigin, pageFiles, titles, mentions }, { signal: AbortSignal.timeout(this.options.timeoutMs) }).finally(() => {
        this.inFlight--;
        this.next();
      });
    } catch (e) {
      // The pool replaces the worker it stopped; the next text waits for the new one to load, untimed.
      this.warm = undefined;
      if ((e as Error).name === 'AbortError' || (e as Error).name === 'TimeoutError') {
        throw new MarkdownRefused(`This text takes longer than ${this.options.timeoutMs / 1000} s to render, so it cannot be shown. Split it into smaller pages or simplify its formatting.`);
      }
      // A worker that died (out of memory, say) refuses this text; the pool starts a fresh one.
      throw new MarkdownRefused('This text could not be rendered. Split it into smaller pages or simplify its formatting.');
    }
    if (!outcome.ok) throw new MarkdownRefused(outcome.message);
    return outcome.rendered;
  }

  /**
   * Renders a stored version. Never throws: a version that cannot be rendered (stored before the
   * bounds existed) is shown as a notice and its raw text.
   */
  async render(hash: string, part: string, markdown: string, slug?: string): Promise<RenderedMarkdown> {
    // A retitled page changes how links to it read, so the titles shown are part of the key.
    const titles = this.options.titles?.(linkTargets(markdown).filter((slug) => this.pageExists(slug)));
    // So are the people and teams it mentions: a handle added to the directory becomes a link.
    const mentions = this.mentionsIn(markdown);
    const key = `${hash}:${part}:${this.generation}:${titles ? JSON.stringify(titles) : ''}:${mentions ? JSON.stringify(mentions) : ''}`;
    let hit = this.cache.get(key);
    if (!hit) {
      try {
        hit = await this.renderDraft(markdown, slug);
        this.cache.set(key, hit);
      } catch (e) {
        hit = cannotDisplay(markdown, e instanceof MarkdownRefused ? e.message : 'It could not be rendered.');
        // Kept a minute only: a time limit missed on a busy machine may be met later.
        this.cache.set(key, hit, { ttl: 60_000 });
      }
    }
    return hit;
  }

  /** The known @handles of a text and where they lead; linear, so fine on the request thread. */
  private mentionsIn(markdown: string): Record<string, string> | undefined {
    if (!this.options.mentions || !markdown.includes('@')) return undefined;
    const handles = extractMentions(markdown).slice(0, MENTIONS_LOOKED_UP);
    return handles.length ? this.options.mentions(handles) : undefined;
  }

  /** Texts the workers have finished rendering since the start. */
  get renderedInWorkers(): number {
    return this.pool.completed;
  }

  async close(): Promise<void> {
    await this.pool.close({ force: true });
  }
}

