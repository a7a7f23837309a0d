import type { PhiRuleRow } from '../store/phi-rules.js';
import type { PhiScanResult, ScanRules } from './retro-scan.js';

/** What the request thread hands the scan worker: the store file and the rules in force when the scan began. */
export interface ScanWorkerInput {
  dbFile: string;
  rules: PhiRuleRow[];
  mrnPatterns: string[];
  under: ScanRules;
  /** When the scan began, by the app's clock (the worker has none of its own to inject). */
  ranAt: string;
}

/** The worker's one answer: the result, or where it failed (never the error's message, which may quote stored text). */
export type FromScanWorker =
  | { type: 'done'; result: PhiScanResult }
  | { type: 'failed'; name: string; code: string | null; frames: string[] };
