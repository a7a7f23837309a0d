import type { DB } from './db.js';

export type HandoverState = 'not_started' | 'walked_through' | 'accepted';

export interface HandoverRow {
  id: number;
  person: string;
  leaving_on: string;
  successor: string | null;
  opened_at: string;
  opened_by: string;
  closed_at: string | null;
}

export interface HandoverPageRow {
  handover_id: number;
  slug: string;
  title: string;
  via: string;
  successor: string | null;
  state: HandoverState;
  note: string | null;
  updated_at: string | null;
  updated_by: string | null;
}

export interface PathRow {
  id: number;
  current_version: number;
  created_at: string;
  created_by: string;
}

export interface PathVersionRow {
  path_id: number;
  version: number;
  title: string;
  description: string;
  steps: string;
  author: string;
  created_at: string;
}

export interface PathReadRow {
  path_id: number;
  person: string;
  slug: string;
  page_version: number;
  read_at: string;
  self_study: number;
}

/** Handover plans and reading paths. */
export class KnowledgeTransferStore {
  private readonly s;

  constructor(db: DB) {
    this.s = {
      insertHandover: db.prepare<[Omit<HandoverRow, 'id' | 'closed_at'>]>('INSERT INTO handovers (person, leaving_on, successor, opened_at, opened_by) VALUES (@person, @leaving_on, @successor, @opened_at, @opened_by)'),
      latestHandover: db.prepare<[string], HandoverRow>('SELECT * FROM handovers WHERE person = ? ORDER BY id DESC LIMIT 1'),
      openHandover: db.prepare<[string], HandoverRow>('SELECT * FROM handovers WHERE person = ? AND closed_at IS NULL'),
      dueHandovers: db.prepare<[string], HandoverRow>('SELECT * FROM handovers WHERE closed_at IS NULL AND leaving_on <= ? ORDER BY leaving_on, id'),
      openHandovers: db.prepare<[], HandoverRow>('SELECT * FROM handovers WHERE closed_at IS NULL ORDER BY leaving_on, id'),
      closeHandover: db.prepare<[string, number]>('UPDATE handovers SET closed_at = ? WHERE id = ?'),
      insertPage: db.prepare<[Omit<HandoverPageRow, 'state' | 'note' | 'updated_at' | 'updated_by'>]>('INSERT INTO handover_pages (handover_id, slug, title, via, successor) VALUES (@handover_id, @slug, @title, @via, @successor)'),
      pages: db.prepare<[number], HandoverPageRow>('SELECT * FROM handover_pages WHERE handover_id = ? ORDER BY title, slug'),
      page: db.prepare<[number, string], HandoverPageRow>('SELECT * FROM handover_pages WHERE handover_id = ? AND slug = ?'),
      updatePage: db.prepare<[Pick<HandoverPageRow, 'handover_id' | 'slug' | 'successor' | 'state' | 'note' | 'updated_at' | 'updated_by'>]>(
        'UPDATE handover_pages SET successor = @successor, state = @state, note = @note, updated_at = @updated_at, updated_by = @updated_by WHERE handover_id = @handover_id AND slug = @slug',
      ),
      insertPath: db.prepare<[string, string]>('INSERT INTO paths (current_version, created_at, created_by) VALUES (1, ?, ?)'),
      setPathVersion: db.prepare<[number, number]>('UPDATE paths SET current_version = ? WHERE id = ?'),
      insertPathVersion: db.prepare<[PathVersionRow]>('INSERT INTO path_versions (path_id, version, title, description, steps, author, created_at) VALUES (@path_id, @version, @title, @description, @steps, @author, @created_at)'),
      path: db.prepare<[number], PathRow>('SELECT * FROM paths WHERE id = ?'),
      pathVersion: db.prepare<[number, number], PathVersionRow>('SELECT * FROM path_versions WHERE path_id = ? AND version = ?'),
      currentPaths: db.prepare<[], PathVersionRow>('SELECT v.* FROM paths p JOIN path_versions v ON v.path_id = p.id AND v.version = p.current_version ORDER BY v.title, p.id'),
      assign: db.prepare<[number, string, string, string]>('INSERT OR IGNORE INTO path_assignments (path_id, person, assigned_at, assigned_by) VALUES (?, ?, ?, ?)'),
      assignees: db.prepare<[number], { person: string; assigned_at: string }>('SELECT person, assigned_at FROM path_assignments WHERE path_id = ? ORDER BY person'),
      assignedTo: db.prepare<[string], { path_id: number }>('SELECT path_id FROM path_assignments WHERE person = ? ORDER BY assigned_at, path_id'),
      isAssigned: db.prepare<[number, string], { n: number }>('SELECT 1 AS n FROM path_assignments WHERE path_id = ? AND person = ?'),
      insertRead: db.prepare<[PathReadRow]>('INSERT INTO path_reads (path_id, person, slug, page_version, read_at, self_study) VALUES (@path_id, @person, @slug, @page_version, @read_at, @self_study)'),
      readsBy: db.prepare<[string], PathReadRow>('SELECT path_id, person, slug, page_version, read_at, self_study FROM path_reads WHERE person = ? ORDER BY id'),
      readsOf: db.prepare<[number], PathReadRow>('SELECT path_id, person, slug, page_version, read_at, self_study FROM path_reads WHERE path_id = ? ORDER BY id'),
      readPaths: db.prepare<[string], { path_id: number }>('SELECT DISTINCT path_id FROM path_reads WHERE person = ?'),
    };
  }

  insertHandover(row: Omit<HandoverRow, 'id' | 'closed_at'>): number {
    return Number(this.s.insertHandover.run(row).lastInsertRowid);
  }
  /** The person's newest plan, open or closed (a closed plan stays as the record). */
  latestHandover(person: string): HandoverRow | undefined { return this.s.latestHandover.get(person); }
  openHandover(person: string): HandoverRow | undefined { return this.s.openHandover.get(person); }
  /** Open plans whose leaving date is on or before `date` (YYYY-MM-DD). */
  dueHandovers(date: string): HandoverRow[] { return this.s.dueHandovers.all(date); }
  openHandovers(): HandoverRow[] { return this.s.openHandovers.all(); }
  closeHandover(id: number, at: string): void { this.s.closeHandover.run(at, id); }
  insertHandoverPage(row: Omit<HandoverPageRow, 'state' | 'note' | 'updated_at' | 'updated_by'>): void { this.s.insertPage.run(row); }
  handoverPages(id: number): HandoverPageRow[] { return this.s.pages.all(id); }
  handoverPage(id: number, slug: string): HandoverPageRow | undefined { return this.s.page.get(id, slug); }
  updateHandoverPage(row: Pick<HandoverPageRow, 'handover_id' | 'slug' | 'successor' | 'state' | 'note' | 'updated_at' | 'updated_by'>): void { this.s.updatePage.run(row); }

  insertPath(at: string, by: string): number { return Number(this.s.insertPath.run(at, by).lastInsertRowid); }
  setPathVersion(id: number, version: number): void { this.s.setPathVersion.run(version, id); }
  insertPathVersion(row: PathVersionRow): void { this.s.insertPathVersion.run(row); }
  path(id: number): PathRow | undefined { return this.s.path.get(id); }
  pathVersion(id: number, version: number): PathVersionRow | undefined { return this.s.pathVersion.get(id, version); }
  currentPaths(): PathVersionRow[] { return this.s.currentPaths.all(); }
  assign(id: number, person: string, at: string, by: string): boolean { return this.s.assign.run(id, person, at, by).changes > 0; }
  assignees(id: number): { person: string; assigned_at: string }[] { return this.s.assignees.all(id); }
  assignedTo(person: string): number[] { return this.s.assignedTo.all(person).map((r) => r.path_id); }
  isAssigned(id: number, person: string): boolean { return this.s.isAssigned.get(id, person) !== undefined; }
  insertRead(row: PathReadRow): void { this.s.insertRead.run(row); }
  readsBy(person: string): PathReadRow[] { return this.s.readsBy.all(person); }
  readsOf(id: number): PathReadRow[] { return this.s.readsOf.all(id); }
  /** Paths the person read a step of, assigned or not (self-study). */
  pathsReadBy(person: string): number[] { return this.s.readPaths.all(person).map((r) => r.path_id); }
}
