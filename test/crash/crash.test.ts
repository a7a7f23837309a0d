import { describe, expect, it } from 'vitest';
import { tempDir } from '../temp.js';
import { runCrashHarness } from './harness.js';

describe('crash safety', () => {
  // The time limit is a bound, not a target: six starts of the server from TypeScript take seconds each on an
  // idle machine and far longer when every core is busy.
  it('keeps every acknowledged save through SIGKILLs at random moments', { timeout: 600_000 }, async () => {
    const report = await runCrashHarness({ dataDir: tempDir(), kills: Number(process.env.CRASH_KILLS ?? 6), clients: 4, maxRunMs: 1200, seed: 7 });
    expect(report.problems).toEqual([]);
    expect(report.kills).toBeGreaterThanOrEqual(6);
    expect(report.acknowledged).toBeGreaterThan(0);
    expect(report.found).toBe(report.acknowledged);
  });
});
