import { MarkdownRefused, renderMarkdown, type RenderedMarkdown } from './markdown.js';
import type { PageFilesOptions } from './files.js';

export interface RenderTask {
  markdown: string;
  /** The wiki-link targets that exist, looked up by the request thread (the worker has no store). */
  existing: string[];
  siteOrigin?: string;
  /** The page's slug and the stored files the text references (looked up by the request thread). */
  pageFiles?: PageFilesOptions;
  /** Titles for label-less [[slug]] links (open pages only). */
  titles?: Record<string, string>;
  /** Where each known @handle leads (looked up by the request thread). */
  mentions?: Record<string, string>;
}

export type RenderOutcome = { ok: true; rendered: RenderedMarkdown } | { ok: false; message: string };

/** Runs in a render worker thread, so that a slow parse never holds up the request thread. */
export default function renderTask(task: RenderTask): RenderOutcome {
  const existing = new Set(task.existing);
  try {
    return { ok: true, rendered: renderMarkdown(task.markdown, { pageExists: (slug) => existing.has(slug), siteOrigin: task.siteOrigin, pageFiles: task.pageFiles, titles: task.titles, mentions: task.mentions }) };
  } catch (e) {
    if (e instanceof MarkdownRefused) return { ok: false, message: e.message };
    throw e;
  }
}
