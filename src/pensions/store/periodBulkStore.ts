/**
 * A month's pension run: the bulk that pays the eligible beneficiaries of an organization's roll for one period.
 *
 * Exactly once per organization and period: the run's row (unique on both) is locked while its bulk is built,
 * and the bulk id is derived from the organization and the period. A second trigger for the same month finds
 * the run and builds nothing. Before anything is written, the run is checked against the organization's schedule
 * (src/pensions/rules/runRules.ts): a run its schedule would not start is refused, whoever started it. The funds are reserved by the upload's own code (createBulk), in the same
 * transaction that records the run; when they are short, the run is recorded FAILED and no bulk exists.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { BulkLines } from '../../payouts/rules/bulkLines';
import { eligibilityFor, type HeldOutReason } from '../rules/pensionEligibility';
import type { PartyIdType } from '../../domain/partyIdTypes';
import { AppError } from '../../errors';
import type { BulkState } from '../../models';
import { isOrganizationActive } from '../../organizations/status';
import { createBulk } from '../../payouts/store/bulkInsertStore';
import { type Beneficiary, beneficiaryColumns } from './rollStore';
import { checkRunIsScheduled, type ScheduledRun } from '../rules/runRules';
import type { PensionRunState, PeriodBulkOutcome } from '../contract';

export type PensionRunFailureReason =
  | 'insufficient_funds'
  | 'no_eligible_beneficiaries'
  | 'payer_account_not_found'
  | 'organization_inactive'
  | 'bulk_failed';

/** Refusals of createBulk that end the run FAILED without a bulk (anything else is an outage, retried). */
const RUN_REFUSALS = [
  'insufficient_funds',
  'organization_inactive',
] as const satisfies readonly PensionRunFailureReason[];

function isRunRefusal(code: string): code is (typeof RUN_REFUSALS)[number] {
  return (RUN_REFUSALS as readonly string[]).includes(code);
}

export interface PeriodBulkRequest {
  organizationId: number;
  payerAccountId: number;
  /** YYYY-MM */
  period: string;
  proofOfLifeMaxAgeMonths: number;
  /** The workflow that asked, recorded for operators. */
  workflowId: string | null;
  /** The organization's schedule as Temporal holds it now (null: none), which the run must match. */
  schedule: ScheduledRun | null;
  /** Which period is the current one: a later period is refused. */
  now: Date;
}

export interface HeldOutBeneficiary {
  beneficiary_id: number;
  party_id_type: string;
  party_identifier: string;
  full_name: string;
  reason: HeldOutReason;
}

interface PensionRunRow {
  id: number;
  organization_id: number;
  period: string;
  payer_account_id: number;
  bulk_id: string | null;
  state: PensionRunState;
  failure_reason: string | null;
  eligible_count: number;
  held_out_count: number;
}

export async function createPeriodBulk(knex: Knex, request: PeriodBulkRequest): Promise<PeriodBulkOutcome> {
  checkRunIsScheduled(request, request.schedule, request.now);
  return knex.transaction(async (trx) => {
    const earlier = await lockRun(trx, request);
    // A run that failed before any bulk existed paid nothing: a new trigger (after a top-up) may try again.
    if (earlier && !(earlier.state === 'FAILED' && earlier.bulk_id === null)) return outcomeOf(earlier, false);
    // A deactivated organization's schedule still fires: the run ends FAILED with the reason, nothing reserved, and
    // a trigger after its reactivation builds the bulk (createBulk checks again under its organization lock).
    if (!(await isOrganizationActive(trx, request.organizationId))) {
      return recordFailure(trx, request, 'organization_inactive', null, emptySelection());
    }

    const account = await trx('accounts')
      .where({ id: request.payerAccountId, organization_id: request.organizationId })
      .first<{ currency: string } | undefined>('currency');
    if (!account) return recordFailure(trx, request, 'payer_account_not_found', null, emptySelection());

    const selection = await selectBeneficiaries(trx, request, account.currency.trim());
    if (selection.lines.count === 0) return recordFailure(trx, request, 'no_eligible_beneficiaries', null, selection);

    const bulkId = bulkIdForPeriod(request.organizationId, request.period);
    try {
      // A nested transaction (savepoint): refused funds undo the bulk, not the run's FAILED record below.
      await createBulk(trx, {
        bulkId,
        organizationId: request.organizationId,
        payerAccountId: request.payerAccountId,
        createdById: null,
        currency: account.currency.trim(),
        fileName: `pension-run-${request.period}`,
        fileSha256: null,
        source: 'SCHEDULE',
        idempotencyKey: null,
        allowDuplicate: true,
        lines: selection.lines,
        response: { status: 201, body: { bulkTransferId: bulkId, period: request.period } },
      });
    } catch (error) {
      if (error instanceof AppError && isRunRefusal(error.code)) {
        return recordFailure(trx, request, error.code, error.details ?? null, selection);
      }
      throw error;
    }
    await saveRun(trx, request, {
      state: 'PROCESSING',
      bulk_id: bulkId,
      failure_reason: null,
      failure_details: null,
      total_amount: selection.lines.total.toString(),
      currency: account.currency.trim(),
      completed_at: null,
      ...selectionColumns(selection),
    });
    return {
      period: request.period,
      state: 'PROCESSING',
      bulkId,
      created: true,
      failureReason: null,
      eligible: selection.lines.count,
      heldOut: selection.heldOut.length,
    };
  });
}

/** Takes the bulk's final state once it has closed; a run whose bulk is still open is left PROCESSING. */
export async function finishPensionRun(
  knex: Knex,
  organizationId: number,
  period: string,
): Promise<PeriodBulkOutcome | null> {
  const run = await knex('pension_runs')
    .where({ organization_id: organizationId, period })
    .first<PensionRunRow | undefined>();
  if (!run) return null;
  if (run.state !== 'PROCESSING' || run.bulk_id === null) return outcomeOf(run, false);
  const bulk = await knex('bulk_transfers')
    .where('bulk_id', run.bulk_id)
    .first<{ state: BulkState } | undefined>('state');
  if (bulk?.state !== 'COMPLETED' && bulk?.state !== 'FAILED') return outcomeOf(run, false);
  const [updated] = await knex('pension_runs')
    .where({ id: run.id, state: 'PROCESSING' })
    .update({
      state: bulk.state,
      failure_reason: bulk.state === 'FAILED' ? 'bulk_failed' : null,
      completed_at: knex.fn.now(),
      updated_at: knex.fn.now(),
    })
    .returning<PensionRunRow[]>('*');
  return outcomeOf(updated ?? run, false);
}

/** The id of a period's bulk: a name-based UUID (RFC 4122 version 5), the same whoever computes it. */
export function bulkIdForPeriod(organizationId: number, period: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(PENSION_RUN_NAMESPACE.replace(/-/g, ''), 'hex'))
    .update(`${organizationId}:${period}`)
    .digest();
  const bytes = hash.subarray(0, 16);
  // Version 5 in the high nibble of byte 6, the RFC 4122 variant in the two high bits of byte 8.
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Fixed forever: changing it would give an already paid period a new bulk id. */
const PENSION_RUN_NAMESPACE = '5d1c2b0e-7a43-4f2e-9a57-0c3e8f6b9d21';

/** Creates the run's row if needed and locks it: a concurrent trigger for the same period waits here. */
async function lockRun(trx: Knex.Transaction, request: PeriodBulkRequest): Promise<PensionRunRow | null> {
  const inserted = await trx('pension_runs')
    .insert({
      organization_id: request.organizationId,
      period: request.period,
      payer_account_id: request.payerAccountId,
      state: 'PROCESSING',
    })
    .onConflict(['organization_id', 'period'])
    .ignore()
    .returning<Array<{ id: number }>>('id');
  const run = await trx('pension_runs')
    .where({ organization_id: request.organizationId, period: request.period })
    .forUpdate()
    .first<PensionRunRow>();
  return inserted.length > 0 ? null : run;
}

interface Selection {
  lines: BulkLines;
  heldOut: HeldOutBeneficiary[];
}

function emptySelection(): Selection {
  return { lines: new BulkLines(), heldOut: [] };
}

/** Every beneficiary of the roll, in id order: the eligible ones become the bulk's lines, the others are listed. */
async function selectBeneficiaries(
  trx: Knex.Transaction,
  request: PeriodBulkRequest,
  payerCurrency: string,
): Promise<Selection> {
  const beneficiaries = await trx('beneficiaries')
    .where('organization_id', request.organizationId)
    .orderBy('id')
    .select<Beneficiary[]>(beneficiaryColumns(trx));
  const selection = emptySelection();
  const rules = { period: request.period, proofOfLifeMaxAgeMonths: request.proofOfLifeMaxAgeMonths, payerCurrency };
  for (const beneficiary of beneficiaries) {
    const verdict = eligibilityFor(
      {
        status: beneficiary.status,
        currency: beneficiary.currency,
        startDate: beneficiary.start_date,
        endDate: beneficiary.end_date,
        lastProofOfLife: beneficiary.last_proof_of_life,
      },
      rules,
    );
    if (verdict.eligible) {
      selection.lines.add(
        selection.lines.count + 1,
        beneficiary.party_id_type as PartyIdType,
        beneficiary.party_identifier,
        BigInt(beneficiary.monthly_amount),
        beneficiary.full_name,
      );
    } else {
      selection.heldOut.push({
        beneficiary_id: beneficiary.id,
        party_id_type: beneficiary.party_id_type,
        party_identifier: beneficiary.party_identifier,
        full_name: beneficiary.full_name,
        reason: verdict.reason,
      });
    }
  }
  return selection;
}

function selectionColumns(selection: Selection): Record<string, unknown> {
  return {
    eligible_count: selection.lines.count,
    held_out_count: selection.heldOut.length,
    held_out: JSON.stringify(selection.heldOut),
  };
}

async function recordFailure(
  trx: Knex.Transaction,
  request: PeriodBulkRequest,
  reason: PensionRunFailureReason,
  details: unknown,
  selection: Selection,
): Promise<PeriodBulkOutcome> {
  await saveRun(trx, request, {
    state: 'FAILED',
    bulk_id: null,
    failure_reason: reason,
    failure_details: details === null ? null : JSON.stringify(details),
    total_amount: selection.lines.total.toString(),
    currency: null,
    completed_at: trx.fn.now(),
    ...selectionColumns(selection),
  });
  return {
    period: request.period,
    state: 'FAILED',
    bulkId: null,
    created: true,
    failureReason: reason,
    eligible: selection.lines.count,
    heldOut: selection.heldOut.length,
  };
}

async function saveRun(
  trx: Knex.Transaction,
  request: PeriodBulkRequest,
  columns: Record<string, unknown>,
): Promise<void> {
  await trx('pension_runs')
    .where({ organization_id: request.organizationId, period: request.period })
    .update({
      ...columns,
      payer_account_id: request.payerAccountId,
      workflow_id: request.workflowId,
      updated_at: trx.fn.now(),
    });
}

function outcomeOf(run: PensionRunRow, created: boolean): PeriodBulkOutcome {
  return {
    period: run.period,
    state: run.state,
    bulkId: run.bulk_id,
    created,
    failureReason: run.failure_reason,
    eligible: run.eligible_count,
    heldOut: run.held_out_count,
  };
}
