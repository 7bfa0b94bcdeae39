/**
 * A workflow bundle for the test of a line's id taken by a run that has reported and not closed yet: the real bulk
 * workflow, and a stand-in registered as `payoutTransferWorkflow` that, when told to, reports UNRESOLVED to the
 * bulk and then stays open (an activity the test holds) before failing, as a line started by a bulk run from before
 * AWAITED_LINES_PATCH does between its report and its failure, but for as long as the test needs. It reports by
 * signal to its parent, the bulk, even when the bulk awaits its result, so the bulk meets that line's id still taken.
 */
import { ApplicationFailure, getExternalWorkflowHandle, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { lineFinishedSignal, type PayoutTransferInput, type PayoutTransferResult } from '../../../src/payouts/contract';

export { bulkPayoutWorkflow } from '../../../workflows/payouts/bulkPayoutWorkflow';

export interface StandInActivities {
  /** Pays the line (COMPLETED) or says this run is to fail unresolved. */
  standInLine(transferId: string): Promise<'COMPLETED' | 'UNRESOLVED'>;
  /** Held by the test: the run stays open after its report. */
  holdFailingLine(transferId: string): Promise<void>;
}

const steps = proxyActivities<StandInActivities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 1 } });

export async function payoutTransferWorkflow(input: PayoutTransferInput): Promise<PayoutTransferResult> {
  const outcome = await steps.standInLine(input.transferId);
  const bulk = getExternalWorkflowHandle(input.reportTo ?? workflowInfo().parent!.workflowId);
  await bulk.signal(lineFinishedSignal, { lineNumber: input.lineNumber!, status: outcome });
  if (outcome === 'UNRESOLVED') {
    await steps.holdFailingLine(input.transferId);
    throw ApplicationFailure.nonRetryable('The stand-in line failed after its report', 'StandInLineFailed');
  }
  return { transferId: input.transferId, status: 'COMPLETED' };
}
