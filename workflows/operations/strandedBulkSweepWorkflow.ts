/**
 * Starts the payout of uploaded bulks that were stored (funds reserved) but whose workflow never started: the
 * API commits the upload, then starts the workflow, and a crash or a Temporal outage between the two would
 * otherwise leave the pensions unpaid and the money reserved for ever. Run every few minutes by the Temporal
 * Schedule `stranded-bulk-sweep` (src/worker/sweepSchedules.ts).
 *
 * Safe to run at any time: the bulk's workflow id is derived from its id, so a bulk whose workflow the API
 * did start (or that an earlier sweep started) is not started twice, and a bulk whose workflow ended never
 * runs again.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { proxyActivities, startChild } from '@temporalio/workflow';
import type { OperationActivities } from '../../activities/operations';
import { bulkChildOptions } from '../payouts/bulkChild';
import { bulkPayoutWorkflow } from '../payouts/bulkPayoutWorkflow';

const database = proxyActivities<OperationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
});

export interface StrandedBulkSweepInput {
  /** Default 120: well past the moment between the upload's commit and the API's own start of the workflow. */
  pendingForSeconds?: number;
  /** Only these organizations (a sweep started by hand); every organization when absent. */
  organizationIds?: number[];
}

export interface StrandedBulkSweepResult {
  started: string[];
}

/** Bulks started per sweep; the next sweep takes the rest. */
const BATCH = 100;

export async function strandedBulkSweepWorkflow(input: StrandedBulkSweepInput = {}): Promise<StrandedBulkSweepResult> {
  const stranded = await database.listStrandedBulks({
    pendingForSeconds: input.pendingForSeconds ?? 120,
    limit: BATCH,
    organizationIds: input.organizationIds,
  });
  const started: string[] = [];
  for (const bulkId of stranded) {
    if (await startBulk(bulkId)) started.push(bulkId);
  }
  return { started };
}

/** True when this sweep started it; false when its workflow was running or had run already. */
async function startBulk(bulkId: string): Promise<boolean> {
  try {
    // Started, not awaited: the bulk is paid on its own and this sweep ends at once.
    await startChild(bulkPayoutWorkflow, bulkChildOptions(bulkId, 'started by the stranded-bulk sweep'));
    return true;
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw error;
  }
}
