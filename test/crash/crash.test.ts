import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.js';
import { runCrashHarness } from './harness.js';

describe('crash safety', () => {
  it('keeps every acknowledged save through SIGKILLs at random moments', { timeout: 180_000 }, async () => {
    const report = await runCrashHarness({ dataDir: tempDir(), kills: Number(process.env.CRASH_KILLS ?? 6), clients: 4, maxRunMs: 1200, seed: 7 });
    expect(report.problems).toEqual([]);
    expect(report.kills).toBeGreaterThanOrEqual(6);
    expect(report.acknowledged).toBeGreaterThan(0);
    expect(report.found).toBe(report.acknowledged);
  });
});
