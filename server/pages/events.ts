import { EventEmitter } from 'node:events';

export interface PageChanged {
  slug: string;
  version: number;
  /** A new slug appeared, so links to it from other pages stop being "missing". */
  created: boolean;
}

interface PageEventMap {
  'page-changed': [PageChanged];
}

/** Fired after a command's transaction commits; the render cache and (later) the search index listen. */
export class PageEvents extends EventEmitter<PageEventMap> {}
