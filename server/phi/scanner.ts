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

/**
 * The detectors, each called at every token: SSNs, MRNs and account numbers, dates of birth, phone numbers,
 * names after "patient" and e-mails, names that clinical context marks as a patient's, and home addresses.
 */
export const DETECTOR_NAMES = ['ssn', 'labelledNumber', 'dob', 'phone', 'patient', 'person', 'address'] as const;
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
        // Direct calls: the loop below is the hot path of every save. No detector starts at a space, and
        // only a phone number ("+1 …", "(608) …") starts at punctuation.
        const tok = this.toks[i]!;
        if (tok.type === 'space') continue;
        if (tok.type === 'punct') {
          const p = this.phone(i);
          if (p) found.push(p);
          continue;
        }
        // Most words start nothing but a possible "Last, First" (whose own first test is cheap).
        if (tok.type === 'word' && !START_WORDS.has(tok.lower)) {
          const c = this.lastFirst(i);
          if (c) found.push(c);
          continue;
        }
        const a = this.ssn(i) ?? this.labelledNumber(i) ?? this.dob(i);
        if (a) found.push(a);
        const b = this.phone(i) ?? this.address(i);
        if (b) found.push(b);
        const c = this.patient(i) ?? this.person(i);
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
    if (t.text === 'FIN') {
      // Cerner's financial number: "FIN#", "FIN # …", or FIN with a long number ("FIN 2024" is the finance team's year).
      const j = this.optGap(i + 1);
      if (this.punct(j, '#') > 0) return j + 1;
      return this.num(j, 7, 12) > 0 ? i + 1 : -1;
    }
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
      case 'b':
        // "b. 3/14/1952": the abbreviation, lowercase with its dot; the date must follow directly.
        return t.text === 'b' && this.punct(i + 1, '.') > 0 && this.t(this.optGap(i + 2))?.type === 'num' ? i + 2 : -1;
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

  /** A four-digit year, or a two-digit one ("DOB 14 Mar 52") when it ends the date. */
  private year(i: number): number {
    let j = this.punct(i, ',');
    j = this.optGap(j < 0 ? i : j);
    if (this.num(j, 4, 4) > 0) return j + 1;
    // Not a time ("March 14, 12:30") nor the start of something longer.
    return this.num(j, 2, 2) > 0 && !this.gluedRight(j + 1) && this.punct(j + 1, ':') < 0 ? j + 1 : -1;
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
    if (t.type === 'word') return PHONE_LABEL_START.has(t.lower) ? this.localPhone(i) : null;
    if (t.type === 'space' || (t.type === 'punct' && t.text !== '+' && t.text !== '(')) return null;
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

  /**
   * A seven-digit number after a person's phone label ("cell 555-0142", "callback number for the wife is
   * 555 0142"). Unlabelled seven digits stay quiet: they are help desk lines, extensions and record IDs.
   */
  private localPhone(i: number): Finding | null {
    if (this.gluedLeft(i)) return null;
    const v = this.filler(i + 1, ':#=-(),.', PHONE_FILLER);
    if (v < 0 || this.num(v, 3, 3) < 0 || !/^[2-9]/.test(this.numText(v))) return null;
    const s = this.phoneSep(v + 1);
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
      if (spacedDash || (f.type === 'punct' && ':=|(,#'.includes(f.text))) {
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
    // "pt #00482913", "patient 4482913": a record number needs no label of its own after "patient" ("Patient 1" is a test persona).
    if (this.num(j, 6, 10) > 0 && !this.gluedRight(j + 1)) return this.finding('medical record number', i, j + 1);
    // "pt JS 3/14/52": initials, with a date or a bed to say whose.
    const initials = this.t(j);
    if (initials?.type === 'word' && initials.text.length >= 2 && initials.text.length <= 3 && /^[A-Z]+$/.test(initials.text) && !NOT_NAME_WORDS.has(initials.lower) && !LABEL_STARTS.has(initials.lower)) {
      const g = this.gap(j + 1);
      const cue = g < 0 ? -1 : Math.max(this.date(g), this.bedCue(g));
      if (cue > 0) return this.finding('patient name', i, cue);
    }
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
    let initialled = false;
    for (let w = 0; w < 5; w++) {
      // A middle initial ("John A. Smith") belongs to the name without counting as a word of it.
      const ini = this.t(j);
      // A first initial ("patient J. Smith") too, once.
      if ((count > 0 || !initialled) && ini?.type === 'word' && ini.text.length === 1 && ini.text !== ini.text.toLowerCase() && this.punct(j + 1, '.') > 0) {
        const g = this.gap(j + 2);
        if (g < 0) break;
        if (count === 0) initialled = true;
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
    if (count >= 2 || titled || named || initialled) return this.finding('patient name', i, end);
    // "Pt. Okafor, bed 12": one name with a bed, unit or age after it.
    const sep = this.punct(end, ',-(') > 0 ? end + 1 : end;
    if (count === 1 && this.cue(this.optGap(sep), false) > 0) return this.finding('patient name', i, end);
    return null;
  }

  // -------------------------------------------------------------------------------------------------------
  // Names that the words around them make a patient's, without the word "patient"

  /** "bed 12", "Rm 418B", "room #4112", "bay 4", "bed 3E-07": a bed or room with its number. */
  private bedCue(i: number): number {
    const t = this.t(i);
    if (t?.type !== 'word' || !BED_WORDS.has(t.lower)) return -1;
    let j = i + 1;
    if (this.punct(j, '.#') > 0) j++;
    j = this.optGap(j);
    if (this.punct(j, '#') > 0) j++;
    if (this.num(j, 1, 4) < 0) return -1;
    j++;
    const letter = this.t(j);
    if (letter?.type === 'word' && letter.text.length <= 2) j++;
    if (this.punct(j, '-') > 0 && this.num(j + 1, 1, 3) > 0) j += 2;
    return this.t(j)?.type === 'word' ? -1 : j;
  }

  /** "on 4 West", "in 5N-12", "to 6 West": a patient's place on a unit. ("for 6 West" is build scope.) */
  private unitCue(i: number): number {
    const t = this.t(i);
    if (t?.type !== 'word' || (t.lower !== 'on' && t.lower !== 'in' && t.lower !== 'to')) return -1;
    const g = this.gap(i + 1);
    if (g < 0 || this.num(g, 1, 2) < 0) return -1;
    const glued = this.t(g + 1);
    if (glued?.type === 'word' && UNIT_SIDES.has(glued.lower) && glued.text.length <= 2) {
      return this.punct(g + 2, '-') > 0 && this.num(g + 3, 1, 3) > 0 ? g + 4 : g + 2;
    }
    const h = this.gap(g + 1);
    return h > 0 && this.word(h, 'north', 'south', 'east', 'west') > 0 ? h + 1 : -1;
  }

  /** "72 yo F", "72yo F", "72 y/o female", "81 y.o. M", "84-year-old male": an age with a sex. */
  private ageSex(i: number): number {
    if (this.num(i, 1, 3) < 0 || Number(this.numText(i)) > 120) return -1;
    let j = i + 1;
    if (this.punct(j, '-') > 0) j++;
    else j = this.optGap(j);
    const u = this.t(j);
    if (u?.type !== 'word') return -1;
    if (u.lower === 'yo') j++;
    else if (u.lower === 'y' && this.punct(j + 1, '/.') > 0 && this.word(j + 2, 'o') > 0) j = this.punct(j + 3, '.') > 0 ? j + 4 : j + 3;
    else if (u.lower === 'yr' || u.lower === 'yrs' || u.lower === 'year' || u.lower === 'years') {
      j++;
      j = this.punct(j, '-') > 0 ? j + 1 : this.optGap(j);
      if (this.word(j, 'old') < 0) return -1;
      j++;
    } else return -1;
    j = this.punct(j, '-') > 0 ? j + 1 : this.optGap(j);
    const sex = this.word(j, 'f', 'm', 'female', 'male', 'woman', 'man');
    return sex > 0 && this.t(sex)?.type !== 'word' ? sex : -1;
  }

  /** Which of the context cues starts at token j; `near` adds those that only count right beside a name (a date, a long number). */
  private cue(j: number, near: boolean): number {
    const t = this.t(j);
    if (!t) return -1;
    if (t.type === 'num') {
      const age = this.ageSex(j);
      if (age > 0 || !near) return age;
      if (this.num(j, 6, 10) > 0 && !this.gluedLeft(j) && !this.gluedRight(j + 1)) return j + 1;
      const d = this.date(j);
      return d > 0 && (this.t(d - 1)?.end ?? 0) - (this.t(d - 1)?.start ?? 0) >= 2 ? d : -1;
    }
    if (t.type !== 'word') return -1;
    return Math.max(this.bedCue(j), this.unitCue(j));
  }

  person(i: number): Finding | null {
    const t = this.toks[i]!;
    if (t.type === 'num') {
      // "72 yo F Okafor", "72 y/o female, Grace Okafor". Cheap test first: this runs at every number.
      const nx = this.toks[i + 1];
      const unit = nx?.type === 'word' ? nx : this.toks[i + 2];
      if (unit?.type !== 'word' || unit.lower[0] !== 'y' || this.gluedLeft(i)) return null;
      const age = this.ageSex(i);
      const end = age < 0 ? -1 : this.namesAfter(age);
      return end > 0 ? this.finding('patient name', i, end) : null;
    }
    if (t.type !== 'word') return null;
    if (BED_WORDS.has(t.lower)) {
      // "Bed 12 Okafor", "Rm 412 - Delgado", "room 418B, Yamamoto"
      const bed = this.gluedLeft(i) ? -1 : this.bedCue(i);
      const end = bed < 0 ? -1 : this.namesAfter(bed);
      return end > 0 ? this.finding('patient name', i, end) : null;
    }
    if (TITLES.has(t.lower)) return this.gluedLeft(i) ? null : this.titled(i);
    return this.lastFirst(i);
  }

  /** After a cue: separators, then a name ("Okafor", "Grace Okafor") that is not a bed status or a unit. */
  private namesAfter(i: number): number {
    let j = this.optGap(i);
    if (this.punct(j, '-:,') > 0) j = this.optGap(j + 1);
    let end = -1;
    for (let w = 0; w < 3; w++) {
      const t = this.t(j);
      if (t?.type !== 'word' || BED_STATES.has(t.lower) || UNIT_SIDES.has(t.lower) || TITLES.has(t.lower)) break;
      const nw = this.nameWord(j, false);
      if (nw < 0) break;
      end = nw;
      const g = this.gap(nw);
      if (g < 0) break;
      j = g;
    }
    return end;
  }

  /**
   * "Mrs. Okafor in bed 12 was given…": a title and a surname with clinical words in the same sentence.
   * "Dr." is mostly a colleague ("Dr. Patel approved the build"), so only a bed, an age or "patient" right
   * after the name makes a doctor a patient.
   */
  private titled(i: number): Finding | null {
    const t = this.toks[i]!;
    // "MS", "DR" are multiple sclerosis and disaster recovery.
    if (t.text.length > 1 && t.text.toUpperCase() === t.text) return null;
    let j = i + 1;
    if (this.punct(j, '.') > 0) j++;
    j = this.gap(j);
    if (j < 0) return null;
    let end = -1;
    for (let w = 0; w < 3; w++) {
      const nw = this.nameWord(j, false);
      if (nw < 0) break;
      end = nw;
      const g = this.gap(nw);
      if (g < 0) break;
      j = g;
    }
    if (end < 0 || TEST_PATIENT_PREFIXES.some((p) => this.toks[i + 1]!.lower.startsWith(p) || this.toks[end - 1]!.lower.startsWith(p))) return null;
    const doctor = t.lower === 'dr';
    // A bed, unit or age counts within three words of the name; clinical words anywhere in the sentence (not
    // for a doctor), bounded by the look-ahead. A word of the analyst's work ("Mr. Smith from IS", "Ms. Chen
    // approved") ends the search: what follows is about the build.
    let k = end;
    let patient = false;
    for (let seen = 0, steps = 0; steps < LOOKAHEAD; k++, steps++) {
      const c = this.t(k);
      if (!c || (c.type === 'space' && c.newlines > 0)) break;
      if (c.type === 'punct' && '.;!?'.includes(c.text) && this.t(k + 1)?.type !== 'word') break;
      if (c.type === 'space') continue;
      if (c.type === 'word') {
        // Anywhere in the sentence, even after a bed: "Ms. Lee in room 210 led the training" is a trainer.
        if (STAFF_WORDS.has(c.lower)) return null;
        seen++;
        // "(the patient, not the attending)", "the patient in bed 4"; not "the patient safety officer".
        if ((c.text === 'patient' || c.text === 'pt') && this.patientAlone(k + 1)) patient = true;
        if (!doctor && (CLINICAL_WORDS.has(c.lower) || (CLINICAL_PASSIVES.has(c.lower) && this.word(k - 2, 'was', 'is', 'were', 'been', 'got', 'be') > 0))) patient = true;
      }
      if (seen > 3 || patient) {
        if (doctor && !patient) break;
        continue;
      }
      // "Ms. Farrow, 67, fell": an age between commas.
      if (c.type === 'num' && !doctor && this.punct(k - 2, ',') > 0 && k - 2 === end && this.punct(k + 1, ',') > 0 && Number(c.text) <= 120) patient = true;
      else if (this.cue(k, false) > 0) patient = true;
    }
    return patient ? this.finding('patient name', i, end) : null;
  }

  /** Whether "patient" at i - 1 is the person, not the first word of a team or screen ("patient safety officer"). */
  private patientAlone(i: number): boolean {
    const n = this.t(this.optGap(i));
    return !n || n.type !== 'word' || PATIENT_THEN.has(n.lower);
  }

  /**
   * "Smith, John on 4 West", "Novak, Petra 04482913", "Reyes, Carmen 3/14/1952": a name in Last, First
   * order with a bed, unit, age, date or record number right after it; "Smith, J. (analyst)" stays quiet.
   * Also a surname directly before an age or a bed in brackets: "Okafor 72yo F", "Okafor (bed 12)".
   */
  private lastFirst(i: number): Finding | null {
    const t = this.toks[i]!;
    // Cheap tests first: this runs at every word. A surname is followed by a comma, or by a number or "(" after a space.
    const nx = this.toks[i + 1];
    if (!nx || (nx.type === 'punct' ? nx.text !== ',' : nx.type !== 'space')) return null;
    if (nx.type === 'space') {
      const nn = this.toks[i + 2];
      if (!nn || (nn.type !== 'num' && nn.text !== '(')) return null;
    }
    const c0 = t.text.charCodeAt(0);
    if (c0 < 128 ? c0 < 65 || c0 > 90 : !/^\p{Lu}/u.test(t.text)) return null;
    if (COMMON_CAPITALS.has(t.lower) || this.gluedLeft(i)) return null;
    const last = this.nameWord(i, true);
    if (last < 0) return null;
    const allCaps = t.text.toUpperCase() === t.text;
    if (allCaps && t.text.length < 3) return null;
    const sameCase = (k: number) => (this.toks[k]!.text.toUpperCase() === this.toks[k]!.text) === allCaps;
    let end = -1;
    const c = this.punct(last, ',');
    if (c > 0) {
      let j = this.optGap(c);
      // First name, or an initial with its dot, then an optional middle initial.
      const first = this.t(j);
      if (first?.type === 'word' && first.text.length === 1 && /\p{Lu}/u.test(first.text) && this.punct(j + 1, '.') > 0) end = j + 2;
      else if (this.t(j)?.type === 'num') {
        // "Jensen, 84-year-old male": a surname and its age.
        const age = this.ageSex(j);
        return age > 0 && !allCaps ? this.finding('patient name', i, last) : null;
      } else {
        const nw = this.nameWord(j, allCaps);
        if (nw < 0 || !sameCase(j)) return null;
        end = nw;
        const g = this.gap(nw);
        const mid = g < 0 ? undefined : this.t(g);
        if (mid?.type === 'word' && mid.text.length === 1 && /\p{Lu}/u.test(mid.text) && this.punct(g + 1, '.') > 0) end = g + 2;
      }
    } else if (allCaps) return null;
    // What comes right after: separators, "in"/"at", then a cue.
    let j = c > 0 ? end : last;
    for (let k = 0; k < 4; k++) {
      const s = this.t(j);
      if (s?.type === 'space' && s.newlines === 0) j++;
      else if (s?.type === 'punct' && '-,(:'.includes(s.text)) j++;
      else break;
    }
    let hit: number;
    if (c > 0) {
      hit = this.cue(j, true);
      if (hit < 0 && this.word(j, 'in', 'at') > 0) hit = this.cue(this.optGap(j + 1), false);
    } else {
      // A lone surname: only an age with a sex, or a bed in brackets, says it is a patient's.
      hit = this.ageSex(j);
      if (hit < 0 && this.punct(j - 1, '(') > 0 && this.word(j, 'bed', 'bay', 'rm') > 0) hit = this.bedCue(j);
    }
    return hit > 0 ? this.finding('patient name', i, c > 0 ? end : last) : null;
  }

  // -------------------------------------------------------------------------------------------------------
  // Home addresses: a street address with an apartment or unit ("1423 Maple Ave Apt 4B")

  address(i: number): Finding | null {
    const t = this.toks[i]!;
    // Cheap test first: this runs at every number. A house number is followed by one space and a capital.
    if (t.type !== 'num' || t.end - t.start > 5) return null;
    const sp = this.toks[i + 1];
    const w0 = this.toks[i + 2];
    if (sp?.type !== 'space' || w0?.type !== 'word' || w0.text === '' || w0.text[0] === w0.lower[0]) return null;
    if (this.gluedLeft(i) || this.punct(i - 1, '#') > 0) return null;
    let j = this.gap(i + 1);
    if (j < 0) return null;
    // N Elm St, North Elm St
    const dir = this.t(j);
    if (dir?.type === 'word' && STREET_DIRECTIONS.has(dir.lower) && /^\p{Lu}/u.test(dir.text)) {
      const k = this.punct(j + 1, '.') > 0 ? j + 2 : j + 1;
      const g = this.gap(k);
      if (g > 0) j = g;
    }
    let words = 0;
    for (; words < 3; words++) {
      const w = this.t(j);
      if (w?.type !== 'word' || !/^\p{Lu}/u.test(w.text)) return null;
      if (words > 0 && STREET_SUFFIXES.has(w.lower)) break;
      const g = this.gap(j + 1);
      if (g < 0) return null;
      j = g;
    }
    if (words === 0 || !STREET_SUFFIXES.has(this.t(j)?.lower ?? '')) return null;
    j++;
    if (this.punct(j, '.') > 0) j++;
    if (this.punct(j, ',') > 0) j++;
    j = this.optGap(j);
    const unit = this.t(j);
    if (unit?.type === 'punct' && unit.text === '#') j++;
    else if (unit?.type === 'word' && UNIT_DESIGNATORS.has(unit.lower)) {
      j++;
      if (this.punct(j, '.#') > 0) j++;
      j = this.optGap(j);
      if (this.punct(j, '#') > 0) j++;
    } else return null;
    const v = this.t(j);
    if (v?.type === 'num') {
      j++;
      const letter = this.t(j);
      if (letter?.type === 'word' && letter.text.length <= 2) j++;
    } else if (v?.type === 'word' && v.text.length <= 2 && v.text.toUpperCase() === v.text) j++;
    else return null;
    return this.finding('street address', i, j);
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

const RECORD_LABEL_START = new Set(['mrn', 'mrns', 'medrec', 'mr', 'med', 'medical', 'csn', 'har', 'fin', 'hospital', 'encounter', 'enc']);
const DOB_LABEL_START = new Set(['dob', 'birthdate', 'birthday', 'born', 'b', 'd', 'date', 'birth']);
const SSN_LABEL_START = new Set(['ssn', 'ss', 'ssns', 'social', 'soc']);
/** Labels are never initials: "Patient DOB 03/14/1962" is a date of birth, not J.S.'s. */
const LABEL_STARTS = new Set([...RECORD_LABEL_START, ...DOB_LABEL_START, ...SSN_LABEL_START, 'id', 'dt', 'mr']);
const SSN_FILLER = new Set(['is', 'was', 'number', 'no', 'num', 'nbr', 'ssn', 'of', 'the']);
const RECORD_FILLER = new Set(['is', 'was', 'of', 'number', 'no', 'num', 'nbr', 'mrn', 'id', 'the', 'csn', 'har']);
const DOB_FILLER = new Set(['is', 'was', 'on', 'of', 'dob', 'the', 'date']);
const NAME_FILLER = new Set(['name', 'names', 'is', 'was', 'named', 'called', 'full', 'legal', 'last', 'first', 'nm']);
const PHONE_LABEL_START = new Set(['phone', 'cell', 'mobile', 'callback', 'tel', 'telephone', 'ph']);
const PHONE_FILLER = new Set(['phone', 'number', 'no', 'num', 'nbr', 'is', 'was', 'for', 'the', 'her', 'his', 'their', 'at', 'on', 'of', 'cell', 'mobile', 'home',
  'wife', 'husband', 'spouse', 'daughter', 'son', 'mother', 'father', 'mom', 'dad', 'family', 'guardian', 'caregiver', 'patient', "patient's", 'pt', "pt's"]);
const BED_WORDS = new Set(['bed', 'bay', 'rm', 'room']);
/** What follows "Bed 12" on a bed board when no one is in it: the bed's state, not a surname. */
const BED_STATES = new Set(['conference', 'classroom', 'lab', 'office', 'training', 'lounge', 'storage', 'supply', 'break', 'kitchen', 'server', 'waiting', 'family', 'status', 'reset', 'clean', 'cleaning', 'cleaned', 'dirty', 'occupied', 'blocked', 'available', 'closed', 'open', 'ready', 'pending',
  'hold', 'assigned', 'setup', 'swap', 'empty', 'vacant', 'inactive', 'active', 'type', 'is', 'was', 'has']);
const UNIT_SIDES = new Set(['n', 's', 'e', 'w', 'ne', 'nw', 'se', 'sw', 'north', 'south', 'east', 'west']);
/** Words in a sentence that make a titled name a patient's: what happens to patients, not to analysts. */
const CLINICAL_WORDS = new Set(['fell', 'meds', 'medication', 'medications', 'insulin', 'heparin', 'drip', 'dose', 'doses', 'allergy', 'allergies', 'npo',
  'wristband', 'isolation', 'vitals', 'sitter']);
/** What is done to a patient, counted after "was", "is", "got": "Mr Haddad was admitted" (an analyst admits nothing). */
const CLINICAL_PASSIVES = new Set(['admitted', 'discharged', 'transferred', 'roomed', 'readmitted', 'diagnosed', 'intubated', 'sedated', 'triaged', 'boarded']);
/** Words that make a titled name a colleague's: their team, role or the work they did on the build. */
const STAFF_WORDS = new Set(['from', 'our', 'team', 'analyst', 'analysts', 'educator', 'trainer', 'lead', 'manager', 'director', 'supervisor', 'nurse', 'rn', 'md',
  'pharmacist', 'informaticist', 'champion', 'superuser', 'super', 'approved', 'signed', 'requested', 'reviewed', 'updated', 'built', 'rebuilt', 'owns',
  'configured', 'tested', 'validated', 'wrote', 'created', 'fixed', 'emailed', 'presented', 'led', 'training', 'trained', 'taught', 'demoed', 'hosted',
  'covered', 'covering', 'support', 'supporting']);
/** After "patient", the words that keep it a person ("the patient in bed 4", "the patient was"). */
const PATIENT_THEN = new Set(['in', 'on', 'at', 'was', 'is', 'had', 'has', 'who', 'with', 'and', 'not', 'herself', 'himself']);
/** Capitalised words that start sentences before a comma ("However, John…") and are never surnames. */
const COMMON_CAPITALS = new Set(['however', 'also', 'then', 'yes', 'no', 'note', 'example', 'today', 'yesterday', 'tomorrow', 'monday', 'tuesday', 'wednesday',
  'thursday', 'friday', 'saturday', 'sunday', 'per', 'first', 'last', 'next', 'finally', 'otherwise', 'meanwhile', 'again', 'here', 'there', 'now', 'so',
  'use', 'set', 'add', 'make', 'pick', 'choose', 'enter', 'select', 'type', 'try', 'run', 'give', 'put', 'create', 'change', 'open', 'build', 'test', 'call',
  'page', 'order', 'chart', 'document', 'scan', 'print', 'send', 'check', 'click', 'go', 'move', 'assign',
  'but', 'and', 'or', 'if', 'when', 'after', 'before', 'since', 'until', 'while', 'because', 'the', 'a', 'an', 'this', 'that', 'these', 'those', 'it', 'we',
  'i', 'you', 'they', 'he', 'she', 'our', 'my', 'his', 'her', 'their', 'ok', 'okay', 'thanks', 'please', 'update', 'fixed', 'done', 'see', 'for', 'in', 'on', 'at', 'to']);
const STREET_DIRECTIONS = new Set(['n', 's', 'e', 'w', 'ne', 'nw', 'se', 'sw', 'north', 'south', 'east', 'west']);
const STREET_SUFFIXES = new Set(['st', 'street', 'ave', 'av', 'avenue', 'rd', 'road', 'dr', 'drive', 'ln', 'lane', 'blvd', 'boulevard', 'ct', 'court', 'way',
  'pl', 'place', 'ter', 'terrace', 'cir', 'circle', 'pkwy', 'parkway', 'hwy', 'highway', 'trl', 'trail']);
/** A home's apartment or unit; "Suite" is left out on purpose: clinics and offices have suites. */
const UNIT_DESIGNATORS = new Set(['apt', 'apartment', 'unit', 'lot', 'trlr']);
const PATIENT_WORDS = new Set(['patient', "patient's", 'pt', "pt's"]);
const TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'dr', 'mx', 'mister']);
/** Every word at which a detector other than Last, First can start. */
const START_WORDS = new Set([...SSN_LABEL_START, ...RECORD_LABEL_START, ...DOB_LABEL_START, ...PHONE_LABEL_START, ...PATIENT_WORDS, ...BED_WORDS, ...TITLES]);
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

