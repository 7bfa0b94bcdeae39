/**
 * Decisions on a line held because the wallet's owner is not the pensioner expected (status ON_HOLD, see
 * src/payouts/rules/payeeNameMatch.ts): a GESTIONNAIRE of the organization releases it (it is found again, quoted and
 * paid, as long as the switch still names the owner released) or rejects it (FAILED `name_mismatch_rejected`, its
 * reservation given back); a hold nobody decided before its deadline fails the same way. Each is one guarded
 * transaction, so whichever of a decision and the deadline comes first wins and the other finds it taken.
 */
import type { Knex } from 'knex';
import { recordAudit } from '../../audit/auditLog';
import { NAME_MISMATCH_REJECTED_CODE } from '../rules/bulkDecisionRules';
import { ConflictError, NotFoundError, PermissionDeniedError } from '../../errors';
import type { RecordedDeliveries } from '../../webhooks/store/eventStore';
import { checkApprover } from './bulkStore';
import { settleTransfer } from './lineStore';

export interface HoldDecision {
  decision: 'release' | 'reject';
  /**
   * The deciding user, as their decision token proves it: a GESTIONNAIRE or staff user of the line's organization,
   * not the bulk's creator when it needed approval.
   */
  userId: number;
  /** Why the line is rejected (required) or released (optional): kept in the audit log. */
  reason?: string;
  /** The API request that carried the decision (signed in its token). */
  requestId?: string | null;
}

/** PROCESSING: released, to be found again and paid. FAILED: rejected. */
export type HoldOutcome = { status: 'PROCESSING' } | { status: 'FAILED'; failureCode: string };

interface HeldLine {
  transfer_id: string;
  bulk_id: string;
  line_number: number;
  status: string;
  payee_name: string | null;
  expected_payee_name: string | null;
  name_match_score: number | null;
  hold_decision: string | null;
  hold_decided_by_id: number | null;
  organization_id: number;
  created_by_id: number | null;
  retry_requested_by_id: number | null;
  approval_required: boolean;
}

/** `deliveries`: the webhook deliveries a rejection records (transfer.failed), to be started once committed. */
export async function decideHold(
  knex: Knex,
  transferId: string,
  decision: HoldDecision,
  deliveries: RecordedDeliveries = [],
): Promise<HoldOutcome> {
  return knex.transaction(async (trx) => {
    const line = await lockHeldLine(trx, transferId);
    if (line.status !== 'ON_HOLD') return repeatedDecision(line, decision);
    // The approval rule; maker-checker only where the organization asks for it: then the bulk's creator, and the
    // user who asked its latest retry, may not decide its holds.
    const refusal = await checkApprover(trx, decision.userId, {
      organizationId: line.organization_id,
      createdById: line.approval_required ? line.created_by_id : null,
      retryRequestedById: line.approval_required ? line.retry_requested_by_id : null,
    });
    if (refusal) throw holdDeciderRefused(refusal);
    const decider = await trx('users').where('id', decision.userId).first<{ email: string }>('email');

    const outcome =
      decision.decision === 'release'
        ? await release(trx, line, decision)
        : await reject(trx, line, decision, deliveries);
    await recordAudit(trx, {
      kind: decision.decision === 'release' ? 'transfer.hold_released' : 'transfer.hold_rejected',
      organizationId: line.organization_id,
      subject: { type: 'transfer', id: line.transfer_id },
      actor: { userId: decision.userId, email: decider.email },
      requestId: decision.requestId ?? null,
      before: {
        status: 'ON_HOLD',
        bulk_id: line.bulk_id,
        line_number: line.line_number,
        expected_payee_name: line.expected_payee_name,
        payee_name: line.payee_name,
        name_match_score: line.name_match_score,
      },
      after: { status: outcome.status, ...(decision.reason ? { reason: decision.reason } : {}) },
    });
    return outcome;
  });
}

/** The hold's deadline passed with no decision: the line fails as a rejection does. Null when it is not held. */
export async function expireHold(
  knex: Knex,
  transferId: string,
  deliveries: RecordedDeliveries = [],
): Promise<HoldOutcome | null> {
  return knex.transaction(async (trx) => {
    const updated = await trx('individual_transfers')
      .where({ transfer_id: transferId, status: 'ON_HOLD' })
      .update({ hold_decision: 'expired', hold_decided_at: trx.fn.now() });
    if (updated === 0) return null;
    await settleTransfer(
      trx,
      transferId,
      {
        status: 'FAILED',
        failureCode: NAME_MISMATCH_REJECTED_CODE,
        failureMessage:
          "The wallet's owner is not the pensioner expected and nobody decided before the hold's deadline.",
      },
      { deliveries },
    );
    return { status: 'FAILED', failureCode: NAME_MISMATCH_REJECTED_CODE };
  });
}

/**
 * The bulk's own backstop: holds whose deadline passed over `graceMs` ago, whose line workflow did not expire them
 * (it was terminated by hand), fail now. Returns their line numbers.
 */
export async function expireOverdueHolds(
  knex: Knex,
  bulkId: string,
  graceMs: number,
  deliveries: RecordedDeliveries = [],
): Promise<number[]> {
  const overdue = await knex('individual_transfers')
    .where({ bulk_id: bulkId, status: 'ON_HOLD' })
    .andWhere('hold_deadline', '<', knex.raw('now() - make_interval(secs => ?)', [graceMs / 1000]))
    .select<Array<{ transfer_id: string; line_number: number }>>('transfer_id', 'line_number');
  const expired: number[] = [];
  for (const line of overdue) {
    if (await expireHold(knex, line.transfer_id, deliveries)) expired.push(line.line_number);
  }
  return expired;
}

async function lockHeldLine(trx: Knex.Transaction, transferId: string): Promise<HeldLine> {
  const line = await trx('individual_transfers as t')
    .join('bulk_transfers as b', 'b.bulk_id', 't.bulk_id')
    .where('t.transfer_id', transferId)
    .forUpdate('t')
    .first<HeldLine | undefined>(
      't.transfer_id',
      't.bulk_id',
      't.line_number',
      't.status',
      't.payee_name',
      't.expected_payee_name',
      't.name_match_score',
      't.hold_decision',
      't.hold_decided_by_id',
      'b.organization_id',
      'b.created_by_id',
      'b.retry_requested_by_id',
      'b.approval_required',
    );
  if (!line) throw new NotFoundError('not_found', { fr: 'Ligne introuvable.', en: 'Line not found.' });
  return line;
}

/** ON_HOLD -> PROCESSING, forgetting the adapter transfer: discovery runs again and checks the owner once more. */
async function release(trx: Knex.Transaction, line: HeldLine, decision: HoldDecision): Promise<HoldOutcome> {
  await trx('individual_transfers').where({ transfer_id: line.transfer_id, status: 'ON_HOLD' }).update({
    status: 'PROCESSING',
    hold_decision: 'released',
    hold_decided_by_id: decision.userId,
    hold_decided_at: trx.fn.now(),
    released_payee_name: line.payee_name,
    mojaloop_transfer_id: null,
    updated_at: trx.fn.now(),
  });
  return { status: 'PROCESSING' };
}

async function reject(
  trx: Knex.Transaction,
  line: HeldLine,
  decision: HoldDecision,
  deliveries: RecordedDeliveries,
): Promise<HoldOutcome> {
  await trx('individual_transfers')
    .where({ transfer_id: line.transfer_id, status: 'ON_HOLD' })
    .update({ hold_decision: 'rejected', hold_decided_by_id: decision.userId, hold_decided_at: trx.fn.now() });
  await settleTransfer(
    trx,
    line.transfer_id,
    {
      status: 'FAILED',
      failureCode: NAME_MISMATCH_REJECTED_CODE,
      failureMessage: `Rejected: the wallet's owner is not the pensioner expected.${decision.reason ? ` ${decision.reason}` : ''}`,
    },
    { deliveries },
  );
  return { status: 'FAILED', failureCode: NAME_MISMATCH_REJECTED_CODE };
}

/** The same decision again (a retried activity, a double click) is answered as done; anything else is too late. */
function repeatedDecision(line: HeldLine, decision: HoldDecision): HoldOutcome {
  const same =
    line.hold_decided_by_id === decision.userId &&
    line.hold_decision === (decision.decision === 'release' ? 'released' : 'rejected');
  if (same) {
    return decision.decision === 'release'
      ? { status: 'PROCESSING' }
      : { status: 'FAILED', failureCode: NAME_MISMATCH_REJECTED_CODE };
  }
  throw new ConflictError(
    'not_on_hold',
    {
      fr: `La ligne ${line.line_number} n'est pas en attente de décision (elle est ${line.status}).`,
      en: `Line ${line.line_number} is not on hold (it is ${line.status}).`,
    },
    { status: line.status },
  );
}

function holdDeciderRefused(
  refusal: 'approval_by_creator' | 'approver_not_allowed',
): ConflictError | PermissionDeniedError {
  if (refusal === 'approval_by_creator') {
    return new ConflictError('decision_by_creator', {
      fr: "L'utilisateur qui a créé ce lot ne peut pas décider de ses lignes retenues : un autre utilisateur de l'organisation doit le faire.",
      en: 'The user who created this bulk may not decide its held lines: another user of the organization must.',
    });
  }
  return new PermissionDeniedError('decider_not_allowed', {
    fr: "Seul un GESTIONNAIRE actif ou un membre actif du personnel de l'organisation peut libérer ou rejeter une ligne retenue.",
    en: 'Only an active GESTIONNAIRE or staff user of the organization may release or reject a held line.',
  });
}
