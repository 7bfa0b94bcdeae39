/**
 * A bulk's states. Bulks are read and written with SQL where they are used (src/payouts/store/bulkReadStore.ts,
 * bulkLifecycle.ts, createBulk.ts): each query names its columns.
 */

/** AWAITING_APPROVAL: the organization requires a second user's approval before anything is sent. */
export const BULK_STATES = ['PENDING', 'AWAITING_APPROVAL', 'PROCESSING', 'COMPLETED', 'FAILED'] as const;
export type BulkState = (typeof BULK_STATES)[number];
