/** The shapes of /api/bulk-transfers: the seed's fields with the seed's names and JSON types, then ours. */
import { z } from 'zod';
import { BULK_STATES } from '../../models';
import { TRANSFER_STATUSES } from '../../payouts/rules/transferStates';
import { Count, Currency, MinorUnits, minorUnits, PartyIdType, Timestamp, page } from './common';

const BulkState = z.enum(BULK_STATES);
export const TransferStatus = z.enum(TRANSFER_STATUSES);
const Percent = z.number().min(0).max(100).meta({ description: 'Two decimals.' });
const Line = z.int().min(1).meta({ description: 'The line in the uploaded file (header = 1).' });

const CsvWarning = z
  .object({ line: Line, code: z.literal('duplicate_line'), message: z.string(), duplicate_of_line: Line })
  .meta({
    id: 'CsvWarning',
    description: 'Not an error: a line paying the same payee the same amount as an earlier line.',
  });

export const BulkAccepted = z
  .object({
    bulkTransferId: z.uuid(),
    state: z.literal('PENDING'),
    transfers_count: z.int().min(1),
    total_amount: MinorUnits,
    currency: Currency,
    warnings: z.array(CsvWarning),
    warnings_truncated: z
      .literal(true)
      .optional()
      .meta({ description: 'Present when there were more warnings than reported.' }),
  })
  .meta({ id: 'BulkAccepted' });

const BulkHistoryEntry = z
  .object({
    id: z.int().min(1).meta({ description: "The seed's integer id. Every route takes `bulk_id`." }),
    bulk_id: z.uuid(),
    payer_account: z.string().meta({ description: 'The account_id paid from.' }),
    total_amount: MinorUnits,
    currency: Currency,
    state: BulkState,
    created_at: Timestamp,
    completed_at: Timestamp.nullable(),
    transfers_count: Count,
    completed_count: Count,
    failed_count: Count,
    file_name: z.string().nullable(),
  })
  .meta({ id: 'BulkHistoryEntry' });

export const BulkHistory = page(BulkHistoryEntry).meta({ id: 'BulkHistory' });

const UserRef = z.object({ id: z.int(), email: z.string() }).meta({ id: 'UserRef' });

const LineHold = z
  .object({
    reason: z.literal('name_mismatch').meta({ description: "The wallet's owner is not the pensioner expected." }),
    held_at: Timestamp,
    deadline: Timestamp.meta({ description: 'Undecided past it, the line fails `name_mismatch_rejected`.' }),
    decision: z.enum(['released', 'rejected', 'expired']).nullable(),
    decided_by: UserRef.nullable(),
    decided_at: Timestamp.nullable(),
  })
  .meta({ id: 'LineHold' });

const TransferDetail = z
  .object({
    id: z.int().min(1).meta({ description: "The seed's integer id of the line." }),
    transfer_id: z.uuid().meta({ description: 'Ours; also the idempotency key sent to Mojaloop (homeTransactionId).' }),
    line_number: Line,
    payee_party_id_type: PartyIdType,
    payee_party_identifier: z.string(),
    payee_name: z.string().nullable().meta({ description: 'As the payee FSP reported it during discovery.' }),
    payee_fsp_id: z.string().nullable(),
    amount: MinorUnits,
    currency: Currency,
    fee_amount: MinorUnits.nullable(),
    status: TransferStatus,
    attempt: z
      .int()
      .min(1)
      .meta({ description: 'Above 1 once retry-failed paid the line again (a new homeTransactionId each time).' }),
    mojaloop_transfer_id: z.string().nullable(),
    failure_code: z.string().nullable(),
    failure_message: z.string().nullable(),
    completed_at: Timestamp.nullable(),
    expected_payee_name: z.string().nullable().meta({
      description:
        "The payee name check: the pensioner's name from the roll, else the upload's `nom` column; null: the line is not checked.",
    }),
    name_match_score: z.number().min(0).max(1).nullable().meta({
      description: "How the wallet owner's name (payee_name) scored against expected_payee_name, 0 to 1.",
    }),
    hold: LineHold.nullable().meta({ description: 'Present once the line was held (ON_HOLD).' }),
  })
  .meta({ id: 'TransferDetail' });

const BulkApproval = z
  .object({
    required: z
      .boolean()
      .meta({ description: 'Whether this bulk had to be approved (its organization requires approval).' }),
    deadline: Timestamp.nullable().meta({
      description: 'Past it, an unapproved bulk ends FAILED and its funds are released.',
    }),
    approved_by: UserRef.nullable(),
    approved_at: Timestamp.nullable(),
    rejected_by: UserRef.nullable(),
    rejected_at: Timestamp.nullable(),
    rejection_reason: z.string().nullable(),
  })
  .meta({ id: 'BulkApproval', description: 'Maker-checker: who approved or rejected the bulk, and when.' });

const BulkCancellation = z
  .object({
    cancelled_at: Timestamp,
    cancelled_by: UserRef.nullable(),
    cancelled_by_operator: z
      .string()
      .nullable()
      .meta({ description: 'The operator named in a cancel sent from the Temporal Web UI or CLI.' }),
    cancelled_transfers: Count,
  })
  .meta({
    id: 'BulkCancellation',
    description: 'Present once the bulk was cancelled: its unsent lines were not sent (FAILED `cancelled`).',
  });

const PayerAccount = z
  .object({ account_id: z.string(), party_id_type: PartyIdType, party_identifier: z.string() })
  .meta({ id: 'PayerAccount', description: 'The account the bulk is paid from.' });

export const BulkDetails = z
  .object({
    bulk_id: z.uuid(),
    payer_account: PayerAccount,
    organization: z.object({ code: z.string(), name: z.string() }),
    state: BulkState,
    total_amount: MinorUnits,
    currency: Currency,
    created_at: Timestamp,
    completed_at: Timestamp.nullable(),
    failure_reason: z.string().nullable(),
    created_by: UserRef.nullable(),
    approval: BulkApproval,
    cancellation: BulkCancellation.nullable(),
    retry_count: Count.meta({ description: 'How many times retry-failed sent failed lines again.' }),
    statistics: z.object({
      total: Count,
      completed: Count,
      failed: Count,
      pending: Count,
      processing: Count,
      held: Count.meta({ description: 'Lines ON_HOLD: the payee name check awaits a decision on each.' }),
      cancelled: Count.meta({
        description: 'Lines not sent because the bulk was cancelled (counted in `failed` too, code `cancelled`).',
      }),
      success_rate: Percent.meta({ description: 'Percent of the lines paid, two decimals.' }),
    }),
    individual_transfers: z
      .array(TransferDetail)
      .meta({ description: 'A page of the lines matching the filters, in file order.' }),
    individual_transfers_count: Count.meta({ description: 'All lines of the bulk.' }),
    matching_transfers_count: Count.meta({
      description: 'The lines matching `status` and `failure_code` (all of them without filters).',
    }),
    limit: z.int().min(1),
    offset: Count,
  })
  .meta({ id: 'BulkDetails' });

export const BulkStatus = z
  .object({
    bulkTransferId: z.uuid(),
    state: BulkState,
    total: Count,
    completed: Count,
    failed: Count,
    pending: Count,
    processing: Count,
    held: Count.meta({ description: 'Lines ON_HOLD, awaiting a decision on the payee name check.' }),
    progress_percent: Percent.meta({ description: 'Percent of the lines finished (paid or failed).' }),
    source: z.enum(['workflow', 'database']).meta({
      description:
        'Where the counts come from: the running workflow (live), or the database when it has closed, is unknown or slow.',
    }),
    individualTransfers: z
      .array(
        z.object({
          transfer_id: z.uuid(),
          line_number: Line,
          status: TransferStatus,
          failure_code: z.string().nullable(),
        }),
      )
      .meta({ description: 'The first `limit` lines, in file order.' }),
  })
  .meta({ id: 'BulkStatus' });

export const RejectRequest = z
  .object({ reason: z.string().trim().min(1).max(500).meta({ description: "Shown in the bulk's failure reason." }) })
  .strict()
  .meta({ id: 'RejectRequest' });

export const HoldDecided = z
  .object({
    bulkTransferId: z.uuid(),
    transfer_id: z.uuid(),
    line_number: Line,
    status: TransferStatus.meta({
      description: 'PROCESSING once released (found again, quoted, paid); FAILED once rejected.',
    }),
    failure_code: z.string().nullable(),
  })
  .meta({ id: 'HoldDecided' });

export const ApprovalDecision = z
  .object({ bulkTransferId: z.uuid(), state: BulkState, failure_reason: z.string().nullable(), approval: BulkApproval })
  .meta({ id: 'ApprovalDecision' });

export const BulkCancelled = z
  .object({
    bulkTransferId: z.uuid(),
    cancelled_transfers: Count.meta({ description: 'Lines that will not be sent.' }),
    released_amount: minorUnits('Given back to the payer account (available again).'),
    currency: Currency,
  })
  .meta({ id: 'BulkCancelled' });

export const BulkRetried = z
  .object({
    bulkTransferId: z.uuid(),
    state: z.enum(['PROCESSING', 'AWAITING_APPROVAL']).meta({
      description:
        "AWAITING_APPROVAL when the bulk's organization requires approval: the retried lines are paid once a second user (neither the bulk's creator nor the retry's requester) approves.",
    }),
    retried_transfers: Count.meta({ description: 'Failed lines sent again, each as a new attempt.' }),
    reserved_amount: minorUnits('Reserved again on the payer account for them.'),
    currency: Currency,
  })
  .meta({ id: 'BulkRetried' });
