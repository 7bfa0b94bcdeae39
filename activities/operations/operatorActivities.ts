/**
 * What an operator starts from the Temporal Web UI's "Start Workflow" form (workflows/operations/retryFailedTransfersWorkflow.ts):
 * retry-failed sent to the bulk's workflow exactly as the API sends it (update-with-start, src/payouts/payoutClient.ts),
 * so the same checks refuse it (bulk still running, nothing worth retrying, funds short, organization inactive) and
 * the same records keep who asked: the operator's name and the identity of whoever started the workflow. The lines it reopens are then paid by the bulk's workflow, through every gate.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { Client } from '@temporalio/client';
import { AppError } from '../../src/errors';
import { earlierRetryOutcome } from '../../src/payouts/store/bulkStore';
import { retryFailedPayouts } from '../../src/payouts/payoutClient';
import type { ActivityDependencies } from '../dependencies';
import { refusalsAsFailures } from '../refusals';
import { starterIdentity } from '../senderIdentity';
import type { RetryOutcome } from '../../src/payouts/contract';

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
      // The update goes out under the identity Temporal gave whoever started this workflow (the Web UI's, the
      // CLI's), so the bulk records that sender with the operator's name, as for a cancel sent from the Web UI.
      const identity = await starterIdentity(deps);
      const client = identity
        ? new Client({
            connection: temporal.handle.client.connection,
            namespace: temporal.handle.client.options.namespace,
            identity,
          })
        : temporal.handle.client;
      try {
        return await retryFailedPayouts({ ...temporal.handle, client }, temporal.taskQueue, request.bulkId, {
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
