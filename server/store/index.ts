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
  private readonly getMetaStmt;
  private readonly setMetaStmt;

  constructor(readonly db: DB) {
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
    this.getMetaStmt = db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck();
    this.setMetaStmt = db.prepare<[string, string]>(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
  }

  /** Runs `fn` in one IMMEDIATE transaction, so a writer takes the lock up front instead of failing mid-way. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  getMeta(key: string): string | undefined {
    return this.getMetaStmt.get(key) as string | undefined;
  }

  setMeta(key: string, value: string): void {
    this.setMetaStmt.run(key, value);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
