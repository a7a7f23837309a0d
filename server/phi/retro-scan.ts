import { createHash } from 'node:crypto';
import type { Store } from '../store/index.js';
import type { PhiHit, PhiKind } from '../core/context.js';
import { PAGE_TEXT_FIELDS, phiGuardFor, type PhiGuard } from './guard.js';

/**
 * The retro-scan: the CURRENT PHI rules run over everything already stored (every version of every page,
 * attachment text, drafts), because a rule added today says nothing about what was saved before it.
 * Findings carry only the guard's masked excerpt, never the text itself.
 */

/** One finding, masked, with where it is and where to ask for it to be purged. */
export interface ScanFinding {
  source: string;
  slug: string;
  /** The version holding it; null for attachment text and drafts. */
  version: number | null;
  /** Where within the source: "body", "why", "attachment notes.txt", "draft by maria: body". */
  field: string;
  line: number;
  kind: PhiKind;
  rule: string | null;
  excerpt: string;
  /** The page's history, where a version is purged; null for a draft. */
  purge: string | null;
}

/** What a source hands the scanner: fields to scan, and where their findings live. */
export interface ScanItem {
  slug: string;
  version: number | null;
  /** Put before each field name in findings ("attachment notes.txt", "draft by maria"). */
  label?: string;
  /** False for text that is not in a page's history (a draft, which its author discards): no purge link. */
  purgeable?: boolean;
  fields: Record<string, unknown>;
}

/** What a scan reads through: the whole store on this thread, or only its scan reader in the scan worker (read-only). */
export type ScanReader = Pick<Store, 'phiScan'>;

/**
 * Where stored free text lives. Each source reads its rows after a rowid, in batches, so a scan can pause
 * between batches. A new table of free text is one more entry here (and one store method).
 */
export interface ScanSource {
  name: string;
  read(store: ScanReader, after: number, limit: number): { rowid: number; items: ScanItem[] }[];
}

const pageText = (fm: Record<string, unknown>) => Object.fromEntries(PAGE_TEXT_FIELDS.map((f) => [f, fm[f]]));

function parseObject(json: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(json);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export const SCAN_SOURCES: ScanSource[] = [
  {
    name: 'version',
    read: (store, after, limit) =>
      store.phiScan.versionsAfter(after, limit).map((r) => ({
        rowid: r.rowid,
        items: [{ slug: r.slug, version: r.version, fields: { ...pageText(parseObject(r.front_matter)), body: r.body, summary: r.summary } }],
      })),
  },
  {
    name: 'attachment',
    read: (store, after, limit) =>
      store.phiScan.filesAfter(after, limit).map((r) => ({
        rowid: r.rowid,
        // A file added to several pages is a finding on each, since each page's history is where it is purged.
        items: (JSON.parse(r.places) as { slug: string; name: string }[]).map((p) => ({ slug: p.slug, version: null, label: `attachment ${p.name}`, fields: { text: r.text } })),
      })),
  },
  {
    name: 'comment',
    read: (store, after, limit) =>
      // Comments are not page versions: a finding names the comment, and is not purged through a version.
      store.phiScan.commentsAfter(after, limit).map((r) => ({
        rowid: r.rowid,
        items: [{ slug: r.slug, version: null, label: `comment ${r.id} by ${r.author}`, purgeable: false, fields: { body: r.body } }],
      })),
  },
  {
    name: 'draft',
    read: (store, after, limit) =>
      store.phiScan.draftsAfter(after, limit).map((r) => {
        const f = parseObject(r.fields);
        return { rowid: r.rowid, items: [{ slug: r.slug, version: null, label: `draft by ${r.username}`, purgeable: false, fields: { ...pageText(f), body: f.body, summary: f.summary } }] };
      }),
  },
];

/** The rules a scan ran under: the admins' active rules and the configured MRN patterns. */
export interface ScanRules {
  rules: { id: number; kind: 'pattern' | 'allow'; value: string; label: string | null }[];
  mrn_patterns: string[];
}

export interface PhiScanResult {
  ran_at: string;
  /** How long the scan took from start to finish (with its pauses), in milliseconds. */
  ms: number;
  under: ScanRules;
  scanned: Record<string, number> & { bytes: number };
  /** Findings in all, and the first FINDINGS_KEPT of them. */
  total: number;
  findings: ScanFinding[];
  /**
   * Findings past the kept ones, counted per page: a reader of the report who may not see a page must not
   * see its findings counted in the total either. Absent from results stored before it was kept.
   */
  unkept_by_slug?: Record<string, number>;
}

/** A store full of findings keeps the first few thousand; the total says how many there are. */
export const FINDINGS_KEPT = 5000;
/** Rows read per batch, and text scanned between pauses: at the guard's few MB/s, a pause comes every 10 ms or so (one very long field excepted). */
const BATCH_ROWS = 64;
const PAUSE_BYTES = 32 * 1024;
/** Field texts remembered per scan (a few hundred bytes each). */
const MEMO_MAX = 200_000;

export function currentRules(store: Store, mrnPatterns: string[]): ScanRules {
  return { rules: store.phiRules.active().map((r) => ({ id: r.id, kind: r.kind, value: r.value, label: r.label })), mrn_patterns: mrnPatterns };
}

export const sameRules = (a: ScanRules, b: ScanRules) => JSON.stringify(a) === JSON.stringify(b);

const textLength = (v: unknown): number => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : Array.isArray(v) ? v.reduce<number>((n, x) => n + textLength(x), 0) : 0);

/**
 * The scan as steps: it yields after about PAUSE_BYTES of text, so a caller can run it to the end at once
 * (the CLI, the benchmark) or give other work a turn between steps (the server).
 */
export function* scanSteps(store: ScanReader, guard: PhiGuard, under: ScanRules, now: () => Date, sources: ScanSource[] = SCAN_SOURCES): Generator<void, PhiScanResult> {
  const started = now();
  const t0 = performance.now();
  const findings: ScanFinding[] = [];
  let total = 0;
  const unkept: Record<string, number> = {};
  const scanned: Record<string, number> & { bytes: number } = { bytes: 0 };
  let sinceLastBytes = 0;
  // Most versions repeat most of their fields (a status change keeps the body): a text seen before in the
  // same field has the same findings, so it is looked up by digest rather than scanned again.
  const seen = new Map<string, PhiHit[]>();
  const scanField = (field: string, value: unknown): PhiHit[] => {
    const text = Array.isArray(value) ? value.filter((v) => typeof v === 'string').join('\n') : typeof value === 'string' ? value : '';
    if (!text) return [];
    const key = createHash('sha1').update(field).update('\0').update(text).digest('base64');
    let hits = seen.get(key);
    if (!hits) {
      hits = guard.scan({ [field]: text });
      if (seen.size < MEMO_MAX) seen.set(key, hits);
    }
    return hits;
  };
  for (const source of sources) {
    scanned[source.name] = 0;
    let after = 0;
    for (;;) {
      const rows = source.read(store, after, BATCH_ROWS);
      if (rows.length === 0) break;
      for (const row of rows) {
        after = row.rowid;
        scanned[source.name]!++;
        for (const item of row.items) {
          const bytes = Object.values(item.fields).reduce<number>((n, v) => n + textLength(v), 0);
          scanned.bytes += bytes;
          sinceLastBytes += bytes;
          for (const hit of Object.entries(item.fields).flatMap(([field, value]) => scanField(field, value))) {
            total++;
            if (findings.length < FINDINGS_KEPT) findings.push(toFinding(source.name, item, hit));
            else unkept[item.slug] = (unkept[item.slug] ?? 0) + 1;
          }
        }
        // The batch is already read (no statement stays open), so the pause can come between any two rows.
        if (sinceLastBytes >= PAUSE_BYTES) {
          sinceLastBytes = 0;
          yield;
        }
      }
    }
  }
  return { ran_at: started.toISOString(), ms: Math.round(performance.now() - t0), under, scanned, total, findings, unkept_by_slug: unkept };
}

function toFinding(source: string, item: ScanItem, hit: PhiHit): ScanFinding {
  return {
    source,
    slug: item.slug,
    version: item.version,
    field: item.label ? (source === 'attachment' ? item.label : `${item.label}: ${hit.field}`) : hit.field,
    line: hit.line,
    kind: hit.kind,
    rule: hit.rule ?? null,
    excerpt: hit.excerpt,
    purge: item.purgeable === false ? null : `/p/${encodeURIComponent(item.slug)}/history`,
  };
}

/** Runs the whole scan now, on this thread: for the CLI and the benchmark. */
export function scanNow(store: Store, mrnPatterns: string[], now: () => Date = () => new Date()): PhiScanResult {
  const steps = scanSteps(store, phiGuardFor(store, mrnPatterns), currentRules(store, mrnPatterns), now);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}
