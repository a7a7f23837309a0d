import { describe, expect, it } from 'vitest';
import { openStore } from '../../server/setup.js';
import { seedFromContent } from '../../server/seed.js';
import { CONTENT_DIR } from '../../server/paths.js';
import { verifyStore } from '../../server/audit/verify.js';
import { handoverOf } from '../../server/knowledge-transfer/handover.js';
import { pathsOf } from '../../server/knowledge-transfer/paths.js';
import { knowledge } from '../../server/reports/knowledge.js';
import { keyPersonReport } from '../../server/reports/key-person.js';
import { tempDir } from '../temp.js';

describe('the demo shows knowledge transfer', () => {
  it('has a departure two weeks out half handed over, a path halfway read with one change, and a third of Beaker on one analyst', () => {
    const store = openStore(tempDir());
    const before = Date.now();
    seedFromContent(store, CONTENT_DIR, { systems: ['Epic', 'Workday', 'Interfaces', 'Infrastructure'], maxBodyBytes: 1024 * 1024 });
    const now = new Date();

    const plan = handoverOf(store, 'dokafor', now);
    const inTwoWeeks = (t: number) => new Date(t + 14 * 86_400_000).toISOString().slice(0, 10);
    expect([inTwoWeeks(before), inTwoWeeks(now.getTime())]).toContain(plan.date);
    expect([plan.done, plan.total]).toEqual([2, 4]);
    expect(plan.pages.map((p) => p.state).sort()).toEqual(['accepted', 'accepted', 'not_started', 'walked_through']);
    expect(store.parties.get('dokafor')!.status).toBe('active');

    const paths = pathsOf(store, 'rlopez').paths;
    expect(paths).toHaveLength(1);
    expect(paths[0]).toMatchObject({ title: 'New Epic ClinDoc analyst — first two weeks', done: 3, total: 6, changed_since_read: ['sepsis-screening-bpa'] });

    const k = knowledge(store, {}, now);
    const beaker = k.pages.filter((p) => p.system === 'Epic' && p.module === 'Beaker');
    const lchen = keyPersonReport(k).people.find((p) => p.handle === 'lchen')!;
    expect(lchen.pages.filter((s) => beaker.some((b) => b.slug === s)).length * 3).toBe(beaker.length);
    expect(verifyStore(store).break).toBeNull();
    store.close();
  });
});
