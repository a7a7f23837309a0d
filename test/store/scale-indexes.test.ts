import { describe, expect, it } from 'vitest';
import { UNSEALED_SQL } from '../../server/store/purges.js';
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
