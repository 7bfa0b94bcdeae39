/**
 * The payout concern's Temporal client, one file: how the API starts paying a bulk and reads its live progress, and
 * how it (or an operator's workflow) sends decisions to a bulk's workflow (Temporal updates) and reads their refusals
 * back as our typed errors.
 *
 * Starting is idempotent: the workflow id is the bulk's, so a second start (a retried request, a double click) finds
 * the running workflow instead of paying twice. The workflow's validators and activities refuse with an
 * ApplicationFailure whose type is our error code and whose details carry the message in French and English (and,
 * from the database side, the HTTP status and the error's details): the API answers exactly that, in the caller's
 * language.
 */
import {
  QueryRejectedError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WithStartWorkflowOperation,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { TemporalHandle } from '../clients/temporal';
import {
  ConflictError,
  type Message,
  NotFoundError,
  PermissionDeniedError,
  ServiceUnavailableError,
  UnprocessableError,
  ValidationError,
} from '../errors';
import { isMessage } from '../i18n/message';
import {
  approveUpdate,
  BULK_ID,
  type BulkActor,
  type BulkPayoutWorkflow,
  type BulkProgress,
  cancelUpdate,
  type CancelOutcome,
  type HoldDecisionOutcome,
  type HoldDecisionRequest,
  type PayoutTransferWorkflow,
  progressQuery,
  rejectHoldUpdate,
  rejectUpdate,
  releaseHoldUpdate,
  type RetryFailedRequest,
  retryFailedUpdate,
  type RetryOutcome,
  workflowIdForBulk,
  workflowIdForLine,
} from './contract';
import { type DecisionTokenSettings, signDecisionToken } from './decisionTokenKeys';
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
function bulkWorkflowStartOptions(
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

/** Status of the refusals raised by the workflow's validators (they carry only their message, in both languages). */
const VALIDATOR_STATUS: Record<string, number> = {
  not_awaiting_approval: 409,
  not_on_hold: 409,
  approval_by_creator: 409,
  bulk_closed: 409,
  bulk_in_progress: 409,
  organization_inactive: 403,
  validation_error: 400,
  decision_token_required: 403,
  decision_token_invalid: 403,
  // A decision's activity ran out of attempts: the decision may be sent again later.
  decision_failed: 503,
};

/** The typed error for an update's refusal; anything else (Temporal down, a bug) is rethrown as is. */
function errorOfUpdateFailure(error: unknown): unknown {
  if (!(error instanceof WorkflowUpdateFailedError) || !(error.cause instanceof ApplicationFailure)) return error;
  const failure = error.cause;
  const code = failure.type ?? 'conflict';
  const carried = failure.details?.[0] as { status?: number; details?: unknown; message?: unknown } | undefined;
  const status = carried?.status ?? VALIDATOR_STATUS[code] ?? 409;
  const details = carried?.details ?? undefined;
  // A refusal from before messages were carried in both languages has only its English text.
  const message: Message = isMessage(carried?.message) ? carried.message : { fr: failure.message, en: failure.message };
  switch (status) {
    case 400:
      return new ValidationError(code, message, details);
    case 403:
      return new PermissionDeniedError(code, message, details);
    case 404:
      return new NotFoundError(code, message, details);
    case 422:
      return new UnprocessableError(code, message, details);
    case 503:
      return new ServiceUnavailableError(code, message, details);
    default:
      return new ConflictError(code, message, details);
  }
}

async function asTypedErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw errorOfUpdateFailure(error);
  }
}

/** Who decides, as the API authenticated them, and the request carrying the decision. */
export interface Decider {
  userId: number;
  requestId: string | null;
}

/**
 * Approve or reject: the bulk awaits approval, so its workflow is running and waiting for exactly this. The
 * decision carries a token signed now for this user, this bulk and this decision: the workflow accepts nothing else.
 */
export async function decideApproval(
  temporal: TemporalHandle,
  tokens: DecisionTokenSettings,
  bulkId: string,
  decision: { approve: true; by: Decider } | { approve: false; by: Decider; reason: string },
): Promise<void> {
  const handle = temporal.client.workflow.getHandle<BulkPayoutWorkflow>(workflowIdForBulk(bulkId));
  const act = decision.approve ? 'approve' : 'reject';
  const token = signDecisionToken(tokens, { ...decision.by, act, target: bulkId });
  try {
    await asTypedErrors(async () => {
      if (decision.approve) await handle.executeUpdate(approveUpdate, { args: [{ token }] });
      else await handle.executeUpdate(rejectUpdate, { args: [{ token, reason: decision.reason }] });
    });
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      throw new ServiceUnavailableError('workflow_not_running', {
        fr: "Le workflow du lot n'est pas en cours ; il démarre dans les minutes qui viennent (reprise des lots bloqués).",
        en: "The bulk's workflow is not running; it starts within minutes (stranded-bulk sweep).",
      });
    }
    throw error;
  }
}

/**
 * Release or reject a held line: its workflow is running and waiting for exactly this (workflows/payouts/payeeHold.ts). The
 * decision carries a token signed now for this user, this line (its transfer id) and this decision.
 */
export async function decideLineHold(
  temporal: TemporalHandle,
  tokens: DecisionTokenSettings,
  line: { bulkId: string; lineNumber: number; attempt: number; transferId: string },
  decision: { release: boolean; by: Decider; reason?: string },
): Promise<HoldDecisionOutcome> {
  const handle = temporal.client.workflow.getHandle<PayoutTransferWorkflow>(
    workflowIdForLine(line.bulkId, line.lineNumber, line.attempt),
  );
  const act = decision.release ? 'releaseHold' : 'rejectHold';
  const token = signDecisionToken(tokens, { ...decision.by, act, target: line.transferId });
  const request: HoldDecisionRequest = { token, ...(decision.reason ? { reason: decision.reason } : {}) };
  try {
    return await asTypedErrors(() =>
      handle.executeUpdate(decision.release ? releaseHoldUpdate : rejectHoldUpdate, { args: [request] }),
    );
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      throw new ServiceUnavailableError('workflow_not_running', {
        fr: "Le workflow de cette ligne n'est pas en cours : elle sera reprise au prochain passage de son lot.",
        en: "This line's workflow is not running: its bulk takes it up again on its next pass.",
      });
    }
    throw error;
  }
}

/** Running: the update goes to that run. Not running: a run is started to take it. */
function startOperation(bulkId: string, taskQueue: string, reusePolicy: WorkflowIdReusePolicy, summary: string) {
  return new WithStartWorkflowOperation<BulkPayoutWorkflow>(
    'bulkPayoutWorkflow',
    bulkWorkflowStartOptions(bulkId, taskQueue, summary, reusePolicy),
  );
}

/**
 * Cancel, with update-with-start: a bulk stored but whose workflow never started (stranded) is cancelled too.
 * A bulk whose workflow has ended is never started again for a cancel (ALLOW_DUPLICATE_FAILED_ONLY).
 */
export async function cancelBulkPayout(
  temporal: TemporalHandle,
  taskQueue: string,
  bulkId: string,
  actor: BulkActor,
): Promise<CancelOutcome> {
  try {
    return await asTypedErrors(() =>
      temporal.client.workflow.executeUpdateWithStart(cancelUpdate, {
        args: [actor],
        startWorkflowOperation: startOperation(
          bulkId,
          taskQueue,
          WorkflowIdReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
          `Pension bulk ${bulkId}`,
        ),
      }),
    );
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      throw new ConflictError('bulk_closed', {
        fr: 'Le lot est terminé : il ne reste rien à annuler.',
        en: 'The bulk has ended: nothing left to cancel.',
      });
    }
    throw error;
  }
}

/**
 * Cancel for an authenticated user: the user is believed only with this token, signed for them, this bulk and a
 * cancel; the activity verifies it again and audits them.
 */
export async function cancelForUser(
  temporal: TemporalHandle,
  tokens: DecisionTokenSettings,
  taskQueue: string,
  bulkId: string,
  by: Decider,
): Promise<CancelOutcome> {
  const token = signDecisionToken(tokens, { ...by, act: 'cancel', target: bulkId });
  return cancelBulkPayout(temporal, taskQueue, bulkId, { token });
}

/** Retry-failed for an authenticated user: with a token signed for them, this bulk and a retry (see retryFailedPayouts). */
export async function retryFailedForUser(
  temporal: TemporalHandle,
  tokens: DecisionTokenSettings,
  taskQueue: string,
  bulkId: string,
  by: Decider,
): Promise<RetryOutcome> {
  const token = signDecisionToken(tokens, { ...by, act: 'retryFailed', target: bulkId });
  return retryFailedPayouts(temporal, taskQueue, bulkId, { token });
}

/**
 * Retry-failed, with update-with-start: the bulk has ended, so its workflow has closed and a new run of it
 * (ALLOW_DUPLICATE) takes the update, reopens the bulk and pays the lines made new attempts.
 */
export async function retryFailedPayouts(
  temporal: TemporalHandle,
  taskQueue: string,
  bulkId: string,
  actor: RetryFailedRequest,
): Promise<RetryOutcome> {
  return asTypedErrors(() =>
    temporal.client.workflow.executeUpdateWithStart(retryFailedUpdate, {
      args: [actor],
      startWorkflowOperation: startOperation(
        bulkId,
        taskQueue,
        WorkflowIdReusePolicy.ALLOW_DUPLICATE,
        `Pension bulk ${bulkId} (retry of failed transfers)`,
      ),
    }),
  );
}
