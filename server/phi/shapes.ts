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
  'real PHI, repeated': (n) => repeatTo('MRN 00482913, DOB 01/02/1980, SSN 123-45-6789, (608) 555-0142, patient John Smith.\n', n),
};
