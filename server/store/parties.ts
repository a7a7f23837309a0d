import type { DB } from './db.js';

export type PartyKind = 'person' | 'team';

export interface PartyRow {
  handle: string;
  kind: PartyKind;
  name: string;
  title: string | null;
  email: string | null;
  status: 'active' | 'departed';
  departed_on: string | null;
  created_at: string;
}

/** People and teams: the owners that pages name by handle. */
export class PartyStore {
  private readonly byHandle;
  private readonly insertStmt;
  private readonly addMemberStmt;
  private readonly membersStmt;
  private readonly teamsOfStmt;
  private readonly allStmt;
  private readonly existingStmt;

  constructor(db: DB) {
    this.byHandle = db.prepare<[string], PartyRow>('SELECT * FROM parties WHERE handle = ?');
    this.insertStmt = db.prepare<[PartyRow]>(
      `INSERT INTO parties (handle, kind, name, title, email, status, departed_on, created_at)
       VALUES (@handle, @kind, @name, @title, @email, @status, @departed_on, @created_at)`,
    );
    this.addMemberStmt = db.prepare<[string, string]>('INSERT OR IGNORE INTO team_members (team, person) VALUES (?, ?)');
    this.membersStmt = db.prepare<[string], PartyRow>(
      `SELECT p.* FROM team_members m JOIN parties p ON p.handle = m.person WHERE m.team = ? ORDER BY p.name`,
    );
    this.teamsOfStmt = db.prepare<[string], PartyRow>(
      `SELECT p.* FROM team_members m JOIN parties p ON p.handle = m.team WHERE m.person = ? ORDER BY p.name`,
    );
    this.allStmt = db.prepare<[], PartyRow>('SELECT * FROM parties ORDER BY kind, name');
    this.existingStmt = db.prepare<[string], { handle: string }>(
      'SELECT handle FROM parties WHERE handle IN (SELECT value FROM json_each(?))',
    );
  }

  get(handle: string): PartyRow | undefined {
    return this.byHandle.get(handle);
  }

  insert(row: PartyRow): void {
    this.insertStmt.run(row);
  }

  addMember(team: string, person: string): void {
    this.addMemberStmt.run(team, person);
  }

  members(team: string): PartyRow[] {
    return this.membersStmt.all(team);
  }

  teamsOf(person: string): PartyRow[] {
    return this.teamsOfStmt.all(person);
  }

  all(): PartyRow[] {
    return this.allStmt.all();
  }

  /** The subset of `handles` that exist. */
  existing(handles: string[]): Set<string> {
    return new Set(this.existingStmt.all(JSON.stringify(handles)).map((r) => r.handle));
  }
}
