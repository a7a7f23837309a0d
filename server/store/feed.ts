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

/**
 * Tables that change in place and travel with the audit events that changed them (`FeedChanges`): applied
 * purges (their record, and the version content and event details they rewrote) and comments (added, then
 * resolved or reopened). The standby checks each against those events before applying it.
 */
export const FEED_CHANGED_TABLES: readonly string[] = ['page_purges', 'purged_audit_events', 'comments'];

/** Tables each server keeps for itself, and why. */
export const NOT_FOLLOWED: Readonly<Record<string, string>> = {
  sessions: 'sign-ins are per server: a standby keeps its own sessions',
  drafts: 'private scratch of one editor on one server; never leaves it',
  outbox_cursors: 'each server delivers its own notifications; a standby delivers none',
  meta: 'per-server settings (session secret, standby state)',
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
  /** Rows changed in place by the audit events of this batch; absent from a primary of an older release. */
  changes?: FeedChanges;
}

/** A version's content fields as a purge left them. */
export interface FeedContent {
  page_id: number;
  version: number;
  front_matter: string;
  body: string;
  summary: string;
}

/**
 * What the audit events of one batch changed in place. A row that several events changed travels with the
 * last of them (as the snapshot stands), so the standby can check it against that event; until then it
 * keeps the row as it had it.
 */
export interface FeedChanges {
  /** `page_purges` rows of the purges applied by this batch's `purge.applied` events (never a pending one: it holds the text). */
  purges: FeedRow[];
  /** `purged_audit_events` rows of those purges. */
  purgedEvents: FeedRow[];
  /** Content of versions the standby already holds, whose last purge is in this batch. */
  contents: FeedContent[];
  /** Details of audit events the standby already holds, whose last scrubbing purge is in this batch. */
  details: { id: number; details: string }[];
  /** Comments whose last `comment.*` event is in this batch, as they stand now. */
  comments: FeedRow[];
  /**
   * `purge.applied` events beyond this batch that already rewrote rows it carries (a version's content, an
   * event's details, a file's bytes): they vouch for those rows now and must arrive in the chain unchanged.
   */
  vouchers?: FeedRow[];
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
      const changes = this.changesIn(append, cursor);
      return { append, pageIds, page, mirror, more, headAuditId, changes };
    })();
  }

  /**
   * The in-place changes the batch's audit events made (see FeedChanges). `cursor` is where the standby's
   * copy ended before this batch: rows up to it it already holds, rows after it arrive in `append` as they
   * stand now.
   */
  private changesIn(append: Record<string, FeedRow[]>, cursor: Record<string, number>): FeedChanges {
    const changes: FeedChanges = { purges: [], purgedEvents: [], contents: [], details: [], comments: [], vouchers: [] };
    const events = append.audit_events!;
    const heldUpTo = cursor.audit_events ?? 0;
    const first = events.length ? Number(events[0]!.id) : heldUpTo + 1;
    const last = events.length ? Number(events[events.length - 1]!.id) : heldUpTo;
    const heldEvents = cursor.audit_events ?? 0;
    const heldVersions = cursor.page_versions ?? 0;
    // Every purge event up to the snapshot's head: which one last touched a version or an event.
    const purgeEvents = this.db
      .prepare<[], { id: number; details: string }>("SELECT id, details FROM audit_events WHERE action = 'purge.applied' ORDER BY id")
      .all()
      .map((e) => ({ id: e.id, details: JSON.parse(e.details) as { purge: number; page_id: number; version: number; file?: string; audit_events?: { event: number }[] } }));
    const lastOfVersion = new Map<string, number>();
    const lastOfEvent = new Map<number, number>();
    for (const e of purgeEvents) {
      if (!e.details.file) lastOfVersion.set(`${e.details.page_id}:${e.details.version}`, e.id);
      for (const a of e.details.audit_events ?? []) lastOfEvent.set(a.event, e.id);
    }
    // Rows of this batch a purge after it already rewrote (a standby catching up): the purge's event goes
    // along as a voucher, checked against the chain when it arrives in its turn.
    const vouchers = new Set<number>();
    const lastOfFile = new Map<string, number>();
    for (const e of purgeEvents) if (e.details.file) lastOfFile.set(e.details.file, e.id);
    for (const v of append.page_versions ?? []) {
      const by = lastOfVersion.get(`${Number(v.page_id)}:${Number(v.version)}`);
      if (by !== undefined && by > last) vouchers.add(by);
    }
    for (const e of events) {
      const by = lastOfEvent.get(Number(e.id));
      if (by !== undefined && by > last) vouchers.add(by);
    }
    for (const f of append.files ?? []) {
      const by = f.purged_by === null || f.purged_by === undefined ? undefined : lastOfFile.get(String(f.sha256));
      if (by !== undefined && by > last) vouchers.add(by);
    }
    if (vouchers.size) {
      changes.vouchers = (this.db.prepare('SELECT * FROM audit_events WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id').all(JSON.stringify([...vouchers])) as Record<string, unknown>[]).map(encodeRow);
    }
    if (events.length === 0) return changes;
    const contentStmt = this.db.prepare<[number, number, number], FeedContent>(
      'SELECT page_id, version, front_matter, body, summary FROM page_versions WHERE page_id = ? AND version = ? AND rowid <= ?',
    );
    for (const e of purgeEvents) {
      if (e.id < first || e.id > last) continue;
      const row = this.db.prepare('SELECT * FROM page_purges WHERE id = ?').get(e.details.purge) as Record<string, unknown> | undefined;
      if (!row) continue;
      changes.purges.push(encodeRow({ ...row, pending_text: null }));
      changes.purgedEvents.push(...(this.db.prepare('SELECT * FROM purged_audit_events WHERE purge_id = ?').all(e.details.purge) as Record<string, unknown>[]).map(encodeRow));
      if (!e.details.file && lastOfVersion.get(`${e.details.page_id}:${e.details.version}`) === e.id) {
        const content = contentStmt.get(e.details.page_id, e.details.version, heldVersions);
        if (content) changes.contents.push(content);
      }
      for (const a of e.details.audit_events ?? []) {
        if (a.event > heldEvents || lastOfEvent.get(a.event) !== e.id) continue;
        const details = this.db.prepare<[number], string>('SELECT details FROM audit_events WHERE id = ?').pluck().get(a.event) as string | undefined;
        if (details !== undefined) changes.details.push({ id: a.event, details });
      }
    }
    // Comments named by this batch's comment events, each sent with the last event about it.
    const commentIds = this.db
      .prepare<[number, number, number], number>(
        `SELECT json_extract(details, '$.comment_id') AS cid FROM audit_events WHERE id BETWEEN ? AND ? AND action LIKE 'comment.%'
         GROUP BY cid HAVING (SELECT max(a.id) FROM audit_events a WHERE a.action LIKE 'comment.%' AND json_extract(a.details, '$.comment_id') = cid) <= ?`,
      )
      .pluck()
      .all(first, last, last) as number[];
    if (commentIds.length) {
      changes.comments = (this.db.prepare('SELECT * FROM comments WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id').all(JSON.stringify(commentIds)) as Record<string, unknown>[]).map(encodeRow);
    }
    return changes;
  }

  /**
   * Applies a batch's in-place changes after its appended rows: the purge records first, since the tables'
   * triggers allow a version's content or an event's details to change only under an applied purge.
   */
  private applyChanges(changes: FeedChanges): void {
    this.insert('page_purges', changes.purges, 'INSERT OR REPLACE');
    const cols = this.columnsOf('purged_audit_events');
    for (const row of changes.purgedEvents) {
      if (Object.keys(row).some((k) => !cols.has(k))) throw new FeedSchemaError('the primary sends purged_audit_events columns this server\'s schema lacks: upgrade the standby to the primary\'s version');
      this.db.prepare('INSERT OR IGNORE INTO purged_audit_events (event_id, purge_id) VALUES (?, ?)').run(row.event_id, row.purge_id);
    }
    const content = this.db.prepare<[FeedContent]>('UPDATE page_versions SET front_matter = @front_matter, body = @body, summary = @summary WHERE page_id = @page_id AND version = @version');
    for (const c of changes.contents) content.run({ page_id: c.page_id, version: c.version, front_matter: c.front_matter, body: c.body, summary: c.summary });
    const details = this.db.prepare<[string, number]>('UPDATE audit_events SET details = ? WHERE id = ?');
    for (const d of changes.details) details.run(d.details, d.id);
    // A purged attachment loses its bytes here as on the primary; its digest, size and type stay.
    const file = this.db.prepare<[number, string]>("UPDATE files SET bytes = x'', thumbnail = NULL, text = NULL, purged_by = ? WHERE sha256 = ? AND purged_by IS NULL");
    for (const p of changes.purges) if (typeof p.file === 'string') file.run(Number(p.id), p.file);
    const resolved = this.db.prepare<[string | null, string | null, number]>('UPDATE comments SET resolved_at = ?, resolved_by = ? WHERE id = ?');
    for (const c of changes.comments) {
      const held = this.db.prepare<[number], number>('SELECT 1 FROM comments WHERE id = ?').pluck().get(Number(c.id));
      if (held) resolved.run(c.resolved_at as string | null, c.resolved_by as string | null, Number(c.id));
      else this.insert('comments', [c], 'INSERT');
    }
  }

  /** Vouchers accepted before their events arrived: event id -> the hash that event must have. */
  pendingVouchers(): Record<string, string> {
    const raw = this.db.prepare<[], string>("SELECT value FROM meta WHERE key = 'standby.vouchers'").pluck().get() as string | undefined;
    return raw ? (JSON.parse(raw) as Record<string, string>) : {};
  }

  private keepVouchers(changes: FeedChanges, arrived: FeedRow[]): void {
    const pending = this.pendingVouchers();
    for (const v of changes.vouchers ?? []) pending[String(v.id)] = String(v.hash);
    for (const e of arrived) delete pending[String(e.id)];
    this.db.prepare("INSERT INTO meta (key, value) VALUES ('standby.vouchers', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(JSON.stringify(pending));
  }

  /** The purge.applied events this store holds, oldest first, for checking what a batch says a purge changed. */
  purgeEvents(): { id: number; actor: string; at: string; details: string }[] {
    return this.db.prepare<[], { id: number; actor: string; at: string; details: string }>("SELECT id, actor, at, details FROM audit_events WHERE action = 'purge.applied' ORDER BY id").all();
  }

  /** The comment events this store holds about one comment, oldest first. */
  commentEvents(commentId: number): { id: number; action: string; actor: string; at: string; target: string | null; details: string }[] {
    return this.db
      .prepare<[number], { id: number; action: string; actor: string; at: string; target: string | null; details: string }>(
        "SELECT id, action, actor, at, target, details FROM audit_events WHERE action LIKE 'comment.%' AND json_extract(details, '$.comment_id') = ? ORDER BY id",
      )
      .all(commentId);
  }

  /** A held version's row, for checking a purge's new content against the digests it sealed. */
  heldVersion(pageId: number, version: number): { page_id: number; version: number; front_matter: string; body: string; summary: string; digests: string | null; record_form: number } | undefined {
    return this.db.prepare<[number, number], { page_id: number; version: number; front_matter: string; body: string; summary: string; digests: string | null; record_form: number }>('SELECT page_id, version, front_matter, body, summary, digests, record_form FROM page_versions WHERE page_id = ? AND version = ?').get(pageId, version);
  }

  /** A held audit event's hash. */
  heldEventHash(id: number): string | undefined {
    return this.db.prepare<[number], string>('SELECT hash FROM audit_events WHERE id = ?').pluck().get(id) as string | undefined;
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
  apply(read: Pick<FeedRead, 'append' | 'pageIds' | 'page' | 'mirror' | 'changes'>): void {
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
        if (read.changes) {
          this.applyChanges(read.changes);
          this.keepVouchers(read.changes, read.append.audit_events ?? []);
        }
      }).immediate();
    } finally {
      this.db.pragma('foreign_keys = ON');
    }
  }
}
