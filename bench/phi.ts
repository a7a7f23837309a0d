// PHI guard worst cases: every built-in detector alone, and an admin pattern on RE2, on each
// pathological input shape at 1k, 10k and 100k characters. Prints the median of several runs per cell and
// the worst shape per detector, so a detector that stops being linear shows as a 10x-per-step jump.
import { performance } from 'node:perf_hooks';
import { DETECTOR_NAMES, Scanner, type DetectorName } from '../server/phi/scanner.js';
import { PhiGuard } from '../server/phi/guard.js';
import { PATHOLOGICAL_SHAPES } from '../server/phi/shapes.js';
import { median } from './corpus.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIZES = [1_000, 10_000, 100_000];
const LABELS: Record<DetectorName | 'admin pattern', string> = {
  ssn: 'SSN',
  labelledNumber: 'MRN/account',
  dob: 'date of birth',
  phone: 'phone',
  patient: 'patient name/e-mail',
  person: 'name in clinical context',
  address: 'street address',
  'admin pattern': 'admin pattern (RE2)',
};
// A pattern that backtracks catastrophically in JavaScript's engine; RE2 runs it in linear time.
const admin = new PhiGuard({ rules: [{ id: 1, kind: 'pattern', value: '(\\w+\\s?)+MRN$', label: 'nested', created_by: 'bench', created_at: '' }] });

function time(run: () => void): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  return median(times);
}

const worst = new Map<string, { shape: string; ms: number[] }>();
const rows: string[][] = [];
for (const [shape, make] of Object.entries(PATHOLOGICAL_SHAPES)) {
  const texts = SIZES.map((n) => make(n));
  for (const d of [...DETECTOR_NAMES, 'admin pattern'] as const) {
    const ms = texts.map((text) => (d === 'admin pattern' ? time(() => admin.scan({ text })) : time(() => new Scanner(text, [d]).scan())));
    rows.push([LABELS[d], shape, ...ms.map((m) => m.toFixed(2))]);
    const w = worst.get(LABELS[d]);
    if (!w || ms[2]! > w.ms[2]!) worst.set(LABELS[d], { shape, ms });
  }
}

const header = ['detector', 'input shape', ...SIZES.map((n) => `${n / 1000}k ms`)];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(`PHI guard, median of ${RUNS} runs per cell\n`);
console.log(line(header));
for (const r of rows.sort((a, b) => a[0]!.localeCompare(b[0]!))) console.log(line(r));
console.log('\nWorst shape per detector (100k / 1k should stay near 100 for linear work):');
for (const [d, w] of worst) console.log(`  ${d.padEnd(22)} ${w.shape.padEnd(42)} ${w.ms.map((m) => m.toFixed(2)).join(' / ')} ms  (x${(w.ms[2]! / Math.max(w.ms[0]!, 0.01)).toFixed(0)})`);
