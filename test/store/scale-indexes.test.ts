import { describe, expect, it } from 'vitest';
import { UNSEALED_SQL } from '../../server/store/purges.js';
import { INBOX_SQL } from '../../server/store/notifications.js';
import { testStore } from '../helpers.js';

describe('questions asked at every start', () => {
  it('finds the versions without digests from a partial index, not by reading every version', () => {
    const { store } = testStore();
    const plan = store
      .unsafeDatabaseForTests()
      .prepare<[], { detail: string }>(`EXPLAIN QUERY PLAN ${UNSEALED_SQL}`)
      .all()
      .map((r) => r.detail);
    // The partial index holds only unsealed versions, so walking it visits none of the sealed ones.
    expect(plan).toEqual(['SCAN page_versions USING INDEX page_versions_unsealed']);
    store.close();
  });
});

describe('the inbox', () => {
  it('reads a person\'s first page in inbox order off an index instead of sorting every notification', () => {
    const { store } = testStore();
    const plan = store
      .unsafeDatabaseForTests()
      .prepare<[number, string, number, number], { detail: string }>(`EXPLAIN QUERY PLAN ${INBOX_SQL}`)
      .all(1, '[]', 100, 0)
      .map((r) => r.detail);
    // A temporary B-tree would mean every notification of the person is read and sorted before the first is shown.
    expect(plan[0]).toBe('SEARCH notifications USING INDEX notifications_inbox_order (user_id=?)');
    expect(plan.some((d) => d.includes('TEMP B-TREE'))).toBe(false);
    store.close();
  });
});
