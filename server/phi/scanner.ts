import type { PhiKind } from '../core/context.js';
import { BUILD_WORDS, PATIENT_VOCABULARY, TEST_PATIENT_PREFIXES } from './forms.js';

/**
 * The built-in PHI detectors, written so that their cost is linear in the length of the text by
 * construction: the text is normalized and cut into tokens in one pass, and every detector then looks at
 * each token with a fixed, small look-ahead (at most LOOKAHEAD tokens). No regular expression runs over
 * the text, so no input shape can make a detector backtrack. Every token a detector looks at counts one
 * step, and every character normalized or tokenized counts one, so tests can check the work done.
 */

export type BuiltInKind = Exclude<PhiKind, 'custom pattern'>;

export interface Finding {
  kind: BuiltInKind;
  /** Offsets in the original text (UTF-16 code units), end exclusive. */
  start: number;
  end: number;
}

type TokenType = 'word' | 'num' | 'punct' | 'space';

/** The detectors, each called at every token: SSNs, MRNs and account numbers, dates of birth, phone numbers, patient names and e-mails. */
export const DETECTOR_NAMES = ['ssn', 'labelledNumber', 'dob', 'phone', 'patient'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

interface Token {
  type: TokenType;
  /** Offsets in the normalized text. */
  start: number;
  end: number;
  /** Lowercased text for words of a sensible length, the text itself otherwise ('' for long runs). */
  lower: string;
  text: string;
  newlines: number;
}

/** The longest label, filler run or date a detector reads past one token; the bound that keeps scans linear. */
const LOOKAHEAD = 24;
/** Words longer than this are never labels, months or names, so they are not copied or compared. */
const MAX_WORD = 40;

// ---------------------------------------------------------------------------------------------------------
// Normalization: NFKC per code point, every Unicode digit to its ASCII digit, dash variants to "-",
// typographic apostrophes to "'", invisible characters dropped; with a map back to the original offsets.

const DASHES = new Set(['\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\uFE58', '\uFE63', '\uFF0D', '\u2043']);
const APOSTROPHES = new Set(['\u2019', '\u2018', '\u02BC', '\u02BB', '\uFF07', '`', '\u00B4']);
const INVISIBLE = new Set(['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD']);
const nonAsciiCache = new Map<string, string>();

function unicodeDigit(cp: number): string | null {
  if (!/\p{Nd}/u.test(String.fromCodePoint(cp))) return null;
  // Decimal digits come in runs of ten starting at zero: walk back to the start of the run.
  let zero = cp;
  while (zero > cp - 60 && /\p{Nd}/u.test(String.fromCodePoint(zero - 1))) zero--;
  // Adjacent runs (mathematical digits) are whole tens, so the offset modulo ten is the value.
  return String((cp - zero) % 10);
}

function normalizeNonAscii(ch: string): string {
  const cached = nonAsciiCache.get(ch);
  if (cached !== undefined) return cached;
  let out: string;
  if (DASHES.has(ch)) out = '-';
  else if (APOSTROPHES.has(ch)) out = "'";
  else if (INVISIBLE.has(ch)) out = '';
  else {
    out = ch.normalize('NFKC');
    if (out.length <= 2) {
      const cp = out.codePointAt(0)!;
      if (cp > 127 && String.fromCodePoint(cp) === out) out = unicodeDigit(cp) ?? (DASHES.has(out) ? '-' : /\p{Zs}/u.test(out) ? ' ' : out);
    }
    // NFKC of a few symbols is long (ligatures, "㍻"); keep them short so the normalized text stays within a small multiple.
    if (out.length > 8) out = ch;
  }
  if (nonAsciiCache.size < 10_000) nonAsciiCache.set(ch, out);
  return out;
}

export class Scanner {
  /** Work done: characters normalized and tokenized, and tokens looked at by the detectors. */
  steps = 0;
  private norm = '';
  /** For each offset of the normalized text (and one past its end), the offset in the original text. */
  private orig: Int32Array = new Int32Array(1);
  private toks: Token[] = [];

  /** `only` runs a subset of the detectors (the benchmark times each alone). */
  constructor(
    private readonly text: string,
    private readonly only: readonly DetectorName[] = DETECTOR_NAMES,
  ) {}

  /** The normalized text with its map back to original offsets (for admins' patterns). */
  normalized(): { text: string; orig: Int32Array } {
    if (this.toks.length === 0 && this.norm === '') this.normalize();
    return { text: this.norm, orig: this.orig };
  }

  private normalize(): void {
    const text = this.text;
    const parts: string[] = [];
    let map = new Int32Array(text.length + 1);
    let o = 0;
    const need = (k: number) => {
      if (o + k + 1 <= map.length) return;
      const bigger = new Int32Array(Math.max(map.length * 2, o + k + 1));
      bigger.set(map);
      map = bigger;
    };
    for (let i = 0; i < text.length; ) {
      // A run of ASCII is copied as it is, its offsets unchanged.
      let j = i;
      while (j < text.length && text.charCodeAt(j) < 128) j++;
      if (j > i) {
        this.steps += j - i;
        parts.push(text.slice(i, j));
        need(j - i);
        for (let k = i; k < j; k++) map[o++] = k;
        i = j;
        if (i >= text.length) break;
      }
      this.steps++;
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      const out = normalizeNonAscii(ch);
      need(out.length);
      for (let k = 0; k < out.length; k++) map[o++] = i;
      parts.push(out);
      i += ch.length;
    }
    need(0);
    map[o] = text.length;
    this.norm = parts.length === 1 ? parts[0]! : parts.join('');
    this.orig = map.subarray(0, o + 1);
  }

  private tokenize(): void {
    const s = this.norm;
    const toks: Token[] = [];
    let i = 0;
    while (i < s.length) {
      const start = i;
      const c = s[i]!;
      let type: TokenType;
      let newlines = 0;
      if (isDigit(c)) {
        while (i < s.length && isDigit(s[i]!)) { i++; this.steps++; }
        type = 'num';
      } else if (isSpace(c)) {
        while (i < s.length && isSpace(s[i]!)) { if (s[i] === '\n') newlines++; i++; this.steps++; }
        type = 'space';
      } else if (isLetter(s, i)) {
        // A word: letters and combining marks, with apostrophes inside (O'Brien, patient's).
        while (i < s.length) {
          this.steps++;
          if (isLetter(s, i)) i += s.codePointAt(i)! > 0xffff ? 2 : 1;
          else if (s[i] === "'" && i + 1 < s.length && isLetter(s, i + 1)) i++;
          else break;
        }
        type = 'word';
      } else {
        i += s.codePointAt(i)! > 0xffff ? 2 : 1;
        this.steps++;
        type = 'punct';
      }
      const text = i - start <= MAX_WORD ? s.slice(start, i) : '';
      toks.push({ type, start, end: i, text, lower: type === 'word' ? text.toLowerCase() : text, newlines });
    }
    this.toks = toks;
  }

  /** Looks at token i: one step. */
  private t(i: number): Token | undefined {
    this.steps++;
    return this.toks[i];
  }

  scan(): Finding[] {
    this.normalize();
    this.tokenize();
    const found: Finding[] = [];
    const n = this.toks.length;
    for (let i = 0; i < n; i++) {
      if (this.only === DETECTOR_NAMES) {
        // Direct calls: the loop below is the hot path of every save.
        const a = this.ssn(i) ?? this.labelledNumber(i) ?? this.dob(i);
        if (a) found.push(a);
        const b = this.phone(i);
        if (b) found.push(b);
        const c = this.patient(i);
        if (c) found.push(c);
        continue;
      }
      for (const name of this.only) {
        const f = this[name](i);
        if (f) found.push(f);
      }
    }
    return found;
  }

  private finding(kind: BuiltInKind, from: number, to: number): Finding {
    return { kind, start: this.orig[this.toks[from]!.start]!, end: this.orig[this.toks[to - 1]!.end]! };
  }

  // -------------------------------------------------------------------------------------------------------
  // Small readers. Each returns the index after what it read, or -1.

  private word(i: number, ...words: string[]): number {
    const t = this.t(i);
    return t?.type === 'word' && words.includes(t.lower) ? i + 1 : -1;
  }

  private punct(i: number, chars: string): number {
    const t = this.t(i);
    return t?.type === 'punct' && chars.includes(t.text) ? i + 1 : -1;
  }

  /** A short gap between words on one line (or across one line break when allowed). */
  private gap(i: number, maxNewlines = 0): number {
    const t = this.t(i);
    return t?.type === 'space' && t.newlines <= maxNewlines && (t.newlines > 0 || t.end - t.start <= 3) ? i + 1 : -1;
  }

  private optGap(i: number): number {
    const g = this.gap(i);
    return g < 0 ? i : g;
  }

  private num(i: number, minLen: number, maxLen: number): number {
    const t = this.t(i);
    return t?.type === 'num' && t.end - t.start >= minLen && t.end - t.start <= maxLen ? i + 1 : -1;
  }

  private numText(i: number): string {
    return this.toks[i]?.text ?? '';
  }

  /**
   * Skips what sits between a label and its value: spaces (one line break at most), the punctuation of
   * "MRN: ", "MRN #", "| MRN | … |", "(MRN)", and the given connecting words. Bounded by LOOKAHEAD.
   */
  private filler(i: number, chars: string, words: Set<string>): number {
    let j = i;
    for (let k = 0; k < LOOKAHEAD; k++, j++) {
      const t = this.t(j);
      if (!t) return j;
      if (t.type === 'space' && t.newlines <= 1) continue;
      if (t.type === 'punct' && chars.includes(t.text)) continue;
      if (t.type === 'word' && words.has(t.lower)) continue;
      return j;
    }
    return -1;
  }

  /** Whether token i is glued to a word, number, or number-joining punctuation on its left. */
  private gluedLeft(i: number): boolean {
    const p = this.t(i - 1);
    if (!p || p.type === 'space') return false;
    if (p.type === 'word' || p.type === 'num') return true;
    if ('-./'.includes(p.text)) {
      const pp = this.t(i - 2);
      return !!pp && (pp.type === 'word' || pp.type === 'num');
    }
    return p.text === '_' || p.text === '+' || p.text === '@';
  }

  /** Whether what ends before token j continues into more digits or letters (so it is part of something longer). */
  private gluedRight(j: number): boolean {
    const t = this.t(j);
    if (!t || t.type === 'space') return false;
    if (t.type === 'word' || t.type === 'num') return true;
    if ('-./'.includes(t.text) || t.text === '_') {
      const nx = this.t(j + 1);
      return !!nx && (nx.type === 'num' || (nx.type === 'word' && t.text !== '.'));
    }
    return false;
  }

  // -------------------------------------------------------------------------------------------------------
  // Social Security numbers

  /** 3-2-4 digits in SSA's issued ranges, one separator repeated (or none); returns the end or -1. */
  private ssnDigits(i: number, allowNone: boolean): number {
    const a = this.num(i, 3, 9);
    if (a < 0) return -1;
    const first = this.numText(i);
    if (first.length === 9) return allowNone && validSsn(first.slice(0, 3), first.slice(3, 5), first.slice(5)) ? a : -1;
    if (first.length !== 3) return -1;
    const sep = this.t(a);
    if (!sep) return -1;
    const sepText = sep.type === 'space' ? (sep.end - sep.start === 1 && sep.newlines === 0 ? ' ' : '') : sep.type === 'punct' ? sep.text : '';
    if (!['-', ' ', '.'].includes(sepText)) return -1;
    if (this.num(a + 1, 2, 2) < 0) return -1;
    const sep2 = this.t(a + 2);
    const sep2Text = sep2?.type === 'space' ? (sep2.end - sep2.start === 1 && sep2.newlines === 0 ? ' ' : '') : sep2?.type === 'punct' ? sep2.text : '';
    if (sep2Text !== sepText || this.num(a + 3, 4, 4) < 0) return -1;
    return validSsn(first, this.numText(a + 1), this.numText(a + 3)) ? a + 4 : -1;
  }

  ssn(i: number): Finding | null {
    const t = this.toks[i]!;
    if (t.type === 'num') {
      if (this.gluedLeft(i)) return null;
      const end = this.ssnDigits(i, false);
      return end > 0 && !this.gluedRight(end) ? this.finding('Social Security number', i, end) : null;
    }
    if (t.type !== 'word' || !SSN_LABEL_START.has(t.lower) || this.gluedLeft(i)) return null;
    let j = this.word(i, 'ssn', 'ss', 'ssns');
    if (j > 0 && t.lower === 'ss') j = this.punct(j, '#');
    if (j < 0) {
      j = this.word(i, 'social', 'soc');
      if (j > 0 && this.punct(j, '.') > 0) j++;
      if (j > 0) j = this.gap(j);
      if (j > 0) j = this.word(j, 'security', 'sec');
    }
    if (j < 0) return null;
    const v = this.filler(j, ':#=-()|.,', SSN_FILLER);
    if (v < 0) return null;
    const end = this.ssnDigits(v, true);
    return end > 0 && !this.gluedRight(end) ? this.finding('Social Security number', i, end) : null;
  }

  // -------------------------------------------------------------------------------------------------------
  // Medical record numbers and account numbers

  private mrnLabel(i: number): number {
    const t = this.toks[i]!;
    if (t.type !== 'word') return -1;
    switch (t.lower) {
      case 'mrn':
      case 'mrns':
      case 'medrec':
        return i + 1;
      case 'mr': {
        // "MR#", "MR #", "MR no.", "MR number" (plain "Mr. Smith" is a title, not a label).
        const j = this.optGap(i + 1);
        if (this.punct(j, '#') > 0) return j + 1;
        return this.word(j, 'no', 'num', 'number', 'nbr');
      }
      case 'med': {
        let j = this.punct(i + 1, '.');
        j = this.gap(j < 0 ? i + 1 : j);
        return j < 0 ? -1 : this.word(j, 'rec');
      }
      case 'medical': {
        const j = this.gap(i + 1);
        const k = j < 0 ? -1 : this.word(j, 'record', 'records', 'rec');
        return k > 0 && this.punct(k, '.') > 0 ? k + 1 : k;
      }
      default:
        return -1;
    }
  }

  private accountLabel(i: number): number {
    const t = this.toks[i]!;
    if (t.type !== 'word') return -1;
    if (t.lower === 'csn' || t.lower === 'har') return i + 1;
    if (t.lower === 'hospital' || t.lower === 'encounter' || t.lower === 'enc') {
      const j = this.gap(i + 1);
      const k = j < 0 ? -1 : t.lower === 'hospital' ? this.word(j, 'account', 'acct') : i + 1;
      if (k < 0) return -1;
      // The label needs its number word: "hospital account 6100" may be a ledger, "hospital account # 6100" is not.
      const m = this.optGap(k);
      if (this.punct(m, '#') > 0) return m + 1;
      return this.word(m, 'number', 'no', 'num', 'nbr', 'csn', 'id');
    }
    return -1;
  }

  /** An identifier after a label: up to three letters, then digit groups joined by dashes, at least four digits. */
  private recordValue(i: number): number {
    let j = i;
    const p = this.t(j);
    if (p?.type === 'word' && p.text.length <= 3 && /^[A-Z]+$/.test(p.text) && this.t(j + 1)?.type === 'num') j++;
    let digits = 0;
    for (let g = 0; g < 5; g++) {
      const n = this.t(j);
      if (n?.type !== 'num') return -1;
      digits += n.end - n.start;
      j++;
      if (this.punct(j, '-') > 0 && this.t(j + 1)?.type === 'num') j++;
      else break;
    }
    return digits >= 4 && this.t(j)?.type !== 'word' ? j : -1;
  }

  labelledNumber(i: number): Finding | null {
    const t = this.toks[i]!;
    if (t.type !== 'word' || !RECORD_LABEL_START.has(t.lower) || this.gluedLeft(i)) return null;
    for (const [kind, label] of [['medical record number', this.mrnLabel(i)], ['account number', this.accountLabel(i)]] as const) {
      if (label < 0) continue;
      const v = this.filler(label, ':#=-()|.,', RECORD_FILLER);
      if (v < 0) continue;
      const end = this.recordValue(v);
      if (end > 0) return this.finding(kind, i, end);
    }
    return null;
  }

  // -------------------------------------------------------------------------------------------------------
  // Dates of birth

  private dobLabel(i: number): number {
    const t = this.toks[i]!;
    if (t.type !== 'word') return -1;
    switch (t.lower) {
      case 'dob':
      case 'birthdate':
      case 'birthday':
      case 'born':
        return i + 1;
      case 'd': {
        // D.O.B.
        let j = this.punct(i + 1, '.');
        if (j > 0) j = this.word(j, 'o');
        if (j > 0) j = this.punct(j, '.');
        if (j > 0) j = this.word(j, 'b');
        return j;
      }
      case 'date': {
        let j = this.gap(i + 1);
        if (j > 0) j = this.word(j, 'of');
        if (j > 0) j = this.gap(j);
        return j > 0 ? this.word(j, 'birth') : -1;
      }
      case 'birth': {
        const j = this.gap(i + 1);
        return j > 0 ? this.word(j, 'date') : -1;
      }
      default:
        return -1;
    }
  }

  private month(i: number): number {
    const t = this.t(i);
    if (t?.type !== 'word' || !MONTHS.has(t.lower)) return -1;
    return this.punct(i + 1, '.') > 0 ? i + 2 : i + 1;
  }

  /** "2nd", "2 ", "the 2nd of": a day of the month, with its ordinal suffix. */
  private day(i: number): number {
    if (this.num(i, 1, 2) < 0) return -1;
    const d = Number(this.numText(i));
    if (d < 1 || d > 31) return -1;
    return this.word(i + 1, 'st', 'nd', 'rd', 'th') > 0 ? i + 2 : i + 1;
  }

  /** Numeric, ISO, compact, "2 January 1980", "January 2, 1980", "Jan 2 1980", "02-JAN-1980". */
  private date(i: number): number {
    const t = this.t(i);
    if (!t) return -1;
    if (t.type === 'num') {
      const len = t.end - t.start;
      if (len === 8) return i + 1;
      const sep = this.t(i + 1);
      if (sep?.type === 'punct' && '/.-'.includes(sep.text)) {
        // 01/02/1980, 1/2/80, 1980-01-02, 02.01.1980, 02-JAN-1980
        if (len <= 2 && this.num(i + 2, 1, 2) > 0 && this.punct(i + 3, '/.-') > 0 && this.num(i + 4, 2, 4) > 0 && this.numText(i + 4).length !== 3) return i + 5;
        if (len === 4 && this.num(i + 2, 1, 2) > 0 && this.punct(i + 3, '/.-') > 0 && this.num(i + 4, 1, 2) > 0) return i + 5;
        if (len <= 2 && this.month(i + 2) > 0) {
          const m = this.month(i + 2);
          return this.punct(m, '/.-') > 0 && this.num(m + 1, 2, 4) > 0 ? m + 2 : -1;
        }
        return -1;
      }
      // 2 January 1980, 2nd of January, 1980
      let j = this.day(i);
      if (j < 0) return -1;
      j = this.optGap(j);
      if (this.word(j, 'of') > 0) j = this.optGap(j + 1);
      const m = this.month(j);
      if (m < 0) return -1;
      return this.year(m);
    }
    if (t.type === 'word') {
      if (t.lower === 'the') {
        const g = this.gap(i + 1);
        return g > 0 && this.t(g)?.type === 'num' ? this.date(g) : -1;
      }
      // January 2, 1980; Jan 2 1980
      const m = this.month(i);
      if (m < 0) return -1;
      const g = this.gap(m);
      if (g < 0) return -1;
      const d = this.day(g);
      return d < 0 ? -1 : this.year(d);
    }
    return -1;
  }

  private year(i: number): number {
    let j = this.punct(i, ',');
    j = this.optGap(j < 0 ? i : j);
    return this.num(j, 4, 4) > 0 ? j + 1 : -1;
  }

  dob(i: number): Finding | null {
    const t = this.toks[i]!;
    if (t.type !== 'word' || !DOB_LABEL_START.has(t.lower) || this.gluedLeft(i)) return null;
    const label = this.dobLabel(i);
    if (label < 0) return null;
    const v = this.filler(label, ':=-()|,.', DOB_FILLER);
    if (v < 0) return null;
    const end = this.date(v);
    return end > 0 && this.t(end)?.type !== 'num' ? this.finding('date of birth', i, end) : null;
  }

  // -------------------------------------------------------------------------------------------------------
  // Phone numbers (North American numbering)

  private phoneSep(i: number): number {
    const t = this.t(i);
    if (t?.type === 'punct' && '-.'.includes(t.text)) return i + 1;
    return t?.type === 'space' && t.newlines === 0 && t.end - t.start === 1 ? i + 1 : -1;
  }

  phone(i: number): Finding | null {
    const t = this.toks[i]!;
    if (t.type === 'word' || t.type === 'space' || (t.type === 'punct' && t.text !== '+' && t.text !== '(')) return null;
    if (this.gluedLeft(i)) return null;
    let j = i;
    // +1, 1-, 1 (country code)
    if (t.type === 'punct' && t.text === '+') {
      if (this.num(i + 1, 1, 1) < 0 || this.numText(i + 1) !== '1') {
        // +16085550142
        return this.num(i + 1, 11, 11) > 0 && this.numText(i + 1).startsWith('1') && /^[2-9]/.test(this.numText(i + 1).slice(1)) && !this.gluedRight(i + 2) ? this.finding('phone number', i, i + 2) : null;
      }
      j = this.phoneSep(i + 2);
      if (j < 0) j = i + 2;
    } else if (t.type === 'num' && t.text === '1' && this.phoneSep(i + 1) > 0) {
      j = this.phoneSep(i + 1);
    } else if (t.type !== 'num' && !(t.type === 'punct' && t.text === '(')) return null;
    // Area code: (608) or 608 followed by a separator.
    let k: number;
    const open = this.t(j);
    if (open?.type === 'punct' && open.text === '(') {
      if (this.num(j + 1, 3, 3) < 0 || this.punct(j + 2, ')') < 0) return null;
      if (!/^[2-9]/.test(this.numText(j + 1))) return null;
      // (608) 555-0142, (608)555-0142, (608)-555-0142
      k = this.punct(j + 3, '-.') > 0 ? j + 4 : this.optGap(j + 3);
    } else {
      if (this.num(j, 3, 3) < 0 || !/^[2-9]/.test(this.numText(j))) return null;
      k = this.phoneSep(j + 1);
      if (k < 0) return null;
    }
    if (this.num(k, 3, 3) < 0) return null;
    const s = this.phoneSep(k + 1);
    if (s < 0 || this.num(s, 4, 4) < 0 || this.gluedRight(s + 1)) return null;
    return this.finding('phone number', i, s + 1);
  }

  // -------------------------------------------------------------------------------------------------------
  // Patient names and e-mail addresses

  patient(i: number): Finding | null {
    const t = this.toks[i]!;
    if (t.type !== 'word' || !PATIENT_WORDS.has(t.lower)) return null;
    const isPt = t.lower.startsWith('pt');
    // "PT" is physical therapy; "12 pt Arial" is a font size.
    if (isPt && (t.text.startsWith('PT') || this.t(i - 2)?.type === 'num')) return null;
    const first = i + 1;
    if (this.patientVocabulary(first)) return null;
    let j = first;
    if (isPt && this.punct(j, '.') > 0) j++;
    let labelled = false;
    let nameWord = false;
    let verb = false;
    let calledBy = false;
    let comma = false;
    // Filler: "patient: ", "patient name: ", "patient's name is ", "a patient named ", "| Patient | ".
    for (let k = 0; k < LOOKAHEAD; k++) {
      const f = this.t(j);
      if (!f) return null;
      // Long runs of spaces are table columns ("pt          Security"), unless a label came first ("Patient:     John Smith").
      if (f.type === 'space' && f.newlines === 0 && (f.end - f.start <= 3 || labelled)) { j++; continue; }
      // A dash between spaces works like a colon: "patient name - John Smith".
      const spacedDash = f.type === 'punct' && f.text === '-' && this.t(j - 1)?.type === 'space' && this.t(j + 1)?.type === 'space';
      if (spacedDash || (f.type === 'punct' && ':=|(,'.includes(f.text))) {
        if (f.text === ',') comma = true;
        else if (f.text !== '(') labelled = true;
        j++;
        continue;
      }
      if (f.type === 'word' && NAME_FILLER.has(f.lower)) {
        // "patient named X", "patient's name is X", "patient name: X" name one word; "Patient Name Change" does not.
        if (f.lower.startsWith('name')) nameWord = true;
        if (f.lower === 'named' || f.lower === 'called') calledBy = true;
        if (f.lower === 'is' || f.lower === 'was') verb = true;
        j++;
        continue;
      }
      break;
    }
    if (this.emailWord(j)) return this.email(i, j);
    const named = calledBy || (nameWord && (labelled || verb));
    // Title: Mr, Mrs., Ms, Miss, Dr, Mx
    let titled = false;
    const title = this.t(j);
    if (title?.type === 'word' && TITLES.has(title.lower)) {
      let k = j + 1;
      if (this.punct(k, '.') > 0) k++;
      const g = this.gap(k);
      if (g > 0) { titled = true; j = g; }
    }
    // Name-shaped words up to the first build word: "Jane Doe Consent Form" is Jane Doe's form.
    const start = j;
    let count = 0;
    let end = -1;
    let commaUsed = false;
    let caps = 0;
    for (let w = 0; w < 5; w++) {
      // A middle initial ("John A. Smith") belongs to the name without counting as a word of it.
      const ini = this.t(j);
      if (count > 0 && ini?.type === 'word' && ini.text.length === 1 && ini.text !== ini.text.toLowerCase() && this.punct(j + 1, '.') > 0) {
        const g = this.gap(j + 2);
        if (g < 0) break;
        j = g;
        continue;
      }
      const nw = this.nameWord(j, labelled);
      if (nw < 0) break;
      if (this.toks[j]!.text.toUpperCase() === this.toks[j]!.text) caps++;
      count++;
      end = nw;
      // Between words: one short space, or a comma (Last, First) once.
      const c = this.punct(nw, ',');
      if (c > 0 && !commaUsed && count === 1) { commaUsed = true; j = this.optGap(c); continue; }
      const g = this.gap(nw);
      if (g < 0) break;
      j = g;
    }
    if (count === 0) return null;
    // All-capital names only in Epic's LAST,FIRST form: capitals are otherwise acronyms.
    if (caps > 0 && !(commaUsed && caps === count)) return null;
    if (TEST_PATIENT_PREFIXES.some((p) => this.toks[start]!.lower.startsWith(p))) return null;
    // "For each patient, Nursing Leadership reviews…": after a comma only a title ("the patient, Mrs. Okafor") marks a name.
    // An appositive ("the patient, John Smith, fell") closes with punctuation; a sentence goes on with a verb.
    const after = this.t(end);
    const closed = !after || (after.type === 'punct' && ',;)'.includes(after.text)) || (after.type === 'space' && after.newlines > 0);
    if (comma && !titled && !labelled && !named && !(count >= 2 && closed)) return null;
    if (count >= 2 || titled || named) return this.finding('patient name', i, end);
    return null;
  }

  /** Whether the words after "patient" are one of the Epic/Workday phrases (longest phrase has 6 words). */
  private patientVocabulary(i: number): boolean {
    let j = this.gap(i);
    if (j < 0) {
      // "Patient-Controlled Analgesia"
      if (this.punct(i, '-') < 0) return false;
      j = i + 1;
    }
    // Words joined by spaces or hyphens: "Check-In" and "Check In" are the same phrase.
    let phrase = '';
    for (let w = 0; w < 6; w++) {
      const t = this.t(j);
      if (t?.type !== 'word' || t.text === '') return false;
      phrase += (phrase ? ' ' : '') + t.lower;
      if (VOCAB_PHRASES.has(phrase)) return true;
      const nx = this.punct(j + 1, '-') > 0 ? j + 2 : this.gap(j + 1);
      if (nx < 0) return false;
      j = nx;
    }
    return false;
  }

  private nameWord(i: number, labelled: boolean): number {
    const t = this.t(i);
    if (t?.type !== 'word' || t.text.length < 2 || t.text === '') return -1;
    const first = t.text[0]!;
    if (first.toUpperCase() !== first || first.toLowerCase() === first) return -1;
    const allCaps = t.text.toUpperCase() === t.text;
    if (allCaps && !labelled) return -1;
    if (NOT_NAME_WORDS.has(t.lower)) return -1;
    // Smith-Jones
    if (this.punct(i + 1, '-') > 0) {
      const nx = this.t(i + 2);
      if (nx?.type === 'word' && nx.text[0] && nx.text[0] !== nx.text[0].toLowerCase() && !NOT_NAME_WORDS.has(nx.lower)) return i + 3;
    }
    return i + 1;
  }

  private emailWord(i: number): boolean {
    const t = this.t(i);
    if (t?.type !== 'word') return false;
    if (t.lower === 'email' || t.lower === 'mail') return true;
    return t.lower === 'e' && this.punct(i + 1, '-') > 0 && this.word(i + 2, 'mail') > 0;
  }

  /** After "patient e-mail": an address within the look-ahead. */
  private email(from: number, i: number): Finding | null {
    for (let j = i; j < i + LOOKAHEAD; j++) {
      const t = this.t(j);
      if (!t || (t.type === 'space' && t.newlines > 0)) return null;
      if (t.type === 'punct' && t.text === '@') {
        const before = this.t(j - 1);
        const after = this.t(j + 1);
        if (before && after && (before.type === 'word' || before.type === 'num') && after.type === 'word' && this.punct(j + 2, '.') > 0) {
          return this.finding('e-mail address', from, j + 4 > this.toks.length ? this.toks.length : j + 4);
        }
        return null;
      }
    }
    return null;
  }
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f' || c === '\v';
}

const LETTER = /[\p{L}\p{M}]/u;
function isLetter(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  if (c < 128) return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  return LETTER.test(String.fromCodePoint(s.codePointAt(i)!));
}

/** SSA never issues area 000, 666 or 900–999, group 00 or serial 0000. */
function validSsn(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

const RECORD_LABEL_START = new Set(['mrn', 'mrns', 'medrec', 'mr', 'med', 'medical', 'csn', 'har', 'hospital', 'encounter', 'enc']);
const DOB_LABEL_START = new Set(['dob', 'birthdate', 'birthday', 'born', 'd', 'date', 'birth']);
const SSN_LABEL_START = new Set(['ssn', 'ss', 'ssns', 'social', 'soc']);
const SSN_FILLER = new Set(['is', 'was', 'number', 'no', 'num', 'nbr', 'ssn', 'of', 'the']);
const RECORD_FILLER = new Set(['is', 'was', 'of', 'number', 'no', 'num', 'nbr', 'mrn', 'id', 'the', 'csn', 'har']);
const DOB_FILLER = new Set(['is', 'was', 'on', 'of', 'dob', 'the', 'date']);
const NAME_FILLER = new Set(['name', 'names', 'is', 'was', 'named', 'called', 'full', 'legal', 'last', 'first', 'nm']);
const PATIENT_WORDS = new Set(['patient', "patient's", 'pt', "pt's"]);
const TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'dr', 'mx', 'mister']);
const MONTHS = new Set(['jan', 'january', 'feb', 'february', 'mar', 'march', 'apr', 'april', 'may', 'jun', 'june', 'jul', 'july', 'aug', 'august', 'sep', 'sept', 'september', 'oct', 'october', 'nov', 'november', 'dec', 'december']);

const VOCAB_PHRASES = new Set(PATIENT_VOCABULARY.map((p) => p.toLowerCase().replace(/^patient[ -]/, '').replace(/-/g, ' ')));
/** Words that end a run of name-shaped words; "Bill" stays a name ("Patient Bill of Rights" is matched as a phrase). */
const NOT_NAME_WORDS = new Set(
  [...PATIENT_VOCABULARY.flatMap((p) => p.split(/[\s-]+/).slice(1)), ...BUILD_WORDS]
    .map((w) => w.toLowerCase())
    .filter((w) => !['bill', 'and', 'of'].includes(w)),
);

/** Every built-in finding in the text, and the work it took. */
export function scanBuiltIn(text: string): { findings: Finding[]; steps: number } {
  const s = new Scanner(text);
  const findings = s.scan();
  return { findings, steps: s.steps };
}

