import type { DB } from './db.js';

/**
 * How a table travels from the primary to a standby:
 * - `append`: rows are only ever added; sent after the standby's highest rowid, applied with the same rowid.
 * - `page`: rows that belong to one page and change with it; sent for the pages a batch touches, once the
 *   standby holds the page's current version, and applied by replacing that page's rows.
 * - `mirror`: small tables that change in place (accounts, people); sent whole whenever the audit log moved.
 * A table added by a migration must be named here or in NOT_FOLLOWED (a test checks every table is).
 */
export type FeedTableKind = 'append' | 'page' | 'mirror';

export const FEED_TABLES: readonly { name: string; kind: FeedTableKind; limit?: number }[] = [
  { name: 'audit_events', kind: 'append' },
  { name: 'page_versions', kind: 'append' },
  { name: 'page_reviews', kind: 'append' },
  // Files carry their bytes: few per batch keeps a response small.
  { name: 'files', kind: 'append', limit: 20 },
  { name: 'page_files', kind: 'append' },
  { name: 'path_versions', kind: 'append' },
  { name: 'path_reads', kind: 'append' },
  // Signatures are immutable rows, like versions.
  { name: 'signatures', kind: 'append' },
  { name: 'pages', kind: 'page' },
  { name: 'page_owners', kind: 'page' },
  { name: 'page_links', kind: 'page' },
  { name: 'page_renames', kind: 'page' },
  { name: 'parties', kind: 'mirror' },
  { name: 'team_members', kind: 'mirror' },
  { name: 'users', kind: 'mirror' },
  { name: 'api_tokens', kind: 'mirror' },
  { name: 'phi_rules', kind: 'mirror' },
  { name: 'templates', kind: 'mirror' },
  { name: 'handovers', kind: 'mirror' },
  { name: 'handover_pages', kind: 'mirror' },
  { name: 'paths', kind: 'mirror' },
  { name: 'path_assignments', kind: 'mirror' },
  { name: 'approval_requests', kind: 'mirror' },
  // What people watch and how they want to hear, so a promoted standby notifies them as the primary did.
  { name: 'watches', kind: 'mirror' },
  { name: 'notification_preferences', kind: 'mirror' },
  // Connected webhooks and chat channels, so a promoted standby posts where the primary did.
  { name: 'integrations', kind: 'mirror' },
];

/** Tables each server keeps for itself, and why. */
export const NOT_FOLLOWED: Readonly<Record<string, string>> = {
  sessions: 'sign-ins are per server: a standby keeps its own sessions',
  drafts: 'private scratch of one editor on one server; never leaves it',
  outbox_cursors: 'each server delivers its own notifications; a standby delivers none',
  meta: 'per-server settings (session secret, standby state)',
  page_purges:
    'not copied yet: a purge rewrites versions and audit events in place, which the append-only feed does not carry; re-seed a standby from a fresh backup after a purge',
  purged_audit_events: 'part of a purge record (see page_purges)',
  comments:
    'not copied yet: a comment is resolved and reopened in place, and the feed carries changed rows only by replacing them, which the comments table (never deleted) refuses',
  integration_deliveries: 'each server delivers its own; a standby delivers none until promoted',
  integration_attempts: 'the delivery log of the server that sent them',
  page_citations: 'derived by a trigger from page_versions as they arrive',
  notifications: 'each server makes its own inbox rows from its own audit consumer; a standby makes none until promoted',
  notification_mails: 'the mail queue of the server that sends them',
  search_text: 'derived: each server extracts the text of the versions it indexes (a version without a row is extracted then)',
  auth_generation: 'a per-server counter that tells its in-memory sign-in cache to forget',
  schema_migrations: 'each server migrates its own schema; a standby runs the same release as its primary',
};

/** A column's value on the wire: blobs travel as base64. */
export type FeedValue = string | number | null | { base64: string };
export type FeedRow = Record<string, FeedValue>;

export interface FeedRead {
  append: Record<string, FeedRow[]>;
  /** Pages whose `page` rows are replaced by this batch, and those rows. */
  pageIds: number[];
  page: Record<string, FeedRow[]>;
  /** Whole mirror tables, or null when the audit log did not move. */
  mirror: Record<string, FeedRow[]> | null;
  more: boolean;
  headAuditId: number;
}

export class FeedSchemaError extends Error {}

const ROWID = '_rowid';
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

function encodeRow(row: Record<string, unknown>): FeedRow {
  const out: FeedRow = {};
  for (const [k, v] of Object.entries(row)) {
    if (Buffer.isBuffer(v)) out[k] = { base64: v.toString('base64') };
    else if (typeof v === 'bigint') out[k] = Number(v);
    else out[k] = v as FeedValue;
  }
  return out;
}

function decodeValue(v: FeedValue): unknown {
  return v !== null && typeof v === 'object' ? Buffer.from(v.base64, 'base64') : v;
}

/** Reads the feed on a primary and applies it on a standby. Table names come only from FEED_TABLES. */
export class FeedStore {
  private readonly columns = new Map<string, Set<string>>();
  private readonly lastHashStmt;
  private readonly versionHashStmt;

  constructor(private readonly db: DB) {
    this.lastHashStmt = db.prepare<[], string>('SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1').pluck();
    this.versionHashStmt = db.prepare<[number, number], string>('SELECT hash FROM page_versions WHERE page_id = ? AND version = ?').pluck();
  }

  /** Every table in the schema, for the test that keeps FEED_TABLES complete. */
  schemaTables(): string[] {
    return this.db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
  }

  /** The highest rowid of each append table: where this store's copy ends. */
  cursor(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of FEED_TABLES) {
      if (t.kind !== 'append') continue;
      out[t.name] = (this.db.prepare<[], number | null>(`SELECT max(rowid) FROM ${ident(t.name)}`).pluck().get() as number | null) ?? 0;
    }
    return out;
  }

  /** One consistent snapshot of what lies after `cursor`, at most `limit` rows per append table. */
  read(cursor: Record<string, number>, limit: number): FeedRead {
    return this.db.transaction(() => {
      const append: Record<string, FeedRow[]> = {};
      let more = false;
      for (const t of FEED_TABLES) {
        if (t.kind !== 'append') continue;
        const n = Math.min(limit, t.limit ?? limit);
        const rows = this.db
          .prepare(`SELECT rowid AS ${ROWID}, * FROM ${ident(t.name)} WHERE rowid > ? ORDER BY rowid LIMIT ?`)
          .all(cursor[t.name] ?? 0, n) as Record<string, unknown>[];
        if (rows.length === n) more = true;
        append[t.name] = rows.map(encodeRow);
      }
      const versions = append.page_versions!;
      const versionsUpTo = versions.length ? Number(versions[versions.length - 1]![ROWID]) : (cursor.page_versions ?? 0);
      // Pages touched: by a new version or review, or named as the target of a new audit event.
      const touched = new Set<number>();
      for (const r of [...versions, ...append.page_reviews!]) touched.add(Number(r.page_id));
      const targets = append.audit_events!.map((e) => e.target).filter((t): t is string => typeof t === 'string');
      if (targets.length) {
        const ids = this.db
          .prepare(
            `SELECT id FROM pages WHERE slug IN (SELECT value FROM json_each(?))
             UNION SELECT page_id FROM page_renames WHERE old_slug IN (SELECT value FROM json_each(?))`,
          )
          .pluck()
          .all(JSON.stringify(targets), JSON.stringify(targets)) as number[];
        for (const id of ids) touched.add(id);
      }
      // A page's rows go once the standby will hold its current version, so a head never points past it.
      const pageIds = touched.size
        ? (this.db
            .prepare(
              `SELECT p.id FROM pages p JOIN page_versions v ON v.page_id = p.id AND v.version = p.current_version
               WHERE p.id IN (SELECT value FROM json_each(?)) AND v.rowid <= ? ORDER BY p.id`,
            )
            .pluck()
            .all(JSON.stringify([...touched]), versionsUpTo) as number[])
        : [];
      const page: Record<string, FeedRow[]> = {};
      for (const t of FEED_TABLES) {
        if (t.kind !== 'page') continue;
        const key = t.name === 'pages' ? 'id' : 'page_id';
        page[t.name] = pageIds.length
          ? (this.db.prepare(`SELECT * FROM ${ident(t.name)} WHERE ${key} IN (SELECT value FROM json_each(?))`).all(JSON.stringify(pageIds)) as Record<string, unknown>[]).map(encodeRow)
          : [];
      }
      const first = Object.values(cursor).every((n) => n === 0);
      let mirror: Record<string, FeedRow[]> | null = null;
      if (first || append.audit_events!.length > 0) {
        mirror = {};
        for (const t of FEED_TABLES) {
          if (t.kind === 'mirror') mirror[t.name] = (this.db.prepare(`SELECT * FROM ${ident(t.name)}`).all() as Record<string, unknown>[]).map(encodeRow);
        }
      }
      const headAuditId = (this.db.prepare<[], number>('SELECT coalesce(max(id), 0) FROM audit_events').pluck().get() as number) ?? 0;
      return { append, pageIds, page, mirror, more, headAuditId };
    })();
  }

  /** The last audit event's hash here, and a page version's hash: what incoming rows must chain onto. */
  lastAuditHash(): string | null {
    return (this.lastHashStmt.get() as string | undefined) ?? null;
  }

  versionHash(pageId: number, version: number): string | null {
    return (this.versionHashStmt.get(pageId, version) as string | undefined) ?? null;
  }

  private columnsOf(table: string): Set<string> {
    let cols = this.columns.get(table);
    if (!cols) {
      cols = new Set((this.db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]));
      this.columns.set(table, cols);
    }
    return cols;
  }

  private insert(table: string, rows: FeedRow[], verb: 'INSERT' | 'INSERT OR REPLACE'): void {
    const cols = this.columnsOf(table);
    for (const row of rows) {
      const names = Object.keys(row);
      for (const n of names) {
        if (n !== ROWID && !cols.has(n)) throw new FeedSchemaError(`the primary sends column ${table}.${n}, which this server's schema lacks: upgrade the standby to the primary's version`);
      }
      const target = names.map((n) => (n === ROWID ? 'rowid' : ident(n)));
      this.db.prepare(`${verb} INTO ${ident(table)} (${target.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`).run(...names.map((n) => decodeValue(row[n]!)));
    }
  }

  /**
   * Applies one verified batch in one transaction. Foreign keys are off while it runs: a batch may carry a
   * version before its page's head, and mirror tables are replaced whole; the primary already checked them.
   */
  apply(read: Pick<FeedRead, 'append' | 'pageIds' | 'page' | 'mirror'>): void {
    const known = new Map(FEED_TABLES.map((t) => [t.name, t.kind]));
    const check = (group: Record<string, FeedRow[]>, kind: FeedTableKind) => {
      for (const name of Object.keys(group)) {
        if (known.get(name) !== kind) throw new FeedSchemaError(`the primary sends table "${name}", which this server does not follow as ${kind}: upgrade the standby to the primary's version`);
      }
    };
    check(read.append, 'append');
    check(read.page, 'page');
    if (read.mirror) check(read.mirror, 'mirror');
    this.db.pragma('foreign_keys = OFF');
    try {
      this.db.transaction(() => {
        for (const [name, rows] of Object.entries(read.append)) this.insert(name, rows, 'INSERT');
        const ids = JSON.stringify(read.pageIds);
        for (const [name, rows] of Object.entries(read.page)) {
          if (name !== 'pages') this.db.prepare(`DELETE FROM ${ident(name)} WHERE page_id IN (SELECT value FROM json_each(?))`).run(ids);
          this.insert(name, rows, 'INSERT OR REPLACE');
        }
        for (const [name, rows] of Object.entries(read.mirror ?? {})) {
          this.db.prepare(`DELETE FROM ${ident(name)}`).run();
          this.insert(name, rows, 'INSERT');
        }
      }).immediate();
    } finally {
      this.db.pragma('foreign_keys = ON');
    }
  }
}
