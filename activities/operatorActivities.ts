/**
 * What an operator starts from the Temporal Web UI's "Start Workflow" form (workflows/retryFailedTransfersWorkflow.ts):
 * retry-failed sent to the bulk's workflow exactly as the API sends it (update-with-start, src/payouts/bulkWorkflowUpdates.ts),
 * so the same checks refuse it (bulk still running, nothing worth retrying, funds short, organization inactive) and
 * the same records keep who asked. The lines it reopens are then paid by the bulk's workflow, through every gate.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { AppError } from '../src/errors';
import { earlierRetryOutcome, type RetryOutcome } from '../src/payouts/bulkLifecycle';
import { retryFailedPayouts } from '../src/payouts/bulkWorkflowUpdates';
import type { ActivityDependencies } from './dependencies';
import { refusalsAsFailures } from './refusals';

export interface OperatorRetryRequest {
  bulkId: string;
  operator: string;
  /** Fixed by the workflow before the first attempt: a retried attempt finds the first one's outcome. */
  requestId: string;
}

export function createOperatorActivities(deps: ActivityDependencies) {
  async function retryFailedForOperator(request: OperatorRetryRequest): Promise<RetryOutcome> {
    const temporal = deps.temporal;
    if (!temporal)
      throw ApplicationFailure.nonRetryable(
        'This worker has no Temporal client for operator requests',
        'NotConfigured',
      );
    return refusalsAsFailures(async () => {
      try {
        return await retryFailedPayouts(temporal.handle, temporal.taskQueue, request.bulkId, {
          operator: request.operator,
          requestId: request.requestId,
        });
      } catch (error) {
        // An earlier attempt of this activity reopened the bulk, whose workflow now refuses the same request as "in progress".
        const earlier =
          error instanceof AppError ? await earlierRetryOutcome(deps.db, request.bulkId, request.requestId) : null;
        if (earlier) return earlier;
        throw error;
      }
    });
  }

  return { retryFailedForOperator };
}
