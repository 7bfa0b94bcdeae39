/**
 * Retry-failed for operators, started from the Temporal Web UI ("Start Workflow": type retryFailedTransfersWorkflow,
 * input {"bulkId": "<id>", "operator": "<your name>"}) or the CLI. The Web UI cannot send an update to a bulk's
 * workflow once it has closed, which is when a retry is possible; this workflow sends it for the operator, through
 * the same path as the API (activities/operations/operatorActivities.ts). It ends with the retry's outcome, or fails with the
 * refusal's code as its failure type (e.g. nothing_to_retry, bulk_in_progress, insufficient_funds).
 */
import { ApplicationFailure, proxyActivities, uuid4 } from '@temporalio/workflow';
import type { OperationActivities } from '../../activities/operations';
import { isUuid } from '../../src/domain/ids';
import { asOwnRefusal } from '../refusals';
import type { RetryOutcome } from '../../src/payouts/contract';

export interface RetryFailedTransfersInput {
  bulkId: string;
  /**
   * Kept with each retried attempt (transfer_attempts.retried_by_operator), beside the identity Temporal gave whoever
   * started this workflow (retried_by_identity), and in the retry's audit entry.
   */
  operator: string;
}

const operatorRequests = proxyActivities<OperationActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

export async function retryFailedTransfersWorkflow(input: RetryFailedTransfersInput): Promise<RetryOutcome> {
  if (typeof input?.bulkId !== 'string' || !isUuid(input.bulkId)) {
    throw ApplicationFailure.nonRetryable(
      'The input needs the bulk: {"bulkId": "<id>", "operator": "<your name>"}.',
      'validation_error',
    );
  }
  const operator = typeof input.operator === 'string' ? input.operator.trim() : '';
  if (operator === '')
    throw ApplicationFailure.nonRetryable(
      'The input needs who retries: {"operator": "<your name>"}.',
      'validation_error',
    );
  // The refusal itself (its type is our error code), as the operator reads it in the Web UI.
  return asOwnRefusal(() =>
    operatorRequests.retryFailedForOperator({ bulkId: input.bulkId, operator, requestId: uuid4() }),
  );
}
