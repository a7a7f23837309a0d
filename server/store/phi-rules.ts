import type { DB } from './db.js';

/** An admin's addition to the PHI guard: a pattern to refuse, or a term to let through. */
export interface PhiRuleRow {
  id: number;
  kind: 'pattern' | 'allow';
  value: string;
  label: string | null;
  created_by: string;
  created_at: string;
}

/** The PHI guard's admin rules. Rules are retired, never deleted, so audit events that name them stay readable. */
export class PhiRuleStore {
  private readonly activeStmt;
  private readonly insertStmt;
  private readonly retireStmt;

  constructor(db: DB) {
    this.activeStmt = db.prepare<[], PhiRuleRow>('SELECT id, kind, value, label, created_by, created_at FROM phi_rules WHERE retired_at IS NULL ORDER BY kind, id');
    this.insertStmt = db.prepare<[Omit<PhiRuleRow, 'id'>]>('INSERT INTO phi_rules (kind, value, label, created_by, created_at) VALUES (@kind, @value, @label, @created_by, @created_at)');
    this.retireStmt = db.prepare<[string, string, number]>('UPDATE phi_rules SET retired_at = ?, retired_by = ? WHERE id = ? AND retired_at IS NULL');
  }

  active(): PhiRuleRow[] {
    return this.activeStmt.all();
  }

  insert(row: Omit<PhiRuleRow, 'id'>): number {
    return Number(this.insertStmt.run(row).lastInsertRowid);
  }

  /** Returns whether an active rule was retired. */
  retire(id: number, by: string, at: string): boolean {
    return this.retireStmt.run(at, by, id).changes === 1;
  }
}
