import fs from 'node:fs';
import v8 from 'node:v8';
import path from 'node:path';
import type { DB } from '../store/db.js';
import { SearchFeedStore, type VersionFeedRow } from '../store/search-feed.js';
import type { FrontMatter } from '../pages/schema.js';
import { markdownText, toSearchDoc, type SearchDoc } from './document.js';
import { buildSegment, decodeSegment, encodeSegment, SegmentBuilder, type Segment } from './segment.js';
import { HISTORY_FIELDS, PAGE_FIELDS, type HistoryDoc } from './engine.js';

/**
 * A built index and the store position it covers. `watermark` is the rowid of the newest page
 * version included: rowids of page_versions only grow (versions are never deleted), so everything
 * after it is exactly what a restart still has to index.
 */
export interface Snapshot {
  watermark: number;
  builtAt: string;
  pages: Segment<SearchDoc>;
  history: Segment<HistoryDoc>;
}

/** Bumped whenever the file layout or the analysis (fields, pipeline) changes, so an old file is rebuilt, not misread. */
export const SNAPSHOT_FORMAT = 2;
const MAGIC = Buffer.from('WHYWIKI-SEARCH\n', 'utf8');

export function snapshotFile(dbFile: string): string {
  return path.join(path.dirname(dbFile), 'search-index.bin');
}

/** Reads what the index needs from the store (through the store's search feed). Works on a read-only connection. */
export class SearchFeed {
  private readonly rows: SearchFeedStore;

  constructor(db: DB) {
    this.rows = new SearchFeedStore(db);
  }

  ownerNames(): (handle: string) => string | undefined {
    const map = new Map(this.rows.ownerNames().map((r) => [r.handle, r.name]));
    return (h) => map.get(h);
  }

  /** Every restricted page and the teams its current version limits it to. */
  restrictions(): { slug: string; teams: string[] }[] {
    return this.rows.restrictions();
  }

  countSince(watermark: number): number {
    return this.rows.countSince(watermark);
  }

  watermark(): number {
    return this.rows.watermark();
  }

  /**
   * Changes after `watermark`: the current document of every page touched (null once archived)
   * and every new version, for the delta. Read in one transaction so the new watermark is exact.
   */
  changesSince(watermark: number, limit: number): { watermark: number; pages: { slug: string; doc: SearchDoc | null }[]; versions: HistoryDoc[]; more: boolean } {
    return this.rows.reading(() => {
      const rows = this.rows.versionsSince(watermark, limit);
      const names = this.ownerNames();
      // A renamed page is found under its current slug only: each slug it had is no longer a page.
      const slugs = [...new Set(rows.flatMap((r) => [r.slug, ...this.rows.slugsOfPage(r.slug)]))];
      const pages = slugs.map((slug) => {
        const head = this.rows.head(slug);
        return { slug, doc: !head || head.head_archived ? null : docOf(head, names) };
      });
      const current = new Map(pages.map((p) => [p.slug, p.doc]));
      const versions = rows.map((r) => {
        const doc = current.get(r.slug);
        return historyDocOf(r, doc && doc.version === r.version ? doc.why : null);
      });
      return { watermark: rows.length ? rows[rows.length - 1]!.seq : watermark, pages, versions, more: rows.length === limit };
    });
  }

  /**
   * Everything, for a full build. Pages whose version is unchanged since `previous` reuse its
   * extracted text (markdown parsing is the costly part of indexing); owner names are refreshed.
   */
  snapshotSource(previous: Segment<SearchDoc> | null, onProgress?: (done: number) => void): { watermark: number; pages: SearchDoc[]; history: HistoryDoc[] } {
    return this.rows.reading(() => {
      const { watermark, pages, current } = this.currentDocs(previous, onProgress);
      return { watermark, pages, history: [...this.historyDocs(current)] };
    });
  }

  /**
   * A full build, read in one transaction. Every version's history document goes straight into the
   * segment builder as its row is read, sharing the strings it repeats from the page's other
   * versions (the why, the title, the author), so a build holds the postings and one copy of each
   * text rather than every version's text several times over.
   */
  snapshot(previous: Segment<SearchDoc> | null, onProgress?: (done: number) => void): Snapshot {
    return this.rows.reading(() => {
      const { watermark, pages, current } = this.currentDocs(previous, onProgress);
      previous = null; // the old text is no longer needed: let it go before the history is built
      const pageSegment = buildSegment(pages, PAGE_FIELDS);
      const history = new SegmentBuilder(HISTORY_FIELDS);
      for (const doc of this.historyDocs(current)) history.add(doc);
      current.clear();
      return { watermark, builtAt: new Date().toISOString(), pages: pageSegment, history: history.finish() };
    });
  }

  private currentDocs(previous: Segment<SearchDoc> | null, onProgress?: (done: number) => void): { watermark: number; pages: SearchDoc[]; current: Map<string, SearchDoc> } {
    const watermark = this.watermark();
    const names = this.ownerNames();
    const old = new Map(previous?.docs.map((d) => [d.slug, d]) ?? []);
    const pages: SearchDoc[] = [];
    const current = new Map<string, SearchDoc>();
    for (const row of this.rows.currentVersions()) {
      const prev = old.get(row.slug);
      // A purged version keeps its number but not its text: it is extracted again.
      const doc = prev && prev.version === row.version && !row.purges ? { ...prev, owners: ownersWithNames(prev.ownerHandles, names) } : docOf(row, names);
      pages.push(doc);
      current.set(row.slug, doc);
      if (onProgress && pages.length % 250 === 0) onProgress(pages.length);
    }
    return { watermark, pages, current };
  }

  /** Every version's history document, oldest first, with the strings versions repeat shared. */
  private *historyDocs(current: Map<string, SearchDoc>): Generator<HistoryDoc> {
    const shared = new SharedStrings();
    for (const row of this.rows.allVersions()) {
      const cur = current.get(row.slug);
      const doc = historyDocOf(row, cur && cur.version === row.version ? cur.why : null);
      doc.slug = shared.of(doc.slug);
      doc.title = shared.of(doc.title);
      doc.why = shared.of(doc.why);
      doc.author = shared.of(doc.author);
      yield doc;
    }
  }
}

/**
 * One copy of each distinct short text (slugs, titles, whys, authors: versions of a page repeat them),
 * so equal strings read from separate rows share their memory.
 */
class SharedStrings {
  private readonly seen = new Map<string, string>();

  of(s: string): string {
    const had = this.seen.get(s);
    if (had !== undefined) return had;
    this.seen.set(s, s);
    return s;
  }
}

function ownersWithNames(handles: string[], names: (h: string) => string | undefined): string[] {
  return handles.flatMap((h) => {
    const n = names(h);
    return n && n !== h ? [h, n] : [h];
  });
}

function docOf(row: VersionFeedRow, names: (h: string) => string | undefined): SearchDoc {
  const page = { slug: row.slug, version: row.version, frontMatter: JSON.parse(row.front_matter) as FrontMatter, body: row.attachments ? `${row.body}\n\n${row.attachments}` : row.body, createdAt: row.created_at, author: row.author };
  // Text extracted when the version was written: no markdown to parse (the costly part of indexing).
  if (row.why_text != null && row.body_text != null) {
    return toSearchDoc(page, names, { why: row.why_text, body: row.attachments ? `${row.body_text}\n${row.attachments}` : row.body_text });
  }
  return toSearchDoc(page, names);
}

/** `why` given when already extracted; null to extract it from the version's front matter. */
function historyDocOf(row: Omit<VersionFeedRow, 'body'>, why: string | null): HistoryDoc {
  const fm = JSON.parse(row.front_matter) as FrontMatter;
  return {
    slug: row.slug,
    version: row.version,
    title: fm.title,
    summary: row.summary,
    why: why ?? row.why_text ?? markdownText(fm.why),
    author: row.author,
    createdAt: row.created_at,
  };
}

export function buildSnapshot(source: { watermark: number; pages: SearchDoc[]; history: HistoryDoc[] }): Snapshot {
  return {
    watermark: source.watermark,
    builtAt: new Date().toISOString(),
    pages: buildSegment(source.pages, PAGE_FIELDS),
    history: buildSegment(source.history, HISTORY_FIELDS),
  };
}

/** Writes the snapshot beside the store: to a temporary file first, synced, then renamed over the old one. */
export function writeSnapshot(file: string, snap: Snapshot): number {
  const meta = Buffer.from(JSON.stringify({ format: SNAPSHOT_FORMAT, watermark: snap.watermark, builtAt: snap.builtAt }), 'utf8');
  const head = Buffer.alloc(8);
  head.writeUInt32LE(meta.length, 0);
  const metaPadded = Buffer.concat([meta, Buffer.alloc((8 - ((MAGIC.length + 8 + meta.length) % 8)) % 8)]);
  const parts = [MAGIC, head, metaPadded, ...encodeSegment(snap.pages), ...encodeSegment(snap.history)];
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  let size = 0;
  try {
    for (const p of parts) {
      fs.writeSync(fd, p);
      size += p.length;
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return size;
}

export class SnapshotUnreadable extends Error {}

/** Reads a snapshot; null when there is none. Throws SnapshotUnreadable for a damaged or outdated file. */
export function readSnapshot(file: string): Snapshot | null {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new SnapshotUnreadable('not a Whywiki search index');
    const metaLength = buf.readUInt32LE(MAGIC.length);
    const metaStart = MAGIC.length + 8;
    const meta = JSON.parse(buf.toString('utf8', metaStart, metaStart + metaLength)) as { format: number; watermark: number; builtAt: string };
    if (meta.format !== SNAPSHOT_FORMAT) throw new SnapshotUnreadable(`written in format ${meta.format}, this version reads ${SNAPSHOT_FORMAT}`);
    let at = metaStart + metaLength;
    at += (8 - (at % 8)) % 8;
    const pages = decodeSegment<SearchDoc>(buf, at);
    const history = decodeSegment<HistoryDoc>(buf, pages.end);
    return { watermark: meta.watermark, builtAt: meta.builtAt, pages: pages.segment, history: history.segment };
  } catch (e) {
    if (e instanceof SnapshotUnreadable) throw e;
    throw new SnapshotUnreadable(`damaged (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** The delta written at shutdown: changes after `mainWatermark` up to `watermark`, already extracted. */
export interface DeltaFile {
  format: number;
  mainWatermark: number;
  watermark: number;
  pages: { slug: string; doc: SearchDoc | null }[];
  versions: HistoryDoc[];
}

export function deltaFile(indexFile: string): string {
  return indexFile.replace(/\.bin$/, '') + '-delta.bin';
}

export function writeDelta(file: string, delta: Omit<DeltaFile, 'format'>): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, v8.serialize({ format: SNAPSHOT_FORMAT, ...delta }));
  const fd = fs.openSync(tmp, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** The delta written at the last shutdown, when it continues exactly the given main segment; else null. */
export function readDelta(file: string, mainWatermark: number): DeltaFile | null {
  try {
    const d = v8.deserialize(fs.readFileSync(file)) as DeltaFile;
    return d.format === SNAPSHOT_FORMAT && d.mainWatermark === mainWatermark ? d : null;
  } catch {
    return null;
  }
}
