/**
 * The bulk workflow's reads and writes: starting and closing a bulk, reading its lines page by page, and the
 * decisions taken on it (approval, rejection, expiry, cancel, retry of failed lines). Refusals from the database
 * side (src/errors AppError) become non-retryable ApplicationFailures whose type is the API's error code, so the
 * workflow's update fails with it and the API answers the same status and code as if it had checked itself.
 * The webhook deliveries a change recorded are started once it has committed (`announced`).
 */
import type { TransferStatus } from '../../src/payouts/rules/transferStates';
import { ApplicationFailure } from '@temporalio/activity';
import type { BulkCounts } from '../../src/payouts/rules/transferStates';
import {
  type ActingParty,
  approveBulk as recordApproval,
  beginBulk,
  cancelBulk as cancelUnsent,
  closeBulk,
  DEFAULT_APPROVAL_TIMEOUT_MS,
  endUnapproved,
  failUnresolvedLines as failUnsentUnresolved,
  type UnresolvedLinesOutcome,
  retryFailedLines as reopenFailedLines,
} from '../../src/payouts/store/bulkStore';
import {
  type LineStanding,
  lineStanding,
  listTransferPage as readTransferPage,
  transferStatus,
} from '../../src/payouts/store/lineStore';
import { ACTOR_TOKEN_REQUIRED } from '../../src/payouts/rules/decisionTokens';
import { PermissionDeniedError } from '../../src/errors';
import { provenDecider } from '../../src/payouts/decisionTokenKeys';
import type {
  ApprovalDecision,
  RejectionDecision,
  BulkActor,
  CancelOutcome,
  RetryOutcome,
  TransferPageEntry,
  BulkRun,
} from '../../src/payouts/contract';
import type { ActivityDependencies } from '../dependencies';
import { refusalsAsFailures } from '../refusals';
import { type UpdateSender, updateSenderIdentity } from '../senderIdentity';
import { deliveryAnnouncer } from '../deliveryStarts';

export function createBulkActivities(deps: ActivityDependencies) {
  const { db, settings } = deps;
  const approvalTimeoutMs = settings.approvalTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS;
  const announced = deliveryAnnouncer(deps);

  /**
   * PENDING -> AWAITING_APPROVAL or PROCESSING, and the settings this bulk runs with (workflows cannot read the
   * configuration).
   */
  async function startBulk(bulkId: string): Promise<BulkRun> {
    const bulk = await announced((deliveries) => beginBulk(db, bulkId, approvalTimeoutMs, deliveries));
    if (!bulk) throw ApplicationFailure.nonRetryable(`Bulk ${bulkId} does not exist`, 'BulkNotFound');
    return {
      state: bulk.state,
      total: bulk.total,
      organizationCode: bulk.organizationCode,
      createdById: bulk.createdById,
      makerIds: bulk.makerIds,
      approvalDeadline: bulk.approvalDeadline,
      decisionKeys: [...(settings.decisionKeys ?? [])],
      concurrency: settings.payoutConcurrency,
      pageSize: settings.pageSize,
      ...(settings.lineRetry ? { lineRetry: settings.lineRetry } : {}),
      ...(settings.overdueHoldGraceMs !== undefined ? { overdueHoldGraceMs: settings.overdueHoldGraceMs } : {}),
    };
  }

  async function listTransferPage(
    bulkId: string,
    afterLineNumber: number,
    limit: number,
  ): Promise<TransferPageEntry[]> {
    return readTransferPage(db, bulkId, afterLineNumber, limit);
  }

  /** Where a line stands now: lets the bulk workflow take the result of a child that already ran. */
  async function transferOutcome(transferId: string): Promise<TransferStatus | null> {
    return transferStatus(db, transferId);
  }

  /** Where a line stands now: the bulk checks what a line reports against it before believing it. */
  async function lineState(bulkId: string, lineNumber: number): Promise<LineStanding | null> {
    return lineStanding(db, bulkId, lineNumber);
  }

  /** Closes the bulk if every line is final; otherwise says how many are not (the workflow makes another pass). */
  async function finishBulk(
    bulkId: string,
  ): Promise<{ state: 'COMPLETED' | 'FAILED' | 'UNFINISHED'; counts: BulkCounts }> {
    const { outcome, counts } = await announced((deliveries) => closeBulk(db, bulkId, deliveries));
    return { state: outcome.state, counts };
  }

  /**
   * After the bulk's last pass: its lines still unfinished and never sent are FAILED `line_unresolved` (their
   * reservation released); those sent are left as they are and counted (their outcome must be learnt).
   */
  async function failUnresolvedLines(bulkId: string): Promise<UnresolvedLinesOutcome> {
    return announced((deliveries) => failUnsentUnresolved(db, bulkId, deliveries));
  }

  /** The approving user is the one the decision's token proves (the workflow checked it too), audited with it. */
  async function approveBulk(bulkId: string, decision: ApprovalDecision): Promise<void> {
    await refusalsAsFailures(async () => {
      const decider = provenDecider(decision?.token, { act: 'approve', target: bulkId, keys: settings.decisionKeys });
      await announced((deliveries) => recordApproval(db, bulkId, decider, deliveries));
    });
  }

  async function rejectBulk(bulkId: string, decision: RejectionDecision): Promise<void> {
    await refusalsAsFailures(async () => {
      const decider = provenDecider(decision?.token, { act: 'reject', target: bulkId, keys: settings.decisionKeys });
      await announced((deliveries) =>
        endUnapproved(db, bulkId, { kind: 'rejected', ...decider, reason: decision.reason }, deliveries),
      );
    });
  }

  /** The approval deadline passed: nothing is sent, the funds are released, the bulk ends FAILED. */
  async function expireApproval(bulkId: string): Promise<void> {
    await refusalsAsFailures(() =>
      announced((deliveries) => endUnapproved(db, bulkId, { kind: 'expired' }, deliveries)),
    );
  }

  /**
   * Who acts, as recorded: the user the token proves (verified again here), or the operator with the identity
   * Temporal gave the update's sender. A user named without a token (an update accepted before cancel and retry
   * took tokens) is refused, as its validator now refuses it.
   */
  async function actingParty(
    bulkId: string,
    act: 'cancel' | 'retryFailed',
    actor: BulkActor | undefined,
    sender: UpdateSender | undefined,
    requestId: string | null,
  ): Promise<ActingParty> {
    if (actor?.token !== undefined) {
      const decider = provenDecider(actor.token, { act, target: bulkId, keys: settings.decisionKeys });
      return { kind: 'user', ...decider };
    }
    const operator = typeof actor?.operator === 'string' ? actor.operator.trim() : '';
    if (operator === '') throw new PermissionDeniedError('decision_token_required', ACTOR_TOKEN_REQUIRED);
    const identity = await updateSenderIdentity(deps, sender?.updateId);
    return { kind: 'operator', operator, identity, requestId };
  }

  async function cancelBulk(bulkId: string, actor: BulkActor, sender?: UpdateSender): Promise<CancelOutcome> {
    return refusalsAsFailures(async () => {
      const party = await actingParty(bulkId, 'cancel', actor, sender, sender?.updateId ?? null);
      return announced((deliveries) => cancelUnsent(db, bulkId, party, deliveries));
    });
  }

  async function retryFailedLines(
    bulkId: string,
    request: BulkActor & { requestId: string },
    sender?: UpdateSender,
  ): Promise<RetryOutcome> {
    return refusalsAsFailures(async () => {
      const by = await actingParty(bulkId, 'retryFailed', request, sender, request.requestId);
      return announced((deliveries) =>
        reopenFailedLines(db, bulkId, { by, requestId: request.requestId }, deliveries, approvalTimeoutMs),
      );
    });
  }

  return {
    startBulk,
    listTransferPage,
    transferOutcome,
    lineState,
    finishBulk,
    failUnresolvedLines,
    approveBulk,
    rejectBulk,
    expireApproval,
    cancelBulk,
    retryFailedLines,
  };
}
