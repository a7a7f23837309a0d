import type { PageStatus } from './schema.js';

/**
 * Where a page may go next from each status. The main road is proposed → approved → in-build → live →
 * superseded or retired; a proposal may be rejected at any step before go-live, and a few steps back are
 * allowed because plans change (a live build reopened, a retired one reinstated, a rejected one proposed again).
 */
export const STATUS_TRANSITIONS: Record<PageStatus, PageStatus[]> = {
  proposed: ['approved', 'rejected'],
  approved: ['in-build', 'proposed', 'rejected'],
  'in-build': ['live', 'approved', 'rejected'],
  live: ['superseded', 'retired', 'in-build'],
  superseded: ['live', 'retired'],
  retired: ['live'],
  rejected: ['proposed'],
};
