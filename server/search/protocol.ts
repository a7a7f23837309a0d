import type { SearchRequest, SearchResponse } from './engine.js';

/** Where the search index stands; served at GET /api/search/status. */
export interface SearchStatus {
  state: 'starting' | 'building' | 'ready' | 'failed';
  /** Searchable pages. */
  pages: number;
  /** Newest page version searchable (rowid in page_versions), including the delta. */
  watermark: number;
  /** Newest page version in the main segment, as loaded from disk or last rebuilt. */
  mainWatermark: number;
  /** Pages and versions held in the delta until the next rebuild. */
  delta: number;
  rebuilding: boolean;
  /** A delta merge is under way: results may reorder slightly when it is swapped in, as after a rebuild. */
  merging: boolean;
  /** How the main segment came to be in this process: read from the index file, or built. */
  loadedFrom: 'file' | 'build' | null;
  /** Full builds run by this process. */
  builds: number;
  /** Milliseconds from the worker starting to search answering. */
  readyMs: number | null;
  lastBuildMs: number | null;
  /** Versions read from the store and indexed at start because the saved index did not cover them (0 after a clean shutdown). */
  indexedAtStart: number;
  indexBytes: number | null;
  error: string | null;
}

export interface WorkerOptions {
  dbFile: string;
  indexFile: string;
  /** Changed pages the delta may hold before the main segment is rebuilt. */
  deltaMax: number;
  /** Stores with more versions than this are rebuilt in a separate low-priority process. */
  backgroundBuildAbove: number;
  /** How often to look for versions written by another process; 0: only when told of a change. */
  pollMs: number;
}

export type ToWorker =
  | { type: 'search'; id: number; req: SearchRequest }
  | { type: 'changed' }
  | { type: 'rebuild'; id: number }
  | { type: 'close'; id: number };

export type FromWorker =
  | { type: 'result'; id: number; ok: true; res: SearchResponse; ms: number }
  | { type: 'result'; id: number; ok: false; kind: 'query' | 'warming' | 'internal'; message: string }
  /** Sent by the worker whenever its status changes. */
  | { type: 'state'; status: SearchStatus }
  | { type: 'done'; id: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; msg: string; data?: Record<string, unknown> };
