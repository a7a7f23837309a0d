import type { Store } from '../store/index.js';
import type { PhiRuleRow } from '../store/phi-rules.js';
import type { PhiHit, PhiKind, PhiScanner } from '../core/context.js';

/**
 * The PHI guard: build documentation must never hold a patient's identifiers. Every save (form, API,
 * import) is scanned; a likely identifier refuses the save with the field, line and kind named, and the
 * person's text is handed back untouched. Detectors are tuned to what patient data looks like next to
 * its label, so ordinary build facts (go-live dates, CHG tickets, BPA record IDs) pass.
 */

export type { PhiHit, PhiKind } from '../core/context.js';

interface Detector {
  kind: PhiKind;
  re: RegExp;
  rule?: string;
  /** Further check on a match (e.g. a capitalised phrase that is a product word, not a name). */
  accept?: (m: RegExpExecArray) => boolean;
}

const MONTH = '(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';
const DATE = `(?:\\d{1,2}[/.-]\\d{1,2}[/.-]\\d{2,4}|\\d{4}-\\d{1,2}-\\d{1,2}|${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?,?\\s+\\d{4}|\\d{1,2}(?:st|nd|rd|th)?\\s+${MONTH},?\\s+\\d{4})`;
/** SSA never issues area 000, 666 or 900–999, group 00 or serial 0000. */
const SSN_DIGITS = '(?!000|666|9\\d\\d)\\d{3}([- ])(?!00)\\d{2}\\1(?!0000)\\d{4}';
const SSN_LABELLED = '(?:SSN|SS#|social\\s+security(?:\\s+(?:number|no\\.?|#))?)\\s*(?:is|was|[:#=-])?\\s*(?!000|666|9\\d\\d)\\d{3}[- ]?(?!00)\\d{2}[- ]?(?!0000)\\d{4}';

/** Capitalised words that follow "patient" in build documentation without being anybody's name. */
const NOT_NAMES = new Set(
  ('Access Account Accounts Advocacy Alert Alerts App Arrival Banner Bed Billing Care Chart Class Classes Communication Communications Contact Demographics ' +
    'Education Encounter Entry Estimate Estimates Experience Family Financial Flow Friendly Header Identification Info Information Instructions Intake ' +
    'Label Labels List Lists Location Lookup Monitoring Movement Navigator Outreach Portal Preferences Questionnaire Record Records Registration ' +
    'Relations Report Reports Safety Search Services Station Status Summary Track Tracking Transport Type Types Wristband Wristbands Services')
    .split(' '),
);

const DEFAULT_DETECTORS: Detector[] = [
  { kind: 'Social Security number', re: new RegExp(`\\b${SSN_LABELLED}\\b`, 'giu') },
  { kind: 'Social Security number', re: new RegExp(`(?<![\\w-])${SSN_DIGITS}(?![\\w-])`, 'gu') },
  { kind: 'medical record number', re: /\b(?:MRN|medical\s+record(?:\s+(?:number|no\.?|num|#))?)\s*(?:is|was|of|[:#=-])?\s*#?\s*[A-Z]{0,3}\d[\d-]{3,14}\b/giu },
  { kind: 'date of birth', re: new RegExp(`\\b(?:DOB|D\\.O\\.B\\.?|date\\s+of\\s+birth|birth\\s*date|born(?:\\s+on)?)\\s*(?:is|was|[:=-])?\\s*${DATE}`, 'giu') },
  { kind: 'phone number', re: /(?<![\w-])(?:\+?1[ .-]?)?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[ .-])\d{3}[ .-]\d{4}(?![\w-])/gu },
  {
    kind: 'patient name',
    re: /\b[Pp]atient(?:'s|’s)?(?:\s+name)?(?:\s*[:=-]\s*|\s+(?:is\s+|was\s+|named\s+|called\s+)?)(?:(?:Mr|Mrs|Ms|Miss|Dr)\.?\s+)?([A-Z][a-z'’-]+(?:,?\s+[A-Z][a-z'’-]+){1,2})\b/gu,
    accept: (m) => !NOT_NAMES.has(m[1]!.split(/[\s,]+/)[0]!) && !m[1]!.split(/[\s,]+/).slice(1).every((w) => NOT_NAMES.has(w)),
  },
];


/** Whether an admin's pattern can be used: a valid regular expression of sensible length. */
export function patternProblem(pattern: string): string | null {
  if (pattern.trim() === '' || pattern.length > 300) return 'A pattern is 1 to 300 characters.';
  try {
    const re = new RegExp(pattern, 'iu');
    if (re.test('')) return 'This pattern matches empty text, so it would refuse every save.';
  } catch (e) {
    return `This is not a regular expression: ${(e as Error).message}`;
  }
  return null;
}

export class PhiGuard implements PhiScanner {
  private readonly detectors: Detector[];
  private readonly allow: string[];

  constructor(options: { mrnPatterns?: string[]; rules?: PhiRuleRow[] } = {}) {
    const rules = options.rules ?? [];
    this.detectors = [
      ...DEFAULT_DETECTORS,
      ...(options.mrnPatterns ?? []).map((p) => ({ kind: 'medical record number' as const, re: new RegExp(p, 'giu') })),
      ...rules.filter((r) => r.kind === 'pattern' && !patternProblem(r.value)).map((r) => ({ kind: 'custom pattern' as const, re: new RegExp(r.value, 'giu'), rule: r.label ?? r.value })),
    ];
    this.allow = rules.filter((r) => r.kind === 'allow').map((r) => r.value.toLowerCase());
  }

  /** Every likely identifier in the given fields; list fields are scanned item by item. */
  scan(fields: Record<string, unknown>): PhiHit[] {
    const hits: PhiHit[] = [];
    for (const [field, value] of Object.entries(fields)) {
      const text = Array.isArray(value) ? value.filter((v) => typeof v === 'string').join('\n') : typeof value === 'string' ? value : '';
      if (!text) continue;
      for (const d of this.detectors) {
        d.re.lastIndex = 0;
        for (let m = d.re.exec(text); m; m = d.re.exec(text)) {
          if (m[0] === '') {
            d.re.lastIndex++;
            continue;
          }
          if (d.accept && !d.accept(m)) continue;
          const found = m[0].toLowerCase();
          if (this.allow.some((a) => found.includes(a) || a.includes(found))) continue;
          // One hit per place: an SSN found by its label is not reported again as bare digits.
          const line = text.slice(0, m.index).split('\n').length;
          if (hits.some((h) => h.field === field && h.line === line && h.kind === d.kind)) continue;
          hits.push({ field, line, kind: d.kind, rule: d.rule, excerpt: mask(m[0]) });
        }
      }
    }
    return hits;
  }
}

const LABEL_WORDS = new Set(['mrn', 'dob', 'd.o.b.', 'ssn', 'ss#', 'patient', "patient's", 'name', 'medical', 'record', 'number', 'no.', 'num', 'born', 'on', 'date', 'of', 'birth', 'birthdate', 'social', 'security', 'is', 'was', 'named', 'mr.', 'mrs.', 'ms.', 'dr.']);

/** Keeps the label words ("MRN", "patient") and each other word's first letter; every digit becomes a dot. */
function mask(text: string): string {
  return text.replace(/[^\s:#=,-]+/g, (word) => {
    if (LABEL_WORDS.has(word.toLowerCase())) return word;
    return word.replace(/\d/g, '•').replace(/(?<=^[^•])[A-Za-z]|(?<=.)[A-Za-z]/g, '•');
  });
}

/** The guard with this installation's configured MRN patterns and the admins' current rules. */
export function phiGuardFor(store: Store, mrnPatterns: string[]): PhiGuard {
  return new PhiGuard({ mrnPatterns, rules: store.phiRules.active() });
}

/** The words a person reads: one message per field, naming each line and kind. */
export function phiMessages(hits: PhiHit[]): { field: string; message: string }[] {
  const byField = new Map<string, PhiHit[]>();
  for (const h of hits) byField.set(h.field, [...(byField.get(h.field) ?? []), h]);
  return [...byField].map(([field, list]) => ({
    field,
    message:
      `This looks like patient information, which must not be stored here: ` +
      list.map((h) => `line ${h.line}: ${h.kind}${h.rule ? ` (${h.rule})` : ''} “${h.excerpt}”`).join('; ') +
      '. Remove or de-identify it and save again; nothing was saved.',
  }));
}
