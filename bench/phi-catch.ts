// How much of what analysts paste the PHI guard catches, and what it wrongly refuses: the pasted test set
// (test/phi/pasted-lines.ts) and the written forms, each line scanned alone. A line counts as caught when
// the guard names the expected kind, and as a false positive when a clean line is refused at all.
import { PhiGuard } from '../server/phi/guard.js';
import { PHI_FORMS, PATIENT_VOCABULARY } from '../server/phi/forms.js';
import { PASTED_CLEAN, PASTED_PHI } from '../test/phi/pasted-lines.js';

const guard = new PhiGuard();
const kinds = (text: string) => guard.scan({ text }).map((h) => h.kind);

const missed = PASTED_PHI.filter((p) => !kinds(p.text).includes(p.kind));
const refused = PASTED_CLEAN.filter((c) => kinds(c).length > 0);
const formsMissed = PHI_FORMS.filter((f) => !kinds(f.example).includes(f.kind));
const vocabRefused = PATIENT_VOCABULARY.filter((v) => kinds(`Open ${v} in Hyperspace.`).length > 0);

const pct = (n: number, of: number) => `${n}/${of} (${((100 * n) / of).toFixed(0)}%)`;
console.log(`pasted PHI caught:       ${pct(PASTED_PHI.length - missed.length, PASTED_PHI.length)}`);
console.log(`pasted clean refused:    ${pct(refused.length, PASTED_CLEAN.length)}`);
console.log(`written forms caught:    ${pct(PHI_FORMS.length - formsMissed.length, PHI_FORMS.length)}`);
console.log(`vocabulary refused:      ${pct(vocabRefused.length, PATIENT_VOCABULARY.length)}`);
// Which lines, by their kind and position only: the lines are fictional, but the habit of not printing PHI stays.
for (const m of missed) console.log(`  missed ${m.kind}: pasted line ${PASTED_PHI.indexOf(m) + 1}`);
for (const r of refused) console.log(`  refused clean line ${PASTED_CLEAN.indexOf(r) + 1} as ${kinds(r).join(', ')}`);
