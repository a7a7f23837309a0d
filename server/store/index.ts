import type { DB } from './db.js';
import { AuditStore } from './audit.js';
import { PageStore } from './pages.js';
import { PartyStore } from './parties.js';
import { SessionStore } from './sessions.js';
import { UserStore } from './users.js';
import { PhiRuleStore } from './phi-rules.js';
import { FileStore } from './files.js';
import { KnowledgeTransferStore } from './knowledge-transfer.js';
import { DraftStore, RenameStore, TemplateStore } from './writing.js';
import { OutboxStore } from './outbox.js';
import { CommentStore } from './comments.js';
import { IntegrationStore } from './integrations.js';
import { SignatureStore } from './signatures.js';
import { PhiScanStore } from './phi-scan.js';
import { FeedStore } from './feed.js';
import { PurgeStore } from './purges.js';
import { NotificationStore } from './notifications.js';
import { KnowledgeFeedStore } from './knowledge-feed.js';

/** Whether an error is SQLite finding the database locked by another connection (nothing was written). */
export function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

/** Every table group of the SQLite store, with statements prepared once. Knows SQL, not business rules. */
export class Store {
  readonly pages: PageStore;
  readonly parties: PartyStore;
  readonly users: UserStore;
  readonly sessions: SessionStore;
  readonly audit: AuditStore;
  readonly phiRules: PhiRuleStore;
  readonly files: FileStore;
  readonly transfer: KnowledgeTransferStore;
  readonly drafts: DraftStore;
  readonly templates: TemplateStore;
  readonly renames: RenameStore;
  readonly outbox: OutboxStore;
  readonly comments: CommentStore;
  readonly integrations: IntegrationStore;
  readonly signatures: SignatureStore;
  readonly phiScan: PhiScanStore;
  readonly feed: FeedStore;
  readonly purges: PurgeStore;
  readonly notifications: NotificationStore;
  readonly knowledgeFeed: KnowledgeFeedStore;
  private readonly getMetaStmt;
  private readonly setMetaStmt;
  private readonly dataVersionStmt;
  private readonly totalChangesStmt;
  /** followedPrimary's answer, and the version() it was read at. */
  private followed: { version: string; primary: string | undefined } | null = null;
  /** authGenerationAt's answer, and the version() it was asked for. */
  private generationAt: { version: string; generation: number } | null = null;

  /** Private: only the store speaks SQL; other rooms call its methods. */
  constructor(private readonly db: DB) {
    this.pages = new PageStore(db);
    this.parties = new PartyStore(db);
    this.users = new UserStore(db);
    this.sessions = new SessionStore(db);
    this.audit = new AuditStore(db);
    this.phiRules = new PhiRuleStore(db);
    this.files = new FileStore(db);
    this.transfer = new KnowledgeTransferStore(db);
    this.drafts = new DraftStore(db);
    this.templates = new TemplateStore(db);
    this.renames = new RenameStore(db);
    this.outbox = new OutboxStore(db);
    this.comments = new CommentStore(db);
    this.integrations = new IntegrationStore(db);
    this.signatures = new SignatureStore(db);
    this.phiScan = new PhiScanStore(db);
    this.feed = new FeedStore(db);
    this.purges = new PurgeStore(db);
    this.notifications = new NotificationStore(db);
    this.knowledgeFeed = new KnowledgeFeedStore(db);
    this.dataVersionStmt = db.prepare<[], number>('PRAGMA data_version').pluck();
    this.totalChangesStmt = db.prepare<[], number>('SELECT total_changes()').pluck();
    this.getMetaStmt = db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck();
    this.setMetaStmt = db.prepare<[string, string]>(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
  }

  /** Runs `fn` in one IMMEDIATE transaction, so a writer takes the lock up front instead of failing mid-way. */
  /**
   * Runs `fn` inside a transaction that is then rolled back, so it writes nothing (a dry run). Inside an
   * outer transaction it just runs `fn`, which the caller rolls back.
   */
  rolledBack<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      return fn();
    } finally {
      this.db.exec('ROLLBACK');
    }
  }

  /** Every page head, archived ones included: whether the store holds any page at all. */
  pageRowCount(): number {
    return this.db.prepare('SELECT count(*) FROM pages').pluck().get() as number;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * Runs `fn` without waiting for another connection's write lock: a write that finds it held (a bulk
   * import in another process) fails at once with SQLITE_BUSY (`isBusyError`) instead of blocking the
   * event loop for the busy timeout. For background writers, which try again later; requests keep waiting.
   */
  withoutWaiting<T>(fn: () => T): T {
    const before = this.db.pragma('busy_timeout', { simple: true }) as number;
    if (before === 0) return fn();
    this.db.pragma('busy_timeout = 0');
    try {
      return fn();
    } finally {
      this.db.pragma(`busy_timeout = ${before}`);
    }
  }

  getMeta(key: string): string | undefined {
    return this.getMetaStmt.get(key) as string | undefined;
  }

  setMeta(key: string, value: string): void {
    this.setMetaStmt.run(key, value);
  }

  /**
   * The primary this store follows, while it is a standby: set when following starts, and no longer
   * answered once `whywiki promote` has made it a primary of its own. `version`: a `version()` the caller
   * read already (a request's own, see request.storeVersion).
   */
  followedPrimary(version = this.version()): string | undefined {
    // Asked on every request (writes are refused on a standby): read again only once something was written.
    if (this.followed?.version !== version) {
      this.followed = { version, primary: this.getMeta('standby.promoted_at') ? undefined : this.getMeta('standby.primary') };
    }
    return this.followed.primary;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** The database file's path, for processes that open it themselves (the search worker, read-only). */
  get file(): string {
    return this.db.name;
  }

  /**
   * SQLite's data_version: changes whenever another connection commits, so caches keyed on it see a
   * write by another process (the CLI) as well as this one's own.
   */
  dataVersion(): number {
    return this.dataVersionStmt.get() as number;
  }

  /**
   * Moves whenever anything stored may have changed: a commit by another connection (data_version) or
   * any row this connection changed (total_changes, which costs no table read). What is read from the
   * store and remembered under it is never stale; a rolled-back change only costs a fresh read.
   */
  version(): string {
    return `${this.dataVersionStmt.get() as number}:${this.totalChangesStmt.get() as number}`;
  }

  /** The data_version part of a `version()`: what moves only when another process commits. */
  static externalPart(version: string): number {
    return Number(version.slice(0, version.indexOf(':')));
  }

  /**
   * The auth generation (UserStore.authGeneration) as of `version`, a `version()` read before this call.
   * Only a write moves the generation, and every write moves the version, so it is read from the store
   * again only once the version moved: a request that read the version pays nothing more for it.
   */
  authGenerationAt(version: string): number {
    if (this.generationAt?.version !== version) this.generationAt = { version, generation: this.users.authGeneration() };
    return this.generationAt.generation;
  }

  /**
   * Copies the store with SQLite's online backup. After the first step every remaining page is copied
   * in one step: SQLite restarts a stepped backup whenever another connection writes, so under a steady
   * stream of saves small steps never finish. One step reads one consistent snapshot, and in WAL mode
   * that never blocks the writers.
   */
  async copyTo(file: string): Promise<void> {
    await this.db.backup(file, { progress: ({ totalPages }) => Math.max(100, totalPages) });
  }

  /** SQLite's integrity_check: 'ok', or what it found. */
  integrityCheck(): string {
    return String(this.db.pragma('integrity_check', { simple: true }));
  }

  /** Leaves the file self-contained (no -wal beside it), for a backup that is one file. */
  makeSelfContained(): void {
    this.db.pragma('journal_mode = DELETE');
  }

  /**
   * The connection itself, for tests and benchmarks that set up states no command can reach (a
   * tampered row, a bare table). Never called by the server: the name says so where it is used.
   */
  unsafeDatabaseForTests(): DB {
    return this.db;
  }
}
