/**
 * Acting on a bulk: approve / reject (maker-checker), cancel, retry the failed lines. Here the common refusals are
 * answered at once (who may act on which bulk, in which state); the decision is then sent to the bulk's workflow
 * as a Temporal update, whose own checks (the same rules, in the workflow and the database) decide in the end.
 * Each carries a decision token signed for the user, and its activity writes the audit entry in the decision's own
 * transaction (src/payouts/store/bulkStore.ts), as for an operator's cancel or retry from the Web UI.
 */
import { PAYOUT_ENGINE, withTemporal } from '../clients/temporalCall';
import { ConflictError } from '../errors';
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import type { RequestScope } from '../requests/requestScope';
import { approvalRefusalError, checkApprover, isOpenBulkState } from './store/bulkStore';
import { cancelForUser, type Decider, decideApproval, retryFailedForUser } from './payoutClient';
import { type BulkSummary, loadBulkDecisions, loadBulkSummary } from './store/bulkReadStore';
import { readableBulk } from './bulkReadUseCases';

export async function approveBulkDecision(scope: RequestScope, user: AuthenticatedUser, bulkId: string) {
  const bulk = await bulkAwaitingApproval(scope, user, bulkId);
  await withTemporal(scope.temporal, scope.log, PAYOUT_ENGINE, (temporal) =>
    decideApproval(temporal, scope.config.auth, bulk.bulk_id, { approve: true, by: deciderOf(scope, user) }),
  );
  scope.log.info({ bulkId: bulk.bulk_id, userId: user.id }, 'bulk approved');
  return decisionAnswer(scope, bulk.bulk_id);
}

export async function rejectBulkDecision(scope: RequestScope, user: AuthenticatedUser, bulkId: string, reason: string) {
  const bulk = await bulkAwaitingApproval(scope, user, bulkId);
  await withTemporal(scope.temporal, scope.log, PAYOUT_ENGINE, (temporal) =>
    decideApproval(temporal, scope.config.auth, bulk.bulk_id, {
      approve: false,
      by: deciderOf(scope, user),
      reason,
    }),
  );
  scope.log.info({ bulkId: bulk.bulk_id, userId: user.id }, 'bulk rejected');
  return decisionAnswer(scope, bulk.bulk_id);
}

export async function cancelBulkRequest(scope: RequestScope, user: AuthenticatedUser, bulkId: string) {
  const bulk = await readableBulk(scope, user, bulkId);
  if (!isOpenBulkState(bulk.state)) {
    throw new ConflictError(
      'bulk_closed',
      {
        fr: `Le lot est terminé (${bulk.state}) : il n'y a plus rien à annuler.`,
        en: `The bulk has ended (${bulk.state}): there is nothing left to cancel.`,
      },
      { state: bulk.state },
    );
  }
  const outcome = await withTemporal(scope.temporal, scope.log, PAYOUT_ENGINE, (temporal) =>
    cancelForUser(temporal, scope.config.auth, scope.config.temporal.taskQueue, bulk.bulk_id, deciderOf(scope, user)),
  );
  scope.log.info({ bulkId: bulk.bulk_id, userId: user.id, cancelled: outcome.cancelled }, 'bulk cancelled');
  return {
    bulkTransferId: bulk.bulk_id,
    cancelled_transfers: outcome.cancelled,
    released_amount: BigInt(outcome.released),
    currency: bulk.currency,
  };
}

export async function retryFailedRequest(scope: RequestScope, user: AuthenticatedUser, bulkId: string) {
  const bulk = await readableBulk(scope, user, bulkId);
  if (isOpenBulkState(bulk.state)) {
    throw new ConflictError(
      'bulk_in_progress',
      {
        fr: `Le lot est encore ${bulk.state} : relancez ses virements échoués une fois qu'il sera terminé.`,
        en: `The bulk is still ${bulk.state}: retry its failed transfers once it has ended.`,
      },
      { state: bulk.state },
    );
  }
  const outcome = await withTemporal(scope.temporal, scope.log, PAYOUT_ENGINE, (temporal) =>
    retryFailedForUser(
      temporal,
      scope.config.auth,
      scope.config.temporal.taskQueue,
      bulk.bulk_id,
      deciderOf(scope, user),
    ),
  );
  scope.log.info({ bulkId: bulk.bulk_id, userId: user.id, retried: outcome.retried }, 'failed transfers retried');
  const state = outcome.state ?? ('PROCESSING' as const);
  return {
    bulkTransferId: bulk.bulk_id,
    state,
    retried_transfers: outcome.retried,
    reserved_amount: BigInt(outcome.reserved),
    currency: bulk.currency,
  };
}

/** The caller's organization's bulk, awaiting approval (or about to: its workflow has not begun it), not theirs. */
async function bulkAwaitingApproval(
  scope: RequestScope,
  user: AuthenticatedUser,
  bulkId: string,
): Promise<BulkSummary> {
  const bulk = await readableBulk(scope, user, bulkId);
  if (bulk.state !== 'AWAITING_APPROVAL' && bulk.state !== 'PENDING') {
    throw new ConflictError(
      'not_awaiting_approval',
      {
        fr: `Le lot n'attend pas d'approbation (il est ${bulk.state}).`,
        en: `The bulk is not awaiting approval (it is ${bulk.state}).`,
      },
      { state: bulk.state },
    );
  }
  // A retry awaiting approval: its requester may not decide on it either.
  const retry = await scope
    .db('bulk_transfers')
    .where('bulk_id', bulk.bulk_id)
    .first<{ retry_requested_by_id: number | null }>('retry_requested_by_id');
  const refusal = await checkApprover(scope.db, user.id, {
    organizationId: bulk.organization_id,
    createdById: bulk.created_by_id,
    retryRequestedById: retry.retry_requested_by_id,
  });
  if (refusal) throw approvalRefusalError(refusal);
  return bulk;
}

/** The API request acting is written with the decision's audit entry. */
function deciderOf(scope: RequestScope, user: AuthenticatedUser): Decider {
  return { userId: user.id, requestId: scope.requestId };
}

async function decisionAnswer(scope: RequestScope, bulkId: string) {
  const bulk = await loadBulkSummary(scope.db, bulkId);
  const decisions = await loadBulkDecisions(scope.db, bulkId);
  return {
    bulkTransferId: bulkId,
    state: bulk!.state,
    failure_reason: bulk!.failure_reason,
    approval: decisions!.approval,
  };
}
