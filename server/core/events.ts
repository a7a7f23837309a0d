import { EventEmitter } from 'node:events';

export interface PageChanged {
  slug: string;
  version: number;
  /** A new slug appeared, so links to it from other pages stop being "missing". */
  created: boolean;
}

interface PageEventMap {
  'page-changed': [PageChanged];
  /** A review was recorded: no new version, but the page's review state moved. */
  'page-reviewed': [{ slug: string }];
  /** People or teams changed: owners' names, departures and memberships show on pages and reports. */
  'directory-changed': [{ handle: string }];
  /** A file was added to a page: its attachment list and the search text of its files changed. */
  'page-files-changed': [{ slug: string }];
  /** A comment was added, resolved or reopened: the page shows its threads and open "wrong" flags. */
  'comment-changed': [{ slug: string }];
}

/** Fired after a command's transaction commits; the render cache and (later) the search index listen. */
export class PageEvents extends EventEmitter<PageEventMap> {}
