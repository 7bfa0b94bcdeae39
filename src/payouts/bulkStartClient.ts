/**
 * How the API starts paying a bulk and reads its live progress. Starting is idempotent: the workflow id is the
 * bulk's, so a second start (a retried request, a double click) finds the running workflow instead of paying twice.
 */
import { QueryRejectedError, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { TemporalHandle } from '../clients/temporal';
import { BULK_ID, type BulkPayoutWorkflow, progressQuery, type BulkProgress, workflowIdForBulk } from './contract';
import { requestIdMemo } from './rules/requestIdMemo';

/** Who asked: the API request id, stored in the workflow's memo and carried to its lines' logs (src/payouts/rules/requestIdMemo.ts). */
export interface StartBulkPayoutOptions {
  requestId?: string;
}

/**
 * How the API starts (or update-with-starts) a bulk's workflow: under the bulk's own id, so a second start finds the
 * running workflow (USE_EXISTING), and by default never after it ended (ALLOW_DUPLICATE_FAILED_ONLY: only a run that
 * failed as a workflow, a bug since fixed, may run again).
 */
export function bulkWorkflowStartOptions(
  bulkId: string,
  taskQueue: string,
  summary: string,
  reusePolicy: WorkflowIdReusePolicy = WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
) {
  return {
    workflowId: workflowIdForBulk(bulkId),
    taskQueue,
    args: [{ bulkId }] as [{ bulkId: string }],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: reusePolicy,
    typedSearchAttributes: [{ key: BULK_ID, value: bulkId }],
    staticSummary: summary,
  };
}

export async function startBulkPayout(
  temporal: TemporalHandle,
  taskQueue: string,
  bulkId: string,
  options: StartBulkPayoutOptions = {},
): Promise<void> {
  try {
    await temporal.client.workflow.start<BulkPayoutWorkflow>('bulkPayoutWorkflow', {
      ...bulkWorkflowStartOptions(bulkId, taskQueue, `Pension bulk ${bulkId}`),
      // With USE_EXISTING, a second start keeps the first run and its memo: the request that really started it.
      memo: requestIdMemo(options.requestId),
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return; // it ran to the end already
    throw error;
  }
}

/** Live counts while the bulk's workflow runs; null once it has closed (read the database then) or if unknown. */
export async function queryBulkProgress(temporal: TemporalHandle, bulkId: string): Promise<BulkProgress | null> {
  const handle = temporal.client.workflow.getHandle(workflowIdForBulk(bulkId));
  try {
    return await handle.query(progressQuery);
  } catch (error) {
    // Closed (refused by the server: the API's client rejects queries on workflows not open) or never started.
    if (error instanceof QueryRejectedError || error instanceof WorkflowNotFoundError) return null;
    throw error;
  }
}
