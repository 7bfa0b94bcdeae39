/**
 * The payout workflows' ids and the live progress a bulk reports, shared by the API, the workflows and the activities
 * (pure: workflow code imports it).
 */

/** Live counts returned by the bulk workflow's `progress` query and by the database once it has closed. */
export interface BulkProgress {
  total: number;
  completed: number;
  failed: number;
  pending: number;
  processing: number;
  /** Lines ON_HOLD: the wallet's owner is not the pensioner; each awaits a release or a rejection. */
  held: number;
}

export const workflowIdForBulk = (bulkId: string): string => `bulk-${bulkId}`;

/**
 * One child workflow per line and attempt, readable in the Web UI; derived from the bulk, line and attempt, so a
 * re-run finds it. A line paid again by retry-failed is a new attempt and needs a new id: a line workflow that
 * completed may never run again under its id (ALLOW_DUPLICATE_FAILED_ONLY).
 */
export const workflowIdForLine = (bulkId: string, lineNumber: number, attempt = 1): string =>
  attempt === 1 ? `bulk-${bulkId}-line-${lineNumber}` : `bulk-${bulkId}-line-${lineNumber}-attempt-${attempt}`;
