import type { DB } from './db.js';

/** A person's unsaved edit of one page (or of a page not yet created). */
export interface DraftRow {
  username: string;
  slug: string;
  base_version: number | null;
  /** JSON object: the form's fields as typed. */
  fields: string;
  updated_at: string;
}

export class DraftStore {
  private readonly getStmt;
  private readonly upsertStmt;
  private readonly deleteStmt;
  private readonly listStmt;
  private readonly renameStmt;

  constructor(db: DB) {
    this.getStmt = db.prepare<[string, string], DraftRow>('SELECT * FROM drafts WHERE username = ? AND slug = ?');
    this.upsertStmt = db.prepare<[DraftRow]>(
      `INSERT INTO drafts (username, slug, base_version, fields, updated_at) VALUES (@username, @slug, @base_version, @fields, @updated_at)
       ON CONFLICT(username, slug) DO UPDATE SET base_version = excluded.base_version, fields = excluded.fields, updated_at = excluded.updated_at`,
    );
    this.deleteStmt = db.prepare<[string, string]>('DELETE FROM drafts WHERE username = ? AND slug = ?');
    this.listStmt = db.prepare<[string], DraftRow>('SELECT * FROM drafts WHERE username = ? ORDER BY updated_at DESC, slug');
    // Everyone's drafts of a renamed page follow it (a person who already has a draft under the new slug keeps that one).
    this.renameStmt = db.prepare<[string, string]>('UPDATE OR IGNORE drafts SET slug = ? WHERE slug = ?');
  }

  get(username: string, slug: string): DraftRow | undefined {
    return this.getStmt.get(username, slug);
  }

  put(row: DraftRow): void {
    this.upsertStmt.run(row);
  }

  /** Returns whether a draft was there. */
  remove(username: string, slug: string): boolean {
    return this.deleteStmt.run(username, slug).changes > 0;
  }

  list(username: string): DraftRow[] {
    return this.listStmt.all(username);
  }

  moveAll(from: string, to: string): void {
    this.renameStmt.run(to, from);
  }
}

export interface TemplateRow {
  id: number;
  name: string;
  description: string;
  /** JSON object: the front matter a new page starts with. */
  front_matter: string;
  body: string;
  updated_at: string;
  updated_by: string;
}

export class TemplateStore {
  private readonly allStmt;
  private readonly getStmt;
  private readonly byNameStmt;
  private readonly insertStmt;
  private readonly updateStmt;

  constructor(db: DB) {
    this.allStmt = db.prepare<[], TemplateRow>('SELECT * FROM templates ORDER BY name');
    this.getStmt = db.prepare<[number], TemplateRow>('SELECT * FROM templates WHERE id = ?');
    this.byNameStmt = db.prepare<[string], TemplateRow>('SELECT * FROM templates WHERE name = ? COLLATE NOCASE');
    this.insertStmt = db.prepare<[Omit<TemplateRow, 'id'>]>(
      'INSERT INTO templates (name, description, front_matter, body, updated_at, updated_by) VALUES (@name, @description, @front_matter, @body, @updated_at, @updated_by)',
    );
    this.updateStmt = db.prepare<[TemplateRow]>(
      'UPDATE templates SET name = @name, description = @description, front_matter = @front_matter, body = @body, updated_at = @updated_at, updated_by = @updated_by WHERE id = @id',
    );
  }

  all(): TemplateRow[] {
    return this.allStmt.all();
  }

  get(id: number): TemplateRow | undefined {
    return this.getStmt.get(id);
  }

  byName(name: string): TemplateRow | undefined {
    return this.byNameStmt.get(name);
  }

  insert(row: Omit<TemplateRow, 'id'>): number {
    return Number(this.insertStmt.run(row).lastInsertRowid);
  }

  update(row: TemplateRow): void {
    this.updateStmt.run(row);
  }
}

/** The slugs renamed pages had before, and what moves with a page when it is renamed. */
export class RenameStore {
  private readonly targetStmt;
  private readonly insertStmt;
  private readonly dropStmt;
  private readonly pointStmt;
  private readonly oldOfStmt;
  private readonly setSlugStmt;
  private readonly linksStmt;
  private readonly filesStmt;

  constructor(db: DB) {
    this.targetStmt = db.prepare<[string], { slug: string; page_id: number }>(
      'SELECT p.slug, p.id AS page_id FROM page_renames r JOIN pages p ON p.id = r.page_id WHERE r.old_slug = ?',
    );
    this.insertStmt = db.prepare<[string, number, string]>('INSERT OR REPLACE INTO page_renames (old_slug, page_id, renamed_at) VALUES (?, ?, ?)');
    this.dropStmt = db.prepare<[string]>('DELETE FROM page_renames WHERE old_slug = ?');
    this.pointStmt = db.prepare<[string], number>('SELECT page_id FROM page_renames WHERE old_slug = ?').pluck();
    this.oldOfStmt = db.prepare<[number], string>('SELECT old_slug FROM page_renames WHERE page_id = ? ORDER BY renamed_at, old_slug').pluck();
    this.setSlugStmt = db.prepare<[string, number]>('UPDATE pages SET slug = ? WHERE id = ?');
    this.linksStmt = db.prepare<[string, string]>('UPDATE OR IGNORE page_links SET target_slug = ? WHERE target_slug = ?');
    this.filesStmt = db.prepare<[string, string]>('UPDATE OR IGNORE page_files SET slug = ? WHERE slug = ?');
  }

  /** The page's slug now, when `slug` is one it had before. */
  current(slug: string): string | undefined {
    return this.targetStmt.get(slug)?.slug;
  }

  /** The page an old slug belongs to, if any. */
  pageOf(oldSlug: string): number | undefined {
    return this.pointStmt.get(oldSlug) as number | undefined;
  }

  earlierSlugs(pageId: number): string[] {
    return this.oldOfStmt.all(pageId) as string[];
  }

  /** Moves the page row, the links to it and its files' list to the new slug, and remembers the old one. Call inside the transaction that writes the version. */
  rename(pageId: number, from: string, to: string, at: string): void {
    this.dropStmt.run(to);
    this.setSlugStmt.run(to, pageId);
    this.insertStmt.run(from, pageId, at);
    this.linksStmt.run(to, from);
    this.filesStmt.run(to, from);
  }
}
