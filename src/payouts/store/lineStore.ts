/**
 * Every write the payout activities make, as guarded SQL. Each UPDATE names the state it expects
 * (`where status in (...)`, `where transfer_sent_at is null`, ...), so running it twice changes nothing the
 * second time: Temporal retries activities, and a retry must never move money again. Settlement happens in
 * the same transaction as the status change that makes a line final, so it happens exactly once.
 */
import type { Knex } from 'knex';
import type { TransferPageEntry } from '../contract';
import { applyAccountChange } from '../../accounts/store/journalStore';
import {
  type BulkForPaying,
  payabilityRefusal,
  type PayabilityRefusal,
  type StoredQuoteFigures,
} from '../rules/paymentGates';
import {
  type BulkCounts,
  type FinalTransferStatus,
  isFinalStatus,
  settlementKind,
  statusesAllowedBefore,
  type TransferStatus,
} from '../rules/transferStates';
import type { RecordedDeliveries } from '../../webhooks/store/eventStore';
import { recordWebhookEvent } from './payoutEventStore';

/** One line as the payout steps need it, with the payer's party (the bulk's account). */
export interface PayoutTransferRow {
  transfer_id: string;
  bulk_id: string;
  line_number: number;
  payee_party_id_type: string;
  payee_party_identifier: string;
  /** Minor units, decimal string. */
  amount: string;
  currency: string;
  status: TransferStatus;
  /** 1, or more once retry-failed has paid the line again: part of its identity at Mojaloop. */
  attempt: number;
  mojaloop_transfer_id: string | null;
  quote_id: string | null;
  quote_expiration: Date | null;
  /** The quote's figures as recorded (minor units), checked again before sending. */
  quote_figures: StoredQuoteFigures | null;
  transfer_sent_at: Date | null;
  /** Until when the sent transfer may still commit at the switch (set with transfer_sent_at). */
  transfer_expiration: Date | null;
  /** The name the wallet's owner must have (roll or `nom`); null: no name check for this line. */
  expected_payee_name: string | null;
  /** The owner's name as the switch gave it at discovery, and its score against the expected one. */
  payee_name: string | null;
  name_match_score: number | null;
  /** The owner's name a GESTIONNAIRE accepted by releasing the line's hold: found again, it passes the check. */
  released_payee_name: string | null;
  hold_deadline: Date | null;
  payer_party_id_type: string;
  payer_party_identifier: string;
  /** The line's bulk and organization, as the gate of every step that talks to the switch reads them. */
  bulk: BulkForPaying;
}

interface PayoutTransferJoinedRow extends Omit<PayoutTransferRow, 'bulk'> {
  bulk_state: string;
  bulk_cancelled_at: Date | null;
  bulk_approval_required: boolean;
  bulk_approved_at: Date | null;
  organization_active: boolean;
}

/**
 * The bulk's cancel as it applies to one line (`t`) of it (`b`): none when a retry-failed made this line a new attempt
 * after the cancel (transfer_attempts.retried_at is later), since asking for the retry was a decision, taken after
 * the cancel, to pay that line again. A cancel sent after the retry is dated after it (cancelBulk), so it stops the
 * line again.
 */
const CANCEL_FOR_LINE = `case when exists (
    select 1 from transfer_attempts a where a.transfer_id = t.transfer_id and a.retried_at >= b.cancelled_at
  ) then null else b.cancelled_at end as bulk_cancelled_at`;

/** What the gate reads of a line's bulk (`b`) and organization (`o`), as bulkForPaying takes it. */
function bulkForPayingColumns(knex: Knex) {
  return [
    'b.state as bulk_state',
    knex.raw(CANCEL_FOR_LINE),
    'b.approval_required as bulk_approval_required',
    'b.approved_at as bulk_approved_at',
    'o.is_active as organization_active',
  ];
}

/**
 * What one execution of a line's steps acts on: the line's attempt and, once the steps have read them, its adapter
 * transfer and quote. A write given a pin changes nothing once the row names another of them: the line has moved
 * on (a retry made it a new attempt, another execution found the payee again) and the write belongs to no one.
 */
export interface LinePin {
  attempt?: number;
  /** null: none recorded (a step that records one fills an empty slot only). */
  mojaloopTransferId?: string | null;
  quoteId?: string | null;
}

/** Adds the pin's conditions to a query on individual_transfers (unaliased); undefined: no condition. */
function wherePinned<Query extends Knex.QueryBuilder>(query: Query, pin: LinePin | undefined): Query {
  if (pin?.attempt !== undefined) query.where('attempt', pin.attempt);
  for (const [column, value] of [
    ['mojaloop_transfer_id', pin?.mojaloopTransferId],
    ['quote_id', pin?.quoteId],
  ] as const) {
    if (value === null) query.whereNull(column);
    else if (value !== undefined) query.where(column, value);
  }
  return query;
}

export async function loadPayoutTransfer(knex: Knex, transferId: string): Promise<PayoutTransferRow | null> {
  const row = await knex('individual_transfers as t')
    .join('bulk_transfers as b', 'b.bulk_id', 't.bulk_id')
    .join('accounts as a', 'a.id', 'b.payer_account_id')
    .join('organizations as o', 'o.id', 'b.organization_id')
    .where('t.transfer_id', transferId)
    .first<PayoutTransferJoinedRow | undefined>(
      't.transfer_id',
      't.bulk_id',
      't.line_number',
      't.payee_party_id_type',
      't.payee_party_identifier',
      't.amount',
      't.currency',
      't.status',
      't.attempt',
      't.mojaloop_transfer_id',
      't.quote_id',
      't.quote_expiration',
      't.quote_figures',
      't.transfer_sent_at',
      't.transfer_expiration',
      't.expected_payee_name',
      't.payee_name',
      't.name_match_score',
      't.released_payee_name',
      't.hold_deadline',
      'a.party_id_type as payer_party_id_type',
      'a.party_identifier as payer_party_identifier',
      ...bulkForPayingColumns(knex),
    );
  if (!row) return null;
  const { bulk_state, bulk_cancelled_at, bulk_approval_required, bulk_approved_at, organization_active, ...line } = row;
  return {
    ...line,
    bulk: bulkForPaying({
      bulk_state,
      bulk_cancelled_at,
      bulk_approval_required,
      bulk_approved_at,
      organization_active,
    }),
  };
}

function bulkForPaying(
  row: Pick<
    PayoutTransferJoinedRow,
    'bulk_state' | 'bulk_cancelled_at' | 'bulk_approval_required' | 'bulk_approved_at' | 'organization_active'
  >,
): BulkForPaying {
  return {
    state: row.bulk_state,
    cancelled: row.bulk_cancelled_at !== null,
    approvalRequired: row.bulk_approval_required,
    approved: row.bulk_approved_at !== null,
    organizationActive: row.organization_active,
  };
}

export async function transferStatus(knex: Knex, transferId: string): Promise<TransferStatus | null> {
  const row = await knex('individual_transfers')
    .where('transfer_id', transferId)
    .first<{ status: TransferStatus } | undefined>('status');
  return row?.status ?? null;
}

/** How the wallet owner's name compared with the expected one (src/payouts/rules/payeeNameMatch.ts). */
export type NameCheckOutcome =
  { kind: 'unchecked' } | { kind: 'matched'; score: number | null } | { kind: 'held'; score: number; holdMs: number };

/**
 * Step 1 done: the adapter found the payee. Only on a line not yet sent; the status becomes PROCESSING, or ON_HOLD
 * (`name_mismatch`, with its deadline) when the owner's name is not the one expected: both in one statement, so a
 * line is never PROCESSING with a name that failed the check. `pin`: the discovery's (its attempt, and no adapter
 * transfer recorded yet: another execution's, once recorded, is the line's).
 */
export async function recordPayeeDiscovered(
  knex: Knex,
  transferId: string,
  payee: { mojaloopTransferId: string; payeeName: string | null; payeeFspId: string | null },
  nameCheck: NameCheckOutcome = { kind: 'unchecked' },
  deliveries: RecordedDeliveries = [],
  pin: LinePin = {},
): Promise<boolean> {
  const held = nameCheck.kind === 'held';
  if (!held) return (await updateDiscovered(knex, transferId, payee, nameCheck, pin)) === 1;
  // A hold is announced (transfer.on_hold) in the transaction that makes it.
  return knex.transaction(async (trx) => {
    if ((await updateDiscovered(trx, transferId, payee, nameCheck, pin)) !== 1) return false;
    deliveries.push(...(await recordWebhookEvent(trx, { type: 'transfer.on_hold', transferId })));
    return true;
  });
}

function updateDiscovered(
  knex: Knex,
  transferId: string,
  payee: { mojaloopTransferId: string; payeeName: string | null; payeeFspId: string | null },
  nameCheck: NameCheckOutcome,
  pin: LinePin,
): Promise<number> {
  const held = nameCheck.kind === 'held';
  const update = knex('individual_transfers')
    .where('transfer_id', transferId)
    .whereIn('status', ['PENDING', 'PROCESSING'])
    .whereNull('transfer_sent_at');
  return wherePinned(update, pin).update({
    status: held ? 'ON_HOLD' : 'PROCESSING',
    name_match_score: nameCheck.kind === 'unchecked' ? null : nameCheck.score,
    ...(held
      ? {
          hold_reason: 'name_mismatch',
          held_at: knex.fn.now(),
          hold_deadline: knex.raw('now() + make_interval(secs => ?)', [nameCheck.holdMs / 1000]),
        }
      : {}),
    mojaloop_transfer_id: payee.mojaloopTransferId,
    payee_name: payee.payeeName,
    payee_fsp_id: payee.payeeFspId,
    quote_id: null,
    fee_amount: null,
    quote_expiration: null,
    quote_figures: null,
    updated_at: knex.fn.now(),
  });
}

/**
 * Drops an adapter transfer that can no longer reach a quote, so discovery starts a new one. Only while no
 * quote was recorded and nothing was sent: at that point no money can have moved.
 */
export async function forgetPayeeDiscovery(
  knex: Knex,
  transferId: string,
  mojaloopTransferId: string,
  pin: LinePin = {},
): Promise<boolean> {
  const forget = knex('individual_transfers')
    .where({ transfer_id: transferId, mojaloop_transfer_id: mojaloopTransferId, status: 'PROCESSING' })
    .whereNull('quote_id')
    .whereNull('transfer_sent_at');
  const updated = await wherePinned(forget, pin).update({
    mojaloop_transfer_id: null,
    updated_at: knex.fn.now(),
  });
  return updated === 1;
}

/** Step 2 done: the quote for this adapter transfer (`pin`: the quote step's, its attempt and no quote recorded yet). */
export async function recordQuote(
  knex: Knex,
  transferId: string,
  mojaloopTransferId: string,
  quote: { quoteId: string; feeAmount: bigint | null; quoteExpiration: Date | null; figures: StoredQuoteFigures },
  pin: LinePin = {},
): Promise<boolean> {
  const record = knex('individual_transfers')
    .where({ transfer_id: transferId, mojaloop_transfer_id: mojaloopTransferId, status: 'PROCESSING' })
    .whereNull('transfer_sent_at');
  const updated = await wherePinned(record, pin).update({
    quote_id: quote.quoteId,
    fee_amount: quote.feeAmount === null ? null : quote.feeAmount.toString(),
    quote_expiration: quote.quoteExpiration,
    quote_figures: JSON.stringify(quote.figures),
    updated_at: knex.fn.now(),
  });
  return updated === 1;
}

export type SendClaim = { claimed: true } | { claimed: false; refusal: PayabilityRefusal | null };

/**
 * Marks the line as sent, BEFORE the only call that moves money, and only while its bulk is open for paying: the
 * bulk and organization rows are read `for share` in the same transaction, so a cancel, a rejection or a
 * deactivation (which update them) is either seen here or waits until the claim is made. `claimed`: the caller
 * may send; the transfer's expiration is fixed now. Not claimed with a refusal: the bulk may not be paid. Not
 * claimed without one: it was claimed already (a retry, or a crash after sending): ask the switch, never re-send;
 * or, with a pin, the line has moved on from what the caller read.
 */
export async function claimTransferSend(
  knex: Knex,
  transferId: string,
  transferExpiryMs: number,
  pin: LinePin = {},
): Promise<SendClaim> {
  return knex.transaction(async (trx) => {
    const bulk = await trx('individual_transfers as t')
      .join('bulk_transfers as b', 'b.bulk_id', 't.bulk_id')
      .join('organizations as o', 'o.id', 'b.organization_id')
      .where('t.transfer_id', transferId)
      .forShare('b', 'o')
      .first<Parameters<typeof bulkForPaying>[0] | undefined>(...bulkForPayingColumns(trx));
    if (!bulk) return { claimed: false, refusal: null };
    const refusal = payabilityRefusal(bulkForPaying(bulk));
    if (refusal) return { claimed: false, refusal };
    const claim = trx('individual_transfers')
      .where({ transfer_id: transferId, status: 'PROCESSING' })
      .whereNotNull('quote_id')
      .whereNull('transfer_sent_at');
    // Pinned: the adapter transfer and quote the caller is about to send, so a stale caller never sends an old one.
    const updated = await wherePinned(claim, pin).update({
      transfer_sent_at: trx.fn.now(),
      transfer_expiration: trx.raw('now() + make_interval(secs => ?)', [transferExpiryMs / 1000]),
      updated_at: trx.fn.now(),
    });
    return updated === 1 ? { claimed: true } : { claimed: false, refusal: null };
  });
}

/**
 * Undoes claimTransferSend when the send provably never left (the adapter refused the connection: no byte of the
 * request was written), so the retry sends it. Without this, a line whose send met a short adapter outage would
 * wait for its quote to expire and fail unpaid. Guarded like the claim: only a line still PROCESSING and claimed.
 */
export async function releaseTransferSend(knex: Knex, transferId: string, pin: LinePin = {}): Promise<boolean> {
  const release = knex('individual_transfers')
    .where({ transfer_id: transferId, status: 'PROCESSING' })
    .whereNotNull('transfer_sent_at');
  const updated = await wherePinned(release, pin).update({
    transfer_sent_at: null,
    transfer_expiration: null,
    updated_at: knex.fn.now(),
  });
  return updated === 1;
}

export type FinalOutcome =
  | { status: 'COMPLETED'; fulfilment: string | null; completedAt: Date | null }
  | { status: 'FAILED'; failureCode: string; failureMessage: string };

/**
 * Makes the line final and settles the payer account in one transaction: paid -> balance and reservation drop
 * by the amount (a `debit` in the journal); failed -> the reservation is given back (a `release`). The guard on
 * the current status makes it exactly once.
 * `onlyIfNotSent` refuses to fail a line whose transfer was sent (its outcome must be asked, not assumed).
 * The line's `transfer.completed` / `transfer.failed` webhook event is recorded in the same transaction; its
 * deliveries are added to `deliveries`, to be started once committed.
 * `pin`: only the attempt (adapter transfer, quote) the caller acts on.
 * Returns the line's final state (set now or earlier), or null when the line is not final (or, pinned, has moved on).
 */
export async function settleTransfer(
  knex: Knex,
  transferId: string,
  outcome: FinalOutcome,
  options: { onlyIfNotSent?: boolean; deliveries?: RecordedDeliveries; pin?: LinePin } = {},
): Promise<SettledLine | null> {
  return knex.transaction(async (trx) => {
    const update = trx('individual_transfers')
      .where('transfer_id', transferId)
      .whereIn('status', statusesAllowedBefore(outcome.status));
    if (options.onlyIfNotSent) update.whereNull('transfer_sent_at');
    wherePinned(update, options.pin);
    // The payer account comes back with the line: one round trip less on every line paid.
    const [settled] = await update
      .update(finalColumns(trx, outcome))
      .returning<Array<{ bulk_id: string; amount: string; attempt: number; payer_account_id: number }>>([
        'bulk_id',
        'amount',
        'attempt',
        trx.raw(
          '(select b.payer_account_id from bulk_transfers b where b.bulk_id = individual_transfers.bulk_id) as payer_account_id',
        ),
      ]);

    if (!settled) return finalLineState(trx, transferId, options.pin);
    // One journal row per settled attempt: `debit` consumes the hold and the money together, `release` gives the hold back.
    await applyAccountChange(trx, {
      accountId: settled.payer_account_id,
      kind: settlementKind(outcome.status),
      amount: BigInt(settled.amount),
      bulkId: settled.bulk_id,
      transferId,
      attempt: settled.attempt,
    });
    const type = outcome.status === 'COMPLETED' ? 'transfer.completed' : 'transfer.failed';
    options.deliveries?.push(...(await recordWebhookEvent(trx, { type, transferId })));
    return { status: outcome.status, failureCode: outcome.status === 'FAILED' ? storedFailureCode(outcome) : null };
  });
}

/** A line's final state: its status and, when it failed, the code stored with it. */
export interface SettledLine {
  status: FinalTransferStatus;
  failureCode: string | null;
}

/** The line's final state as stored (whoever made it final), or null while it is not final (or not as pinned). */
export async function finalLineState(knex: Knex, transferId: string, pin?: LinePin): Promise<SettledLine | null> {
  const row = await wherePinned(knex('individual_transfers').where('transfer_id', transferId), pin).first<
    { status: TransferStatus; failure_code: string | null } | undefined
  >('status', 'failure_code');
  if (!row || !isFinalStatus(row.status)) return null;
  return { status: row.status, failureCode: row.failure_code };
}

/** failure_code is 64 characters wide. */
function storedFailureCode(outcome: Extract<FinalOutcome, { status: 'FAILED' }>): string {
  return outcome.failureCode.slice(0, 64);
}

function finalColumns(knex: Knex, outcome: FinalOutcome): Record<string, unknown> {
  if (outcome.status === 'COMPLETED') {
    return {
      status: 'COMPLETED',
      fulfilment: outcome.fulfilment,
      completed_at: outcome.completedAt ?? knex.fn.now(),
      failure_code: null,
      failure_message: null,
      updated_at: knex.fn.now(),
    };
  }
  return {
    status: 'FAILED',
    failure_code: storedFailureCode(outcome),
    failure_message: outcome.failureMessage.slice(0, 500),
    completed_at: knex.fn.now(),
    updated_at: knex.fn.now(),
  };
}

/** Lines after `afterLineNumber`, in line order (keyset on the unique (bulk_id, line_number) index). */
export async function listTransferPage(
  knex: Knex,
  bulkId: string,
  afterLineNumber: number,
  limit: number,
): Promise<TransferPageEntry[]> {
  const rows = await knex('individual_transfers')
    .where('bulk_id', bulkId)
    .andWhere('line_number', '>', afterLineNumber)
    .orderBy('line_number', 'asc')
    .limit(limit)
    .select<
      Array<{
        transfer_id: string;
        line_number: number;
        status: TransferStatus;
        attempt: number;
        payee_party_id_type: string;
        payee_party_identifier: string;
        amount: string;
        currency: string;
        hold_deadline: Date | null;
      }>
    >(
      'transfer_id',
      'line_number',
      'status',
      'attempt',
      'payee_party_id_type',
      'payee_party_identifier',
      'amount',
      'currency',
      'hold_deadline',
    );
  return rows.map((row) => ({
    transferId: row.transfer_id,
    lineNumber: row.line_number,
    status: row.status,
    attempt: row.attempt,
    payeeIdType: row.payee_party_id_type,
    payeeIdentifier: row.payee_party_identifier,
    amount: row.amount,
    currency: row.currency,
    ...(row.status === 'ON_HOLD' && row.hold_deadline ? { holdDeadline: row.hold_deadline.toISOString() } : {}),
  }));
}

/**
 * A bulk's lines by status, as Postgres keeps them (bulk_line_counts). Every status counts in `total`, so a line
 * PENDING, PROCESSING or ON_HOLD keeps the bulk unfinished (bulkOutcome): a held line's money is still reserved.
 */
export async function countBulkTransfers(knex: Knex, bulkId: string): Promise<BulkCounts> {
  const rows = await knex('bulk_line_counts')
    .where('bulk_id', bulkId)
    .select<Array<{ status: TransferStatus; lines: string }>>('status', 'lines');
  const byStatus = (status: TransferStatus): number => Number(rows.find((row) => row.status === status)?.lines ?? 0);
  const total = rows.reduce((sum, row) => sum + Number(row.lines), 0);
  return { total, completed: byStatus('COMPLETED'), failed: byStatus('FAILED') };
}

/** Where a bulk's line stands, as the bulk workflow checks a line's report against it. */
export interface LineStanding {
  status: TransferStatus;
  attempt: number;
  /** ISO time, on a line ON_HOLD only. */
  holdDeadline?: string;
}

export async function lineStanding(knex: Knex, bulkId: string, lineNumber: number): Promise<LineStanding | null> {
  const row = await knex('individual_transfers')
    .where({ bulk_id: bulkId, line_number: lineNumber })
    .first<{ status: TransferStatus; attempt: number; hold_deadline: Date | null } | undefined>(
      'status',
      'attempt',
      'hold_deadline',
    );
  if (!row) return null;
  return {
    status: row.status,
    attempt: row.attempt,
    ...(row.status === 'ON_HOLD' && row.hold_deadline ? { holdDeadline: row.hold_deadline.toISOString() } : {}),
  };
}
