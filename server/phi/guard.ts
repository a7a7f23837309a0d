import type { Store } from '../store/index.js';
import type { PhiRuleRow } from '../store/phi-rules.js';
import type { PhiHit, PhiKind, PhiScanner } from '../core/context.js';
import { RE2JS } from 're2js';
import { Scanner } from './scanner.js';
import { ValidationError } from '../core/errors.js';

/**
 * The PHI guard: build documentation must never hold a patient's identifiers. Every save (form, API,
 * import) is scanned; a likely identifier refuses the save with the field, line and kind named, and the
 * person's text is handed back untouched. Detectors are tuned to what patient data looks like next to
 * its label, so ordinary build facts (go-live dates, CHG tickets, BPA record IDs) pass.
 */

export type { PhiHit, PhiKind } from '../core/context.js';

/** The front matter fields that hold free text: checked on every save, and by the retro-scan in stored versions and drafts. */
export const PAGE_TEXT_FIELDS = ['title', 'why', 'module', 'requested_by', 'sponsor', 'records', 'tags'] as const;

interface CustomDetector {
  kind: PhiKind;
  re: RE2JS;
  rule?: string;
}

/** The longest excerpt shown: enough to find the place, never a whole paragraph. */
const EXCERPT_MAX = 60;

/**
 * Compiles an admin's or the configuration's pattern with RE2, which matches in time linear in the text
 * whatever the pattern: a pattern that would backtrack in JavaScript's engine cannot stall saves. RE2 has
 * no backreferences or look-around, so such patterns are refused with RE2's reason.
 */
function compile(pattern: string): RE2JS {
  return RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
}

/** Whether an admin's pattern can be used: a valid RE2 regular expression of sensible length. */
export function patternProblem(pattern: string): string | null {
  if (pattern.trim() === '' || pattern.length > 300) return 'A pattern is 1 to 300 characters.';
  try {
    if (compile(pattern).matcher('').find()) return 'This pattern matches empty text, so it would refuse every save.';
  } catch (e) {
    const reason = (e as Error).message.replace(/^error parsing regexp: /, '');
    return `This pattern cannot be used: ${reason}. Patterns are regular expressions without backreferences or look-around (\\1, (?=…), (?<=…)), so that checking a save always takes time in proportion to its length.`;
  }
  return null;
}

export class PhiGuard implements PhiScanner {
  private readonly custom: CustomDetector[];
  private readonly allow: string[];

  constructor(options: { mrnPatterns?: string[]; rules?: PhiRuleRow[] } = {}) {
    const rules = options.rules ?? [];
    this.custom = [
      ...(options.mrnPatterns ?? []).filter((p) => !patternProblem(p)).map((p) => ({ kind: 'medical record number' as const, re: compile(p) })),
      ...rules.filter((r) => r.kind === 'pattern' && !patternProblem(r.value)).map((r) => ({ kind: 'custom pattern' as const, re: compile(r.value), rule: r.label ?? r.value })),
    ];
    this.allow = rules.filter((r) => r.kind === 'allow').map((r) => r.value.toLowerCase());
  }

  /** Every likely identifier in the given fields; list fields are scanned item by item. */
  scan(fields: Record<string, unknown>): PhiHit[] {
    return this.scanWithSteps(fields).hits;
  }

  /** As scan, with the work the built-in detectors did (characters and tokens looked at), for tests and benchmarks. */
  scanWithSteps(fields: Record<string, unknown>): { hits: PhiHit[]; steps: number } {
    const hits: PhiHit[] = [];
    let steps = 0;
    for (const [field, value] of Object.entries(fields)) {
      const text = Array.isArray(value) ? value.filter((v) => typeof v === 'string').join('\n') : typeof value === 'string' ? value : '';
      if (!text) continue;
      const lineStarts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
      const seen = new Set<string>();
      const add = (kind: PhiKind, start: number, end: number, rule?: string) => {
        const found = text.slice(start, Math.min(end, start + 400));
        const lower = found.toLowerCase();
        if (this.allow.some((a) => lower.includes(a) || a.includes(lower))) return;
        // One hit per place: an SSN found by its label is not reported again as bare digits.
        const line = lineOf(lineStarts, start);
        const key = `${line}\u0000${kind}\u0000${rule ?? ''}`;
        if (seen.has(key)) return;
        seen.add(key);
        hits.push({ field, line, kind, rule, excerpt: mask(found.slice(0, EXCERPT_MAX)) });
      };
      const scanner = new Scanner(text);
      for (const f of scanner.scan()) add(f.kind, f.start, f.end);
      steps += scanner.steps;
      if (this.custom.length > 0) {
        const norm = scanner.normalized();
        for (const d of this.custom) {
          const m = d.re.matcher(norm.text);
          for (let from = 0; from <= norm.text.length && m.find(from); ) {
            const start = m.start();
            const end = m.end();
            if (end > start) add(d.kind, norm.orig[start]!, norm.orig[end]!, d.rule);
            from = end > start ? end : start + 1;
          }
        }
      }
    }
    return { hits, steps };
  }
}

function lineOf(lineStarts: number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

const LABEL_WORDS = new Set(['mrn', 'mr#', 'csn', 'har', 'email', 'e-mail', 'pt', 'pt.', 'account', 'hospital', 'encounter', 'dob', 'd.o.b.', 'ssn', 'ss#', 'patient', "patient's", 'name', 'medical', 'record', 'number', 'no.', 'num', 'born', 'on', 'date', 'of', 'birth', 'birthdate', 'social', 'security', 'is', 'was', 'named', 'mr.', 'mrs.', 'ms.', 'dr.']);

/** Keeps the label words ("MRN", "patient") and each other word's first letter; every digit becomes a dot. */
function mask(text: string): string {
  return text.replace(/[^\s:#=,-]+/g, (word) => {
    if (LABEL_WORDS.has(word.toLowerCase())) return word;
    return Array.from(word, (c, i) => (/\p{Nd}/u.test(c) || (i > 0 && /[\p{L}\p{M}]/u.test(c)) ? '•' : c)).join('');
  });
}

/** A save refused by the PHI guard; the person's text is handed back with each finding. */
export class PhiRefused extends ValidationError {
  constructor(readonly hits: PhiHit[]) {
    super(phiMessages(hits), 422);
    this.name = 'PhiRefused';
  }
}

/**
 * Every command that stores free text calls this before writing: it refuses (422, each field, line and
 * kind named) when the guard finds patient information, unless an admin overrode it with a reason.
 * Returns what was found, for the audit event of an override.
 */
export function refuseIfPhi(guard: PhiScanner | undefined, fields: Record<string, unknown>, override?: { reason: string }): PhiHit[] {
  if (!guard) return [];
  const hits = guard.scan(fields);
  if (hits.length > 0 && !override) throw new PhiRefused(hits);
  return hits;
}

/** The guard with this installation's configured MRN patterns and the admins' current rules. */
export function phiGuardFor(store: Store, mrnPatterns: string[]): PhiGuard {
  return new PhiGuard({ mrnPatterns, rules: store.phiRules.active() });
}

/** The words a person reads: one message per field, naming each line and kind. */
export function phiMessages(hits: PhiHit[]): { field: string; message: string }[] {
  const byField = new Map<string, PhiHit[]>();
  for (const h of hits) byField.set(h.field, [...(byField.get(h.field) ?? []), h]);
  // A text full of identifiers names the first few; the count says how many more there are.
  const SHOWN = 10;
  return [...byField].map(([field, list]) => ({
    field,
    message:
      `This looks like patient information, which must not be stored here: ` +
      list.slice(0, SHOWN).map((h) => `line ${h.line}: ${h.kind}${h.rule ? ` (${h.rule})` : ''} “${h.excerpt}”`).join('; ') +
      (list.length > SHOWN ? `; and ${list.length - SHOWN} more` : '') +
      '. Remove or de-identify it and save again; nothing was saved.',
  }));
}
