/**
 * Acting on a bulk: approve / reject (maker-checker), cancel, retry the failed lines. Here the common refusals are
 * answered at once (who may act on which bulk, in which state); the decision is then sent to the bulk's workflow
 * as a Temporal update, whose own checks (the same rules, in the workflow and the database) decide in the end.
 * Each carries a decision token signed for the user, and its activity writes the audit entry in the decision's own
 * transaction (src/payouts/store/bulkStore.ts), as for an operator's cancel or retry from the Web UI.
 */
import type { Logger } from 'pino';
import type { TemporalHandle } from '../clients/temporal';
import { PAYOUT_ENGINE, withTemporal } from '../clients/temporalCall';
import type { Config } from '../config';
import { db } from '../db/knex';
import { ConflictError } from '../errors';
import type { AuthenticatedUser } from '../auth/authenticatedUser';
import { approvalRefusalError, checkApprover, isOpenBulkState } from './store/bulkStore';
import { cancelForUser, type Decider, decideApproval, retryFailedForUser } from './payoutClient';
import { type BulkSummary, loadBulkDecisions, loadBulkSummary } from './store/bulkReadStore';
import { readableBulk } from './bulkReadUseCases';

export interface ActionContext {
  config: Config;
  temporal: () => Promise<TemporalHandle>;
  log: Logger;
  /** The API request acting, for the audit log. */
  requestId: string | null;
}

export async function approveBulkDecision(context: ActionContext, user: AuthenticatedUser, bulkId: string) {
  const bulk = await bulkAwaitingApproval(user, bulkId);
  await withTemporal(context.temporal, context.log, PAYOUT_ENGINE, (temporal) =>
    decideApproval(temporal, context.config.auth, bulk.bulk_id, { approve: true, by: deciderOf(context, user) }),
  );
  context.log.info({ bulkId: bulk.bulk_id, userId: user.id }, 'bulk approved');
  return decisionAnswer(bulk.bulk_id);
}

export async function rejectBulkDecision(
  context: ActionContext,
  user: AuthenticatedUser,
  bulkId: string,
  reason: string,
) {
  const bulk = await bulkAwaitingApproval(user, bulkId);
  await withTemporal(context.temporal, context.log, PAYOUT_ENGINE, (temporal) =>
    decideApproval(temporal, context.config.auth, bulk.bulk_id, {
      approve: false,
      by: deciderOf(context, user),
      reason,
    }),
  );
  context.log.info({ bulkId: bulk.bulk_id, userId: user.id }, 'bulk rejected');
  return decisionAnswer(bulk.bulk_id);
}

export async function cancelBulkRequest(context: ActionContext, user: AuthenticatedUser, bulkId: string) {
  const bulk = await readableBulk(user, bulkId);
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
  const outcome = await withTemporal(context.temporal, context.log, PAYOUT_ENGINE, (temporal) =>
    cancelForUser(
      temporal,
      context.config.auth,
      context.config.temporal.taskQueue,
      bulk.bulk_id,
      deciderOf(context, user),
    ),
  );
  context.log.info({ bulkId: bulk.bulk_id, userId: user.id, cancelled: outcome.cancelled }, 'bulk cancelled');
  return {
    bulkTransferId: bulk.bulk_id,
    cancelled_transfers: outcome.cancelled,
    released_amount: BigInt(outcome.released),
    currency: bulk.currency,
  };
}

export async function retryFailedRequest(context: ActionContext, user: AuthenticatedUser, bulkId: string) {
  const bulk = await readableBulk(user, bulkId);
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
  const outcome = await withTemporal(context.temporal, context.log, PAYOUT_ENGINE, (temporal) =>
    retryFailedForUser(
      temporal,
      context.config.auth,
      context.config.temporal.taskQueue,
      bulk.bulk_id,
      deciderOf(context, user),
    ),
  );
  context.log.info({ bulkId: bulk.bulk_id, userId: user.id, retried: outcome.retried }, 'failed transfers retried');
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
async function bulkAwaitingApproval(user: AuthenticatedUser, bulkId: string): Promise<BulkSummary> {
  const bulk = await readableBulk(user, bulkId);
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
  const retry = await db()('bulk_transfers')
    .where('bulk_id', bulk.bulk_id)
    .first<{ retry_requested_by_id: number | null }>('retry_requested_by_id');
  const refusal = await checkApprover(db(), user.id, {
    organizationId: bulk.organization_id,
    createdById: bulk.created_by_id,
    retryRequestedById: retry.retry_requested_by_id,
  });
  if (refusal) throw approvalRefusalError(refusal);
  return bulk;
}

function deciderOf(context: ActionContext, user: AuthenticatedUser): Decider {
  return { userId: user.id, requestId: context.requestId };
}

async function decisionAnswer(bulkId: string) {
  const bulk = await loadBulkSummary(db(), bulkId);
  const decisions = await loadBulkDecisions(db(), bulkId);
  return {
    bulkTransferId: bulkId,
    state: bulk!.state,
    failure_reason: bulk!.failure_reason,
    approval: decisions!.approval,
  };
}
