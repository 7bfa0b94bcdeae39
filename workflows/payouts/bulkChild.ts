/**
 * How a workflow (a monthly run, the stranded-bulk sweep) starts a bulk's payout as a child: under the bulk's
 * own workflow id, so it can never run twice beside the API's start, and abandoned, so paying goes on whatever
 * happens to the workflow that started it (its money is reserved and its lines may be in flight).
 */
import { type ChildWorkflowOptions, ParentClosePolicy, WorkflowIdReusePolicy } from '@temporalio/workflow';
import { BULK_ID, type BulkPayoutInput, workflowIdForBulk } from '../../src/payouts/contract';

export function bulkChildOptions(
  bulkId: string,
  startedBy: string,
): Omit<ChildWorkflowOptions, 'typeInfo'> & { args: [BulkPayoutInput] } {
  return {
    workflowId: workflowIdForBulk(bulkId),
    args: [{ bulkId }],
    // A bulk whose workflow ended is never paid again; one whose workflow failed (a bug, since fixed) may be.
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: [{ key: BULK_ID, value: bulkId }],
    staticSummary: `Pension bulk ${bulkId} (${startedBy})`,
  };
}
