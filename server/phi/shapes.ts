/**
 * Input shapes that make naive detectors slow (long runs after a label, repeated labels, long digit or
 * letter runs, many near-misses), each grown to a given length. Used by the linearity test and bench/phi.ts.
 */
const repeatTo = (unit: string, n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

export const PATHOLOGICAL_SHAPES: Record<string, (n: number) => string> = {
  'MRN + spaces + x': (n) => `MRN${' '.repeat(Math.max(0, n - 4))}x`,
  'DOB + spaces + x': (n) => `DOB${' '.repeat(Math.max(0, n - 4))}x`,
  'born + spaces + x': (n) => `born${' '.repeat(Math.max(0, n - 5))}x`,
  'SSN + spaces + x': (n) => `SSN${' '.repeat(Math.max(0, n - 4))}x`,
  'label + newlines': (n) => `MRN:${'\n'.repeat(Math.max(0, n - 5))}x`,
  'digit run': (n) => '1'.repeat(n),
  'letter run': (n) => 'a'.repeat(n),
  'patient + capitalised words': (n) => `patient ${'Abc '.repeat(Math.ceil(n / 4))}`.slice(0, n),
  'patient: + capitalised words with commas': (n) => `Patient: ${'Smith, '.repeat(Math.ceil(n / 7))}`.slice(0, n),
  'repeated MRN': (n) => 'MRN '.repeat(Math.ceil(n / 4)).slice(0, n),
  'repeated DOB near-dates': (n) => 'DOB 01/02/'.repeat(Math.ceil(n / 10)).slice(0, n),
  'repeated patient': (n) => 'patient '.repeat(Math.ceil(n / 8)).slice(0, n),
  'repeated Pt.': (n) => 'Pt. '.repeat(Math.ceil(n / 4)).slice(0, n),
  'digit groups with dashes': (n) => '123-'.repeat(Math.ceil(n / 4)).slice(0, n),
  'phone near-misses': (n) => '(608) 555-'.repeat(Math.ceil(n / 10)).slice(0, n),
  'label fillers without a value': (n) => `Medical Record Number ${'(MRN) : # '.repeat(Math.ceil(n / 10))}`.slice(0, n),
  'patient e-mail without @': (n) => `patient email ${'x.'.repeat(Math.ceil(n / 2))}`.slice(0, n),
  'Arabic-Indic digits': (n) => '١'.repeat(n),
  'fullwidth text': (n) => 'ＭＲＮ　'.repeat(Math.ceil(n / 4)).slice(0, n),
  'combining marks': (n) => `Patient ${'e\u0301'.repeat(Math.ceil(n / 2))}`.slice(0, n),
  'titles with names, no clinical word': (n) => 'Mrs. Abc Def Ghi reviewed the build and '.repeat(Math.ceil(n / 40)).slice(0, n),
  'Last, First without a cue': (n) => 'Smith, John - ( : '.repeat(Math.ceil(n / 18)).slice(0, n),
  'beds and ages without names': (n) => 'bed 12 72 yo F room 4B-12 '.repeat(Math.ceil(n / 26)).slice(0, n),
  'street address near-misses': (n) => '12 Abc Def Ghi St Suite '.repeat(Math.ceil(n / 24)).slice(0, n),
  'real PHI, repeated': (n) => repeatTo('MRN 00482913, DOB 01/02/1980, SSN 123-45-6789, (608) 555-0142, patient John Smith.\n', n),
  'pasted PHI, repeated': (n) => repeatTo('Mrs. Okafor in bed 12, Smith, John on 4 West, 72 yo F Okafor, lives at 1423 Maple Ave Apt 4B, cell 555-0142.\n', n),
};
