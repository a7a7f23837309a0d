import type { Store } from '../store/index.js';
import { recordAudit } from '../audit/log.js';
import { canonicalJson, fieldDigests, sealRoot } from '../core/hash.js';

/**
 * Versions written before digests existed (record form 1) seal their fields, not digests of them, so
 * once text is purged from one its hash can no longer be recomputed. Their digests are computed once,
 * while their content is still whole, and one audit event seals a digest over all of them: from then on
 * a purged old version is checked against digests the audit chain holds. Does nothing when every version
 * has its digests (a new store, or a store already sealed).
 */
export function sealVersionDigests(store: Store, at: Date = new Date()): number {
  // A standby's versions and their seals are its primary's, copied as they were written.
  if (store.followedPrimary() !== undefined) return 0;
  return store.transaction(() => {
    const rows = store.purges.unsealed().map((r) => ({ ...r, digests: canonicalJson(fieldDigests(r)) }));
    if (rows.length === 0) return 0;
    const { root, count } = sealRoot(rows);
    const event = recordAudit(store, { actor: 'system', action: 'store.digests_sealed', client: 'setup', at: at.toISOString(), details: { versions: count, root } });
    for (const r of rows) store.purges.seal({ page_id: r.page_id, version: r.version, digests: r.digests, sealed_by: event.id });
    return count;
  });
}
