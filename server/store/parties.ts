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
  successor: string | null;
  departure_reason: string | null;
}

export type NewParty = Omit<PartyRow, 'successor' | 'departure_reason'> & Partial<Pick<PartyRow, 'successor' | 'departure_reason'>>;

/** People and teams: the owners that pages name by handle. */
export class PartyStore {
  private readonly byHandle;
  private readonly insertStmt;
  private readonly addMemberStmt;
  private readonly membersStmt;
  private readonly teamsOfStmt;
  private readonly allStmt;
  private readonly existingStmt;
  private readonly updateStmt;
  private readonly departStmt;
  private readonly clearMembersStmt;
  private readonly allMembershipsStmt;

  constructor(db: DB) {
    this.byHandle = db.prepare<[string], PartyRow>('SELECT * FROM parties WHERE handle = ?');
    this.insertStmt = db.prepare<[PartyRow]>(
      `INSERT INTO parties (handle, kind, name, title, email, status, departed_on, created_at, successor, departure_reason)
       VALUES (@handle, @kind, @name, @title, @email, @status, @departed_on, @created_at, @successor, @departure_reason)`,
    );
    this.updateStmt = db.prepare<[Pick<PartyRow, 'handle' | 'name' | 'title' | 'email'>]>(
      'UPDATE parties SET name = @name, title = @title, email = @email WHERE handle = @handle',
    );
    this.departStmt = db.prepare<[Pick<PartyRow, 'handle' | 'departed_on' | 'successor' | 'departure_reason'>]>(
      `UPDATE parties SET status = 'departed', departed_on = @departed_on, successor = @successor, departure_reason = @departure_reason WHERE handle = @handle`,
    );
    this.clearMembersStmt = db.prepare<[string]>('DELETE FROM team_members WHERE team = ?');
    this.allMembershipsStmt = db.prepare<[], { team: string; person: string }>('SELECT team, person FROM team_members');
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

  insert(row: NewParty): void {
    this.insertStmt.run({ successor: null, departure_reason: null, ...row });
  }

  update(row: Pick<PartyRow, 'handle' | 'name' | 'title' | 'email'>): void {
    this.updateStmt.run(row);
  }

  depart(row: Pick<PartyRow, 'handle' | 'departed_on' | 'successor' | 'departure_reason'>): void {
    this.departStmt.run(row);
  }

  setMembers(team: string, people: string[]): void {
    this.clearMembersStmt.run(team);
    for (const person of people) this.addMemberStmt.run(team, person);
  }

  /** Every team's members, by team handle. */
  memberships(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const r of this.allMembershipsStmt.iterate()) {
      const list = out.get(r.team);
      if (list) list.push(r.person);
      else out.set(r.team, [r.person]);
    }
    return out;
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
