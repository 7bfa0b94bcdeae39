/** Shapes shared by the API, the workflows and the activities (no I/O here: workflows import it). */

/** Live counts returned by the bulk workflow's `progress` query and by the database once it has closed. */
export interface BulkProgress {
  total: number;
  completed: number;
  failed: number;
  pending: number;
  processing: number;
}

export const workflowIdForBulk = (bulkId: string): string => `bulk-${bulkId}`;

/** One child workflow per line, readable in the Web UI; derived from the bulk and line, so a re-run finds it. */
export const workflowIdForLine = (bulkId: string, lineNumber: number): string => `bulk-${bulkId}-line-${lineNumber}`;
