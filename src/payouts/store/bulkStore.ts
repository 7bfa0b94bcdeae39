/**
 * The database side of acting on a bulk: starting it (into AWAITING_APPROVAL when its organization requires a
 * second user's approval), approving, rejecting or letting the approval expire, cancelling the lines not yet
 * sent, making failed lines new attempts (retry-failed), and closing it. Every write is guarded SQL on the state
 * it expects, with the money moved in the same transaction, so a retried activity changes nothing the second time.
 * Each change that announces a webhook event records it in the same transaction (src/webhooks/store/eventStore.ts) and
 * adds the deliveries it recorded to the caller's `deliveries`, for the caller to start once committed.
 */
import type { Knex } from 'knex';
import { applyAccountChanges } from '../../accounts/store/journalStore';
import { type AuditValues, recordAudit } from '../../audit/auditLog';
import { buildConfig } from '../../config';
import {
  APPROVAL_EXPIRED_CODE,
  APPROVAL_REJECTED_CODE,
  approvalRefusal,
  type ApprovalRefusal,
  type BulkMakers,
  CANCELLED_CODE,
  cancelledBulkReason,
  isWorthPayingAgain,
  LINE_UNRESOLVED_CODE,
  makerIdsOf,
  retryOverridesDecision,
} from '../rules/bulkDecisionRules';
import { type BulkCounts, bulkOutcome, type BulkOutcome, type TransferStatus } from '../rules/transferStates';
import { ConflictError, NotFoundError, PermissionDeniedError } from '../../errors';
import type { BulkState } from '../../models';
import { isOrganizationActive, organizationInactiveRefusal } from '../../organizations/status';
import type { RecordedDeliveries } from '../../webhooks/store/eventStore';
import { recordTransferEvents, recordWebhookEvent } from './payoutEventStore';
import { countBulkTransfers } from './lineStore';
import type { CancelOutcome, RetryOutcome } from '../contract';
import { lockAccount, reserveFunds } from '../../accounts/store/reservationStore';

/** Who acted, as recorded: the token's user, or the operator's name and the identity Temporal gave the sender. */
export type ActingParty =
  | { kind: 'user'; userId: number; requestId: string | null }
  | { kind: 'operator'; operator: string; identity: string | null; requestId: string | null };

const OPEN_STATES: readonly BulkState[] = ['PENDING', 'AWAITING_APPROVAL', 'PROCESSING'];

export function isOpenBulkState(state: BulkState): boolean {
  return OPEN_STATES.includes(state);
}

export interface BulkBegun {
  state: BulkState;
  total: number;
  organizationId: number;
  organizationCode: string;
  createdById: number | null;
  /** Who may not approve or reject it: its creator and the user who asked its latest retry (see approvalRefusal). */
  makerIds: number[];
  /** ISO time; set while the bulk awaits approval. */
  approvalDeadline: string | null;
}

/** The configuration's default approval timeout, read without the environment: the worker passes the configured value. */
export const DEFAULT_APPROVAL_TIMEOUT_MS = buildConfig({}).bulk.approvalTimeoutHours * 3_600_000;

/**
 * PENDING -> AWAITING_APPROVAL (the organization requires approval; the deadline is fixed now, once, from the
 * organization's approval_timeout_hours or else `approvalTimeoutMs`) or PROCESSING. Any other state is left as it is and answered. Null when the bulk does not exist.
 */
export async function beginBulk(
  knex: Knex,
  bulkId: string,
  approvalTimeoutMs: number,
  deliveries: RecordedDeliveries = [],
): Promise<BulkBegun | null> {
  return knex.transaction(async (trx) => {
    const begun = await trx.raw<{ rows: Array<{ state: BulkState }> }>(
      `update bulk_transfers b
        set state = case when o.requires_approval then 'AWAITING_APPROVAL' else 'PROCESSING' end,
            approval_deadline = case when o.requires_approval
                                     then now() + coalesce(make_interval(hours => o.approval_timeout_hours), make_interval(secs => ?))
                                     else null end,
            approval_required = o.requires_approval,
            updated_at = now()
       from organizations o
      where o.id = b.organization_id and b.bulk_id = ? and b.state = 'PENDING'
      returning b.state`,
      [approvalTimeoutMs / 1000, bulkId],
    );
    const state = begun.rows[0]?.state;
    if (state !== undefined) {
      const type = state === 'AWAITING_APPROVAL' ? 'bulk.awaiting_approval' : 'bulk.processing';
      deliveries.push(...(await recordWebhookEvent(trx, { type, bulkId })));
    }
    return readBegun(trx, bulkId);
  });
}

async function readBegun(knex: Knex, bulkId: string): Promise<BulkBegun | null> {
  const row = await knex('bulk_transfers as b')
    .join('organizations as o', 'o.id', 'b.organization_id')
    .where('b.bulk_id', bulkId)
    .first<
      | {
          state: BulkState;
          transfers_count: number;
          organization_id: number;
          code: string;
          created_by_id: number | null;
          retry_requested_by_id: number | null;
          approval_deadline: Date | null;
        }
      | undefined
    >(
      'b.state',
      'b.transfers_count',
      'b.organization_id',
      'o.code',
      'b.created_by_id',
      'b.retry_requested_by_id',
      'b.approval_deadline',
    );
  if (!row) return null;
  return {
    state: row.state,
    total: row.transfers_count,
    organizationId: row.organization_id,
    organizationCode: row.code,
    createdById: row.created_by_id,
    makerIds: makerIdsOf({ createdById: row.created_by_id, retryRequestedById: row.retry_requested_by_id }),
    approvalDeadline:
      row.state === 'AWAITING_APPROVAL' && row.approval_deadline ? row.approval_deadline.toISOString() : null,
  };
}

interface ControlledBulk {
  bulk_id: string;
  organization_id: number;
  payer_account_id: number;
  created_by_id: number | null;
  retry_requested_by_id: number | null;
  state: BulkState;
  transfers_count: number;
  approved_by_id: number | null;
  rejected_by_id: number | null;
  cancelled_at: Date | null;
  cancelled_by_id: number | null;
  cancelled_by_operator: string | null;
  last_retry_request_id: string | null;
}

async function lockBulk(trx: Knex.Transaction, bulkId: string): Promise<ControlledBulk> {
  const bulk = await trx('bulk_transfers')
    .where('bulk_id', bulkId)
    .forUpdate()
    .first<ControlledBulk | undefined>(
      'bulk_id',
      'organization_id',
      'payer_account_id',
      'created_by_id',
      'retry_requested_by_id',
      'state',
      'transfers_count',
      'approved_by_id',
      'rejected_by_id',
      'cancelled_at',
      'cancelled_by_id',
      'cancelled_by_operator',
      'last_retry_request_id',
    );
  if (!bulk)
    throw new NotFoundError('not_found', {
      fr: `Le lot ${bulkId} n'existe pas.`,
      en: `Bulk ${bulkId} does not exist.`,
    });
  return bulk;
}

/**
 * Approving or retrying would send money for an organization that is deactivated: refused (403
 * organization_inactive) whoever asks, the API or an operator's update from the Web UI. The bulk is left as it
 * is, so once the organization is reactivated the same request goes through. The row is read under a share
 * lock: a deactivation committed meanwhile waits for this decision rather than slipping past it.
 */
async function refuseInactiveOrganization(trx: Knex.Transaction, bulk: ControlledBulk): Promise<void> {
  if (!(await isOrganizationActive(trx, bulk.organization_id, { forShare: true }))) throw organizationInactiveRefusal();
}

/** Why a user may not approve or reject this bulk, or null when they may (see approvalRefusal). */
export async function checkApprover(knex: Knex, userId: number, bulk: BulkMakers): Promise<ApprovalRefusal | null> {
  const user = await knex('users')
    .where('id', userId)
    .first<{ organization_id: number | null; role: string; is_staff: boolean; is_active: boolean } | undefined>(
      'organization_id',
      'role',
      'is_staff',
      'is_active',
    );
  if (!user) return 'approver_not_allowed';
  return approvalRefusal(
    { userId, organizationId: user.organization_id, role: user.role, isStaff: user.is_staff, isActive: user.is_active },
    bulk,
  );
}

export function approvalRefusalError(refusal: ApprovalRefusal): ConflictError | PermissionDeniedError {
  if (refusal === 'approval_by_creator') {
    return new ConflictError(refusal, {
      fr: "L'utilisateur qui a créé un lot, ou demandé la relance qui attend l'approbation, ne peut ni l'approuver ni le rejeter : un autre utilisateur de l'organisation doit le faire.",
      en: 'The user who created a bulk, or asked the retry awaiting approval, may not approve or reject it: another user of the organization must.',
    });
  }
  return new PermissionDeniedError(refusal, {
    fr: "Seul un GESTIONNAIRE actif ou un membre actif du personnel de l'organisation peut approuver ou rejeter un lot.",
    en: 'Only an active GESTIONNAIRE or staff user of the organization may approve or reject a bulk.',
  });
}

function notAwaitingApproval(state: BulkState): ConflictError {
  return new ConflictError(
    'not_awaiting_approval',
    {
      fr: `Le lot n'attend pas d'approbation (il est ${state}).`,
      en: `The bulk is not awaiting approval (it is ${state}).`,
    },
    { state },
  );
}

/** A user's decision on a bulk, proven by their decision token (src/payouts/decisionTokenKeys.ts). */
export interface BulkDecider {
  userId: number;
  /** The API request that carried the decision, for the audit log. */
  requestId: string | null;
}

/**
 * AWAITING_APPROVAL -> PROCESSING, recording who approved and its audit entry in the same transaction. The same
 * user approving again (a retried activity) is answered as done; anyone else finds the decision taken. Refused
 * `approval_expired` once the deadline has passed, even if the expiry has not been recorded yet (a worker down
 * across the deadline delivers the approval and the deadline's timer together); the database refuses it too
 * (see migrations/20261207000700_approval_deadline_guard.ts).
 */
export async function approveBulk(
  knex: Knex,
  bulkId: string,
  decider: BulkDecider,
  deliveries: RecordedDeliveries = [],
): Promise<void> {
  await knex.transaction(async (trx) => {
    const bulk = await lockBulk(trx, bulkId);
    if (bulk.state !== 'AWAITING_APPROVAL') {
      if (bulk.approved_by_id === decider.userId) return;
      throw notAwaitingApproval(bulk.state);
    }
    await refuseInactiveOrganization(trx, bulk);
    const refusal = await checkApprover(trx, decider.userId, {
      organizationId: bulk.organization_id,
      createdById: bulk.created_by_id,
      retryRequestedById: bulk.retry_requested_by_id,
    });
    if (refusal) throw approvalRefusalError(refusal);
    const approved = await trx('bulk_transfers')
      .where({ bulk_id: bulkId, state: 'AWAITING_APPROVAL' })
      .andWhereRaw('(approval_deadline is null or approval_deadline > now())')
      .update({
        state: 'PROCESSING',
        approved_by_id: decider.userId,
        approved_at: trx.fn.now(),
        updated_at: trx.fn.now(),
      });
    if (approved !== 1) throw approvalExpired();
    await auditDecision(trx, bulk, decider, 'bulk.approved', { state: 'PROCESSING' });
    deliveries.push(...(await recordWebhookEvent(trx, { type: 'bulk.processing', bulkId })));
  });
}

function approvalExpired(): ConflictError {
  return new ConflictError(APPROVAL_EXPIRED_CODE, {
    fr: "Le délai d'approbation de ce lot est dépassé : il ne peut plus être approuvé.",
    en: "This bulk's approval deadline has passed: it can no longer be approved.",
  });
}

/** The decision's audit entry, in the decision's transaction: who (proven by their token), before and after. */
async function auditDecision(
  trx: Knex.Transaction,
  bulk: ControlledBulk,
  decider: BulkDecider,
  kind: 'bulk.approved' | 'bulk.rejected',
  after: AuditValues,
): Promise<void> {
  const user = await trx('users').where('id', decider.userId).first<{ email: string }>('email');
  await recordAudit(trx, {
    actor: { userId: decider.userId, email: user.email },
    requestId: decider.requestId,
    kind,
    organizationId: bulk.organization_id,
    subject: { type: 'bulk', id: bulk.bulk_id },
    before: { state: bulk.state },
    after,
  });
}

export type UnapprovedEnd = ({ kind: 'rejected'; reason: string } & BulkDecider) | { kind: 'expired' };

/**
 * A rejected bulk, or one whose approval deadline passed: none of its lines is sent, their reservation is given
 * back, and the bulk ends FAILED with the reason. Guarded on AWAITING_APPROVAL; a repeat finds it done. A retry
 * awaiting approval whose bulk paid lines in an earlier run ends COMPLETED instead (with the reason): those
 * pensions were paid, and FAILED would tell the fund nothing was.
 */
export async function endUnapproved(
  knex: Knex,
  bulkId: string,
  end: UnapprovedEnd,
  deliveries: RecordedDeliveries = [],
): Promise<{ state: BulkState }> {
  return knex.transaction(async (trx) => {
    const bulk = await lockBulk(trx, bulkId);
    if (bulk.state !== 'AWAITING_APPROVAL') {
      if (end.kind === 'expired' || bulk.rejected_by_id === end.userId) return { state: bulk.state };
      throw notAwaitingApproval(bulk.state);
    }
    if (end.kind === 'rejected') {
      const refusal = await checkApprover(trx, end.userId, {
        organizationId: bulk.organization_id,
        createdById: bulk.created_by_id,
        retryRequestedById: bulk.retry_requested_by_id,
      });
      if (refusal) throw approvalRefusalError(refusal);
    }
    const reason =
      end.kind === 'rejected' ? `Rejected at approval: ${end.reason}` : 'Not approved before its approval deadline.';
    const code = end.kind === 'rejected' ? APPROVAL_REJECTED_CODE : APPROVAL_EXPIRED_CODE;
    await failUnsentLines(trx, bulk, { code, message: reason, deliveries });
    const state = (await countBulkTransfers(trx, bulkId)).completed > 0 ? 'COMPLETED' : 'FAILED';
    const ended = await trx('bulk_transfers')
      .where({ bulk_id: bulkId, state: 'AWAITING_APPROVAL' })
      .update({
        state,
        failure_reason: reason.slice(0, 500),
        completed_at: trx.fn.now(),
        updated_at: trx.fn.now(),
        ...(end.kind === 'rejected'
          ? { rejected_by_id: end.userId, rejected_at: trx.fn.now(), rejection_reason: end.reason.slice(0, 500) }
          : {}),
      });
    if (end.kind === 'rejected') {
      await auditDecision(trx, bulk, end, 'bulk.rejected', { state, rejection_reason: end.reason });
    }
    if (ended === 1) {
      const type = state === 'COMPLETED' ? 'bulk.completed' : 'bulk.failed';
      deliveries.push(...(await recordWebhookEvent(trx, { type, bulkId })));
    }
    return { state };
  });
}

/**
 * Cancels what is not sent yet: every PENDING or ON_HOLD line becomes FAILED `cancelled`, its reservation given back.
 * Lines already PROCESSING are in flight and finish as they would have. The bulk stays open until those end
 * (the workflow closes it). Guarded on PENDING lines, so a repeat changes nothing and answers the same counts.
 */
export async function cancelBulk(
  knex: Knex,
  bulkId: string,
  actor: ActingParty,
  deliveries: RecordedDeliveries = [],
): Promise<CancelOutcome> {
  return knex.transaction(async (trx) => {
    const bulk = await lockBulk(trx, bulkId);
    if (!isOpenBulkState(bulk.state)) {
      throw new ConflictError(
        'bulk_closed',
        {
          fr: `Le lot est terminé (${bulk.state}) : il ne reste rien à annuler.`,
          en: `The bulk has ended (${bulk.state}): there is nothing left to cancel.`,
        },
        { state: bulk.state },
      );
    }
    // Dated again when a retry-failed reopened lines after an earlier cancel (that retry lifted it for them):
    // this cancel stops them too (see CANCEL_FOR_LINE in ./ledger).
    const dated = bulk.cancelled_at === null || (await retriedSince(trx, bulkId, bulk.cancelled_at));
    if (dated) {
      await trx('bulk_transfers')
        .where('bulk_id', bulkId)
        .update({
          cancelled_at: trx.fn.now(),
          cancelled_by_id: actor.kind === 'user' ? actor.userId : null,
          cancelled_by_operator: actor.kind === 'operator' ? actor.operator.slice(0, 100) : null,
          cancelled_by_identity: actor.kind === 'operator' ? (actor.identity?.slice(0, 200) ?? null) : null,
          updated_at: trx.fn.now(),
        });
    }
    // Held lines were never sent either: they end with the others (the bulk workflow tells their workflows).
    const failedNow = await failUnsentLines(
      trx,
      bulk,
      { code: CANCELLED_CODE, message: 'Cancelled before it was sent.', deliveries },
      ['PENDING', 'ON_HOLD'],
    );
    const [row] = await trx('individual_transfers')
      .where({ bulk_id: bulkId, status: 'FAILED', failure_code: CANCELLED_CODE })
      .select<Array<{ count: string; amount: string }>>(
        trx.raw('count(*) as count'),
        trx.raw('coalesce(sum(amount), 0)::text as amount'),
      );
    const outcome = { cancelled: Number(row?.count ?? 0), released: row?.amount ?? '0' };
    // Only a cancel that changed something is recorded: a retried activity (or a second cancel) finds it done.
    if (dated || failedNow > 0) {
      await auditAction(trx, bulk, actor, 'bulk.cancelled', {
        cancelled_transfers: outcome.cancelled,
        released_amount: BigInt(outcome.released),
      });
    }
    return outcome;
  });
}

/**
 * A cancel's or retry's audit entry, in its transaction. A user is the token's (actor_user_id); an operator is no
 * user of ours: their name as typed and the identity Temporal gave the sender are in the entry's `after`.
 */
async function auditAction(
  trx: Knex.Transaction,
  bulk: ControlledBulk,
  actor: ActingParty,
  kind: 'bulk.cancelled' | 'bulk.retried',
  after: AuditValues,
): Promise<void> {
  const user =
    actor.kind === 'user' ? await trx('users').where('id', actor.userId).first<{ email: string }>('email') : undefined;
  await recordAudit(trx, {
    actor: actor.kind === 'user' && user ? { userId: actor.userId, email: user.email } : null,
    requestId: actor.requestId,
    kind,
    organizationId: bulk.organization_id,
    subject: { type: 'bulk', id: bulk.bulk_id },
    before: { state: bulk.state },
    after:
      actor.kind === 'operator' ? { ...after, operator: actor.operator, temporal_identity: actor.identity } : after,
  });
}

async function retriedSince(trx: Knex.Transaction, bulkId: string, since: Date): Promise<boolean> {
  const row = await trx('transfer_attempts as a')
    .join('individual_transfers as t', 't.transfer_id', 'a.transfer_id')
    .where('t.bulk_id', bulkId)
    .andWhere('a.retried_at', '>=', since)
    .first<{ id: number } | undefined>('a.id');
  return row !== undefined;
}

/**
 * Every line of the bulk in one of `statuses` and never sent FAILED with this code, and each one's hold given back:
 * one `release` journal row per line and attempt (so each failed line shows its own release), written with one
 * account update for them all. Returns how many lines were failed.
 */
async function failUnsentLines(
  trx: Knex.Transaction,
  bulk: ControlledBulk,
  failure: { code: string; message: string; deliveries: RecordedDeliveries },
  statuses: readonly TransferStatus[] = ['PENDING'],
): Promise<number> {
  const { code, message } = failure;
  const result = await trx.raw<{
    rows: Array<{ transfer_id: string; line_number: number; amount: string; attempt: number }>;
  }>(
    `update individual_transfers
        set status = 'FAILED', failure_code = ?, failure_message = ?, completed_at = now(), updated_at = now()
      where bulk_id = ? and status = any(?::text[]) and transfer_sent_at is null
      returning transfer_id, line_number, amount, attempt`,
    [code, message.slice(0, 500), bulk.bulk_id, [...statuses]],
  );
  // In file order, so the statement lists the releases as the fund reads its list.
  const failed = [...result.rows].sort((a, b) => a.line_number - b.line_number);
  await applyAccountChanges(
    trx,
    bulk.payer_account_id,
    failed.map((line) => ({
      kind: 'release',
      amount: BigInt(line.amount),
      bulkId: bulk.bulk_id,
      transferId: line.transfer_id,
      attempt: line.attempt,
    })),
  );
  const transferIds = failed.map((line) => line.transfer_id);
  failure.deliveries.push(
    ...(await recordTransferEvents(trx, 'transfer.failed', { transferIds, bulkId: bulk.bulk_id })),
  );
  return failed.length;
}

export interface UnresolvedLinesOutcome {
  /** Lines made FAILED `line_unresolved` by this call (never sent; their reservation given back). */
  failed: number;
  /** Lines still unfinished whose transfer was sent: their outcome is unknown, a human must reconcile them. */
  sentUnfinished: number;
}

/**
 * The bulk's last pass left lines unfinished (their workflows failed without making them final): those never
 * sent are FAILED `line_unresolved` and their amount given back to the reservation, in one transaction. Guarded
 * on an unfinished status and on transfer_sent_at being null, so a line sent meanwhile is never failed (a send is
 * claimed only on a PROCESSING line, in one statement: either the claim or this update comes first) and a repeat
 * changes nothing. The bulk is left open: closeBulk closes it, unless sent lines are still unfinished.
 */
export async function failUnresolvedLines(
  knex: Knex,
  bulkId: string,
  deliveries: RecordedDeliveries = [],
): Promise<UnresolvedLinesOutcome> {
  return knex.transaction(async (trx) => {
    const bulk = await lockBulk(trx, bulkId);
    const failed = await failUnsentLines(
      trx,
      bulk,
      {
        code: LINE_UNRESOLVED_CODE,
        message: 'Its payout workflow failed on every pass of the bulk; nothing was sent.',
        deliveries,
      },
      ['PENDING', 'PROCESSING'],
    );
    const [sent] = await trx('individual_transfers')
      .where('bulk_id', bulkId)
      .whereIn('status', ['PENDING', 'PROCESSING'])
      .count<Array<{ count: string }>>('* as count');
    return { failed, sentUnfinished: Number(sent?.count ?? 0) };
  });
}

export interface RetryRequest {
  by: ActingParty;
  /** Fixed by the caller once per request: a retried activity finds its own earlier result. */
  requestId: string;
}

/**
 * What belonged to a line's previous attempt, cleared when retry-failed makes it a new one: its adapter transfer,
 * payee found, quote and figures, send and its expiration, outcome, and its name check (score, hold and the decision
 * on that hold). Kept: the name expected (the line's) and a released owner's name (a GESTIONNAIRE found that owner
 * is the pensioner; bound to that exact name, so a retry finding another owner is held again).
 */
const PREVIOUS_ATTEMPT_CLEARED = {
  mojaloop_transfer_id: null,
  payee_name: null,
  payee_fsp_id: null,
  quote_id: null,
  fee_amount: null,
  quote_expiration: null,
  quote_figures: null,
  transfer_sent_at: null,
  transfer_expiration: null,
  fulfilment: null,
  failure_code: null,
  failure_message: null,
  completed_at: null,
  name_match_score: null,
  hold_reason: null,
  held_at: null,
  hold_deadline: null,
  hold_decision: null,
  hold_decided_by_id: null,
  hold_decided_at: null,
} as const;

/**
 * Makes the bulk's retryable FAILED lines new attempts, in one transaction: their total is reserved again (422
 * insufficient_funds otherwise, nothing changed), each earlier failure is kept in transfer_attempts, each line
 * goes back to PENDING with attempt + 1 and nothing of its earlier adapter transfer, and the bulk is PROCESSING
 * again, or, when its organization requires approval now (a retry is a new decision to pay), AWAITING_APPROVAL with
 * a fresh deadline and its earlier approval cleared, like a new bulk: a second user approves it (neither its creator
 * nor the retry's requester, recorded in retry_requested_by_id). There, a retry that would undo a second user's
 * decision (a rejection, a cancel by someone else) is refused 409 retry_after_second_user_decision. Only an ended
 * bulk: while it runs, its failures are not all known yet. A paid line is never touched (only FAILED lines are
 * selected, and the update is guarded on FAILED). In a cancelled bulk, the lines retried are
 * paid (the retry, asked after the cancel, lifts it for them: see CANCEL_FOR_LINE in ./ledger); its cancelled lines
 * are never retried (`cancelled` is not worth retrying).
 */
export async function retryFailedLines(
  knex: Knex,
  bulkId: string,
  request: RetryRequest,
  deliveries: RecordedDeliveries = [],
  approvalTimeoutMs: number = DEFAULT_APPROVAL_TIMEOUT_MS,
): Promise<RetryOutcome> {
  return knex.transaction(async (trx) => {
    const bulk = await lockBulk(trx, bulkId);
    if (bulk.last_retry_request_id === request.requestId) return earlierRetry(trx, request.requestId);
    await refuseInactiveOrganization(trx, bulk);
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
    const organization = await trx('organizations')
      .where('id', bulk.organization_id)
      .first<{ requires_approval: boolean }>('requires_approval');
    const awaitsApproval = organization.requires_approval;
    if (awaitsApproval && retryOverridesDecision(decisionsOf(bulk), userOf(request.by))) {
      throw retryAfterSecondUserDecision(bulk);
    }
    const failed = await trx('individual_transfers')
      .where({ bulk_id: bulkId, status: 'FAILED' })
      .forUpdate()
      .select<
        Array<{ transfer_id: string; amount: string; failure_code: string | null; transfer_sent_at: Date | null }>
      >('transfer_id', 'amount', 'failure_code', 'transfer_sent_at');
    const lines = failed.filter((line) =>
      isWorthPayingAgain({ failureCode: line.failure_code, sent: line.transfer_sent_at !== null }),
    );
    if (lines.length === 0) {
      throw new ConflictError('nothing_to_retry', {
        fr: "Aucun virement de ce lot n'a échoué pour une raison qui justifie de le relancer.",
        en: 'No transfer of this bulk failed for a reason worth retrying.',
      });
    }
    const amount = lines.reduce((sum, line) => sum + BigInt(line.amount), 0n);
    const account = await lockAccount(trx, bulk.payer_account_id);
    if (!account)
      throw new NotFoundError('not_found', { fr: 'Compte payeur introuvable.', en: 'Payer account not found.' });
    await reserveFunds(trx, account, amount, bulkId);

    const transferIds = lines.map((line) => line.transfer_id);
    await trx.raw(
      `insert into transfer_attempts
         (transfer_id, attempt, mojaloop_transfer_id, failure_code, failure_message, failed_at, retry_request_id,
          retried_by_id, retried_by_operator, retried_by_identity)
       select transfer_id, attempt, mojaloop_transfer_id, failure_code, failure_message, completed_at, ?, ?, ?, ?
         from individual_transfers where transfer_id = any(?::uuid[])`,
      [request.requestId, ...attemptActor(request.by), transferIds],
    );
    const reopened = await trx('individual_transfers')
      .whereIn('transfer_id', transferIds)
      .where('status', 'FAILED')
      .update({
        status: 'PENDING',
        attempt: trx.raw('attempt + 1'),
        ...PREVIOUS_ATTEMPT_CLEARED,
        updated_at: trx.fn.now(),
      });
    const state = awaitsApproval ? 'AWAITING_APPROVAL' : 'PROCESSING';
    await trx('bulk_transfers')
      .where('bulk_id', bulkId)
      .update({
        state,
        failure_reason: null,
        completed_at: null,
        last_retry_request_id: request.requestId,
        retry_count: trx.raw('retry_count + 1'),
        retry_requested_by_id: userOf(request.by),
        // Fixed at each start of paying, as at the bulk's start: the payment gate reads it.
        approval_required: awaitsApproval,
        ...(awaitsApproval
          ? {
              // The same rule as beginBulk; the earlier approval was for the earlier payment, not this one.
              approval_deadline: trx.raw(
                `now() + coalesce((select make_interval(hours => approval_timeout_hours) from organizations where id = ?), make_interval(secs => ?))`,
                [bulk.organization_id, approvalTimeoutMs / 1000],
              ),
              approved_by_id: null,
              approved_at: null,
            }
          : {}),
        updated_at: trx.fn.now(),
      });
    await auditAction(trx, bulk, request.by, 'bulk.retried', {
      state: awaitsApproval ? 'AWAITING_APPROVAL' : 'PROCESSING',
      retried_transfers: reopened,
      reserved_amount: amount,
    });
    const type = awaitsApproval ? 'bulk.awaiting_approval' : 'bulk.processing';
    deliveries.push(...(await recordWebhookEvent(trx, { type, bulkId })));
    return {
      ...(awaitsApproval ? { state: 'AWAITING_APPROVAL' as const } : {}),
      retried: reopened,
      reserved: amount.toString(),
    };
  });
}

/** The user an action was proven to come from; null for an operator's. */
function userOf(by: ActingParty): number | null {
  return by.kind === 'user' ? by.userId : null;
}

/** transfer_attempts' retried_by_id, retried_by_operator and retried_by_identity. */
function attemptActor(by: ActingParty): [number | null, string | null, string | null] {
  return by.kind === 'user'
    ? [by.userId, null, null]
    : [null, by.operator.slice(0, 100), by.identity?.slice(0, 200) ?? null];
}

function decisionsOf(bulk: ControlledBulk) {
  return {
    rejectedById: bulk.rejected_by_id,
    cancelledAt: bulk.cancelled_at,
    cancelledById: bulk.cancelled_by_id,
    cancelledByOperator: bulk.cancelled_by_operator,
  };
}

function retryAfterSecondUserDecision(bulk: ControlledBulk): ConflictError {
  const rejected = bulk.rejected_by_id !== null;
  return new ConflictError(
    'retry_after_second_user_decision',
    rejected
      ? {
          fr: "Ce lot a été rejeté à l'approbation : ses virements ne peuvent pas être relancés.",
          en: 'This bulk was rejected at approval: its transfers cannot be retried.',
        }
      : {
          fr: "Ce lot a été annulé par un autre utilisateur ou un opérateur : seul celui qui l'a annulé peut en relancer les virements, avec une nouvelle approbation.",
          en: 'This bulk was cancelled by another user or an operator: only whoever cancelled it may retry its transfers, with a new approval.',
        },
    { decision: rejected ? 'rejected' : 'cancelled' },
  );
}

/** What the retry request `requestId` did to this bulk, if it ran: for a sender that may have sent it twice. */
export async function earlierRetryOutcome(knex: Knex, bulkId: string, requestId: string): Promise<RetryOutcome | null> {
  const bulk = await knex('bulk_transfers')
    .where('bulk_id', bulkId)
    .first<{ last_retry_request_id: string | null } | undefined>('last_retry_request_id');
  if (bulk?.last_retry_request_id !== requestId) return null;
  return earlierRetry(knex, requestId);
}

async function earlierRetry(trx: Knex, requestId: string): Promise<RetryOutcome> {
  // The bulk's approval_required was fixed by this retry (it is the bulk's latest): it said where the retry left it.
  const bulk = await trx('bulk_transfers')
    .where('last_retry_request_id', requestId)
    .first<{ approval_required: boolean } | undefined>('approval_required');
  const awaited = bulk?.approval_required === true;
  const [row] = await trx('transfer_attempts as a')
    .join('individual_transfers as t', 't.transfer_id', 'a.transfer_id')
    .where('a.retry_request_id', requestId)
    .select<Array<{ count: string; amount: string }>>(
      trx.raw('count(*) as count'),
      trx.raw('coalesce(sum(t.amount), 0)::text as amount'),
    );
  return {
    ...(awaited ? { state: 'AWAITING_APPROVAL' as const } : {}),
    retried: Number(row?.count ?? 0),
    reserved: row?.amount ?? '0',
  };
}

/**
 * Closes the bulk once every line is final: COMPLETED when at least one was paid, FAILED when none was, with the
 * reason (a cancel says so). A line PENDING, PROCESSING or ON_HOLD keeps it open (UNFINISHED), and Postgres refuses
 * the close too (bulk_closes_when_lines_final). Counted and closed under the bulk's lock, guarded on the open states,
 * so a second call leaves the first outcome in place.
 */
export async function closeBulk(
  knex: Knex,
  bulkId: string,
  deliveries: RecordedDeliveries = [],
): Promise<{ outcome: BulkOutcome; counts: BulkCounts }> {
  return knex.transaction(async (trx) => {
    const bulk = await lockBulk(trx, bulkId);
    const counts = await countBulkTransfers(trx, bulkId);
    const outcome = bulkOutcome(counts);
    if (outcome.state !== 'UNFINISHED' && CLOSEABLE_STATES.includes(bulk.state)) {
      const failureReason =
        outcome.state === 'FAILED' && bulk.cancelled_at
          ? cancelledBulkReason(await countCancelledLines(trx, bulkId), counts.total)
          : outcome.failureReason;
      const state = outcome.state;
      await trx('bulk_transfers')
        .where('bulk_id', bulkId)
        .update({ state, failure_reason: failureReason, completed_at: trx.fn.now(), updated_at: trx.fn.now() });
      const type = state === 'COMPLETED' ? 'bulk.completed' : 'bulk.failed';
      deliveries.push(...(await recordWebhookEvent(trx, { type, bulkId })));
    }
    return { outcome, counts };
  });
}

/** A PENDING bulk was never started: the workflow starts it before it may close. */
const CLOSEABLE_STATES: readonly BulkState[] = ['PROCESSING', 'AWAITING_APPROVAL'];

async function countCancelledLines(trx: Knex.Transaction, bulkId: string): Promise<number> {
  const [cancelled] = await trx('individual_transfers')
    .where({ bulk_id: bulkId, status: 'FAILED', failure_code: CANCELLED_CODE })
    .count<Array<{ count: string }>>('* as count');
  return Number(cancelled?.count ?? 0);
}
