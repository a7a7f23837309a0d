import type { Store } from '../store/index.js';
import type { PageEvents } from './events.js';

/**
 * What every command needs, shared by the rooms that run commands (pages, people, transfer, routes).
 * It lives here, below them all, so no room imports another only for this type. The one outward
 * reference is the type of the store handle: the store is the bottom room and imports nothing back.
 */

/** The one clock: everything time-dependent asks it, and tests inject a fixed one instead of sleeping. */
export type Clock = () => Date;

/**
 * Who is looking, as far as restricted pages care: admins see everything; everyone else sees an
 * open page, or a restricted page when they belong (through their linked person) to one of its teams.
 */
export interface Viewer {
  admin: boolean;
  teams: string[];
}

export type PhiKind = 'Social Security number' | 'medical record number' | 'account number' | 'date of birth' | 'phone number' | 'patient name' | 'e-mail address' | 'street address' | 'custom pattern';

/** One likely patient identifier the PHI guard found. */
export interface PhiHit {
  field: string;
  /** 1-based line within the field. */
  line: number;
  kind: PhiKind;
  /** Which rule matched, for custom patterns: the admin's label. */
  rule?: string;
  /** The start of the match with the rest masked, so the message helps find it without repeating it. */
  excerpt: string;
}

/** The PHI guard as a command sees it (phi/guard.ts builds one from the configured rules). */
export interface PhiScanner {
  /** Every likely identifier in the given fields; list fields are scanned item by item. */
  scan(fields: Record<string, unknown>): PhiHit[];
}

/** The roles an account may hold (the store's `users.role`). */
export type ActorRole = 'reader' | 'editor' | 'auditor' | 'admin';

export interface Actor {
  username: string;
  /**
   * The account's role, for the rules commands apply themselves (who may mark a page reviewed, who may
   * override the PHI guard). Absent for the CLI, the seeder and the importer, which act as the operator.
   */
  role?: ActorRole;
  /** The person the account is linked to, if any: owners may review their own pages. */
  person?: string | null;
  /** Teams and admin flag of the person saving, for restricted pages; absent for the CLI and the server itself. */
  viewer?: Viewer;
}

/** What every command needs: the store, the rules that come from configuration, and who is asking. */
export interface CommandContext {
  store: Store;
  systems: string[];
  maxBodyBytes: number;
  events?: PageEvents;
  actor: Actor;
  client?: string | null;
  /** The time to record; the importer passes the original time of a version. */
  at?: Date;
  /**
   * Seeding and importing write pages one after another, so a page may name a successor or predecessor
   * that arrives later: such links are kept as written instead of refused.
   */
  laterPagesMayFollow?: boolean;
  /**
   * Importing an export writes every version exactly as recorded (the mirrored supersession versions are
   * in the export already), so nothing is derived: no mirrored links, no automatic status.
   */
  verbatim?: boolean;
  /** Approved signatures each system needs before a page becomes approved or live (WHYWIKI_APPROVALS); absent for the operator. */
  approvals?: Readonly<Record<string, number>>;
  /**
   * The hash an export recorded for the version being imported. An export made before versions sealed
   * digests (record form 1) records hashes of that form: the version is written in it, so it reproduces.
   */
  recordedHash?: string;
  /** Scans every saved text for patient identifiers; absent only where the text is trusted (the demo content, tests). */
  phi?: PhiScanner;
  /** An admin's decision that what the guard found is not patient information, with the reason; recorded in the audit event. */
  phiOverride?: { reason: string };
  /** What the guard found in the last draft checked (kept for the audit event of an override). */
  lastPhiHits?: PhiHit[];
  /**
   * The draft's wiki-link targets, when the caller already rendered it off the request thread;
   * otherwise they are parsed out here.
   */
  wikiLinks?: string[];
}
