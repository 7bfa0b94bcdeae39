/**
 * What the bulk read endpoints show, as SQL. Everything is scoped by the caller's organization in the route;
 * these functions take ids. Counts per status come from one grouped query, never one query per bulk.
 * Amounts are bigint minor units (answered as JSON integers).
 */
import type { PartyIdType } from '../../domain/partyIdTypes';
import type { Knex } from 'knex';
import { CANCELLED_CODE } from '../rules/bulkDecisionRules';
import type { BulkState } from '../../models';
import type { TransferStatus } from '../rules/transferStates';
import type { BulkProgress } from '../contract';

export interface HistoryFilters {
  state: BulkState | null;
  /** YYYY-MM-DD, inclusive, in UTC. */
  startDate: string | null;
  endDate: string | null;
  limit: number;
  offset: number;
}

export interface HistoryEntry {
  /** The seed's integer id; bulk_id is the key every other route takes. */
  id: number;
  bulk_id: string;
  payer_account: string;
  total_amount: bigint;
  currency: string;
  state: BulkState;
  created_at: string;
  completed_at: string | null;
  transfers_count: number;
  completed_count: number;
  failed_count: number;
  file_name: string | null;
}

/** An organization's bulks, newest first, with the total matching the filters. */
export async function listBulkHistory(
  knex: Knex,
  organizationId: number,
  filters: HistoryFilters,
): Promise<{ total: number; entries: HistoryEntry[] }> {
  const matching = knex('bulk_transfers as b').where('b.organization_id', organizationId);
  if (filters.state) matching.andWhere('b.state', filters.state);
  if (filters.startDate)
    matching.andWhereRaw(`b.created_at >= (?::date)::timestamp at time zone 'UTC'`, [filters.startDate]);
  if (filters.endDate)
    matching.andWhereRaw(`b.created_at < (?::date + 1)::timestamp at time zone 'UTC'`, [filters.endDate]);

  const counted = await matching.clone().count<{ count: string }[]>('* as count');
  const rows = await matching
    .clone()
    .join('accounts as a', 'a.id', 'b.payer_account_id')
    .orderBy([
      { column: 'b.created_at', order: 'desc' },
      { column: 'b.bulk_id', order: 'desc' },
    ])
    .limit(filters.limit)
    .offset(filters.offset)
    .select<
      Array<{
        id: string;
        bulk_id: string;
        account_id: string;
        total_amount: string;
        currency: string;
        state: BulkState;
        created_at: Date;
        completed_at: Date | null;
        transfers_count: number;
        file_name: string | null;
      }>
    >(
      'b.id',
      'b.bulk_id',
      'a.account_id',
      'b.total_amount',
      'b.currency',
      'b.state',
      'b.created_at',
      'b.completed_at',
      'b.transfers_count',
      'b.file_name',
    );

  const finished = await finishedCounts(
    knex,
    rows.map((row) => row.bulk_id),
  );
  const entries = rows.map((row) => ({
    id: Number(row.id),
    bulk_id: row.bulk_id,
    payer_account: row.account_id,
    total_amount: BigInt(row.total_amount),
    currency: row.currency.trim(),
    state: row.state,
    created_at: row.created_at.toISOString(),
    completed_at: row.completed_at?.toISOString() ?? null,
    transfers_count: row.transfers_count,
    completed_count: finished.get(row.bulk_id)?.completed ?? 0,
    failed_count: finished.get(row.bulk_id)?.failed ?? 0,
    file_name: row.file_name,
  }));
  return { total: Number(counted[0]?.count ?? 0), entries };
}

async function finishedCounts(
  knex: Knex,
  bulkIds: string[],
): Promise<Map<string, { completed: number; failed: number }>> {
  if (bulkIds.length === 0) return new Map();
  // From the counts Postgres keeps (see progressFromDatabase): a page of large bulks costs a few rows each.
  const rows = await knex('bulk_line_counts')
    .whereIn('bulk_id', bulkIds)
    .groupBy('bulk_id')
    .select<Array<{ bulk_id: string; completed: string; failed: string }>>(
      'bulk_id',
      knex.raw(`coalesce(sum(lines) filter (where status = 'COMPLETED'), 0) as completed`),
      knex.raw(`coalesce(sum(lines) filter (where status = 'FAILED'), 0) as failed`),
    );
  return new Map(rows.map((row) => [row.bulk_id, { completed: Number(row.completed), failed: Number(row.failed) }]));
}

/** The account a bulk is paid from, as the seed's details show it. */
export interface PayerAccount {
  account_id: string;
  party_id_type: PartyIdType;
  party_identifier: string;
}

export interface BulkSummary {
  bulk_id: string;
  organization_id: number;
  /** Null for a bulk built by the monthly schedule. */
  created_by_id: number | null;
  payer_account: PayerAccount;
  organization: { code: string; name: string };
  state: BulkState;
  total_amount: bigint;
  currency: string;
  transfers_count: number;
  created_at: string;
  completed_at: string | null;
  failure_reason: string | null;
}

export async function loadBulkSummary(knex: Knex, bulkId: string): Promise<BulkSummary | null> {
  const row = await knex('bulk_transfers as b')
    .join('accounts as a', 'a.id', 'b.payer_account_id')
    .join('organizations as o', 'o.id', 'b.organization_id')
    .where('b.bulk_id', bulkId)
    .first<
      | {
          bulk_id: string;
          organization_id: number;
          created_by_id: number | null;
          account_id: string;
          party_id_type: PartyIdType;
          party_identifier: string;
          code: string;
          name: string;
          state: BulkState;
          total_amount: string;
          currency: string;
          transfers_count: number;
          created_at: Date;
          completed_at: Date | null;
          failure_reason: string | null;
        }
      | undefined
    >(
      'b.bulk_id',
      'b.organization_id',
      'b.created_by_id',
      'a.account_id',
      'a.party_id_type',
      'a.party_identifier',
      'o.code',
      'o.name',
      'b.state',
      'b.total_amount',
      'b.currency',
      'b.transfers_count',
      'b.created_at',
      'b.completed_at',
      'b.failure_reason',
    );
  if (!row) return null;
  return {
    bulk_id: row.bulk_id,
    organization_id: row.organization_id,
    created_by_id: row.created_by_id,
    payer_account: {
      account_id: row.account_id,
      party_id_type: row.party_id_type,
      party_identifier: row.party_identifier,
    },
    organization: { code: row.code, name: row.name },
    state: row.state,
    total_amount: BigInt(row.total_amount),
    currency: row.currency.trim(),
    transfers_count: row.transfers_count,
    created_at: row.created_at.toISOString(),
    completed_at: row.completed_at?.toISOString() ?? null,
    failure_reason: row.failure_reason,
  };
}

/**
 * Lines per status, from the database (the truth once the workflow has closed): the counts Postgres keeps with every
 * change of a line (bulk_line_counts, see its migration), a row per status whatever the bulk's size.
 */
export async function progressFromDatabase(knex: Knex, bulkId: string): Promise<BulkProgress> {
  const rows = await knex('bulk_line_counts')
    .where('bulk_id', bulkId)
    .select<Array<{ status: string; lines: string }>>('status', 'lines');
  const byStatus = (status: string): number => Number(rows.find((row) => row.status === status)?.lines ?? 0);
  const progress = {
    completed: byStatus('COMPLETED'),
    failed: byStatus('FAILED'),
    pending: byStatus('PENDING'),
    processing: byStatus('PROCESSING'),
    held: byStatus('ON_HOLD'),
  };
  const { completed, failed, pending, processing, held } = progress;
  return { ...progress, total: completed + failed + pending + processing + held };
}

export interface TransferDetail {
  /** The seed's integer id; transfer_id is our key (and the homeTransactionId sent to Mojaloop). */
  id: number;
  transfer_id: string;
  line_number: number;
  payee_party_id_type: PartyIdType;
  payee_party_identifier: string;
  payee_name: string | null;
  payee_fsp_id: string | null;
  amount: bigint;
  currency: string;
  fee_amount: bigint | null;
  status: TransferStatus;
  /** 1, or more once retry-failed paid the line again (earlier attempts' failures are in transfer_attempts). */
  attempt: number;
  mojaloop_transfer_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  completed_at: string | null;
  /** The payee name check: the name expected (null: not checked) and how the owner's name scored against it. */
  expected_payee_name: string | null;
  name_match_score: number | null;
  hold: LineHold | null;
}

/** Present once the line was held: why, until when, and what was decided. */
export interface LineHold {
  reason: 'name_mismatch';
  held_at: string;
  deadline: string;
  decision: 'released' | 'rejected' | 'expired' | null;
  decided_by: UserRef | null;
  decided_at: string | null;
}

/** pg answers bigint columns as strings. */
interface RawAmounts {
  id: string;
  amount: string;
  fee_amount: string | null;
  completed_at: Date | null;
}

interface RawHold {
  hold_reason: LineHold['reason'] | null;
  held_at: Date | null;
  hold_deadline: Date | null;
  hold_decision: LineHold['decision'];
  hold_decided_by_id: number | null;
  hold_decided_by_email: string | null;
  hold_decided_at: Date | null;
}

export interface LineFilters {
  status: string | null;
  failureCode: string | null;
  limit: number;
  offset: number;
}

/** How many of a bulk's lines match the filters (all of them when there is none). */
export async function countTransferDetails(knex: Knex, bulkId: string, filters: LineFilters): Promise<number> {
  const [row] = await matchingLines(knex, bulkId, filters).count<Array<{ count: string }>>('* as count');
  return Number(row?.count ?? 0);
}

function matchingLines(knex: Knex, bulkId: string, filters: LineFilters): Knex.QueryBuilder {
  const query = knex('individual_transfers as t').where('t.bulk_id', bulkId);
  if (filters.status !== null) query.andWhere('t.status', filters.status);
  if (filters.failureCode !== null) query.andWhere('t.failure_code', filters.failureCode);
  return query;
}

/** A page of a bulk's lines matching the filters, in file order. */
export async function listTransferDetails(knex: Knex, bulkId: string, filters: LineFilters): Promise<TransferDetail[]> {
  const { limit, offset } = filters;
  const rows = await selectTransferDetails(
    matchingLines(knex, bulkId, filters).orderBy('t.line_number', 'asc').limit(limit).offset(offset),
  );
  return rows.map(toTransferDetail);
}

/** These lines as /details shows them, in file order (what a webhook event about them carries). */
export async function loadTransferDetails(knex: Knex, transferIds: readonly string[]): Promise<TransferDetail[]> {
  const rows = await selectTransferDetails(
    knex('individual_transfers as t').whereIn('t.transfer_id', transferIds).orderBy('t.line_number', 'asc'),
  );
  return rows.map(toTransferDetail);
}

type TransferDetailRow = Omit<TransferDetail, 'id' | 'amount' | 'fee_amount' | 'completed_at' | 'hold'> &
  RawAmounts &
  RawHold;

/** `query` reads individual_transfers as `t`. */
function selectTransferDetails(query: Knex.QueryBuilder): Promise<TransferDetailRow[]> {
  return query
    .leftJoin('users as decider', 'decider.id', 't.hold_decided_by_id')
    .select<TransferDetailRow[]>(
      't.id',
      't.transfer_id',
      't.line_number',
      't.payee_party_id_type',
      't.payee_party_identifier',
      't.payee_name',
      't.payee_fsp_id',
      't.amount',
      't.currency',
      't.fee_amount',
      't.status',
      't.attempt',
      't.mojaloop_transfer_id',
      't.failure_code',
      't.failure_message',
      't.completed_at',
      't.expected_payee_name',
      't.name_match_score',
      't.hold_reason',
      't.held_at',
      't.hold_deadline',
      't.hold_decision',
      't.hold_decided_by_id',
      'decider.email as hold_decided_by_email',
      't.hold_decided_at',
    );
}

function toTransferDetail(row: TransferDetailRow): TransferDetail {
  const line: Omit<TransferDetailRow, keyof RawHold> & Partial<RawHold> = { ...row };
  for (const column of HOLD_COLUMNS) delete line[column];
  return {
    ...line,
    id: Number(row.id),
    amount: BigInt(row.amount),
    currency: row.currency.trim(),
    fee_amount: row.fee_amount === null ? null : BigInt(row.fee_amount),
    completed_at: row.completed_at?.toISOString() ?? null,
    hold: holdOf(row),
  };
}

/** Read flat, answered as the line's `hold` object. */
const HOLD_COLUMNS = [
  'hold_reason',
  'held_at',
  'hold_deadline',
  'hold_decision',
  'hold_decided_by_id',
  'hold_decided_by_email',
  'hold_decided_at',
] as const satisfies ReadonlyArray<keyof RawHold>;

function holdOf(row: RawHold): LineHold | null {
  if (row.hold_reason === null || row.held_at === null || row.hold_deadline === null) return null;
  return {
    reason: row.hold_reason,
    held_at: row.held_at.toISOString(),
    deadline: row.hold_deadline.toISOString(),
    decision: row.hold_decision,
    decided_by:
      row.hold_decided_by_id !== null && row.hold_decided_by_email !== null
        ? { id: row.hold_decided_by_id, email: row.hold_decided_by_email }
        : null,
    decided_at: row.hold_decided_at?.toISOString() ?? null,
  };
}

export interface TransferStatusEntry {
  transfer_id: string;
  line_number: number;
  status: TransferStatus;
  failure_code: string | null;
}

export async function listTransferStatuses(
  knex: Knex,
  bulkId: string,
  limit: number,
  offset: number,
): Promise<TransferStatusEntry[]> {
  return knex('individual_transfers')
    .where('bulk_id', bulkId)
    .orderBy('line_number', 'asc')
    .limit(limit)
    .offset(offset)
    .select<TransferStatusEntry[]>('transfer_id', 'line_number', 'status', 'failure_code');
}

/** Percent of `part` in `total`, two decimals (0 for an empty total). */
export function percentOf(part: number, total: number): number {
  if (total === 0) return 0;
  return Math.round((part * 10000) / total) / 100;
}

export interface UserRef {
  id: number;
  email: string;
}

/** Who created, approved, rejected or cancelled a bulk and when, as its details show them. */
export interface BulkDecisions {
  created_by: UserRef | null;
  approval: {
    required: boolean;
    deadline: string | null;
    approved_by: UserRef | null;
    approved_at: string | null;
    rejected_by: UserRef | null;
    rejected_at: string | null;
    rejection_reason: string | null;
  };
  cancellation: {
    cancelled_at: string;
    cancelled_by: UserRef | null;
    /** Set when cancelled from the Temporal Web UI / CLI by an operator rather than by a user of ours. */
    cancelled_by_operator: string | null;
    cancelled_transfers: number;
  } | null;
  retry_count: number;
}

export async function loadBulkDecisions(knex: Knex, bulkId: string): Promise<BulkDecisions | null> {
  const row = await knex('bulk_transfers as b')
    .leftJoin('users as c', 'c.id', 'b.created_by_id')
    .leftJoin('users as a', 'a.id', 'b.approved_by_id')
    .leftJoin('users as r', 'r.id', 'b.rejected_by_id')
    .leftJoin('users as x', 'x.id', 'b.cancelled_by_id')
    .where('b.bulk_id', bulkId)
    .first<Record<string, unknown> | undefined>(
      'b.created_by_id',
      'c.email as created_by_email',
      'b.approval_deadline',
      'b.approved_by_id',
      'a.email as approved_by_email',
      'b.approved_at',
      'b.rejected_by_id',
      'r.email as rejected_by_email',
      'b.rejected_at',
      'b.rejection_reason',
      'b.cancelled_at',
      'b.cancelled_by_id',
      'x.email as cancelled_by_email',
      'b.cancelled_by_operator',
      'b.retry_count',
    );
  if (!row) return null;
  const user = (id: unknown, email: unknown): UserRef | null =>
    typeof id === 'number' && typeof email === 'string' ? { id, email } : null;
  const time = (value: unknown): string | null => (value instanceof Date ? value.toISOString() : null);
  let cancellation: BulkDecisions['cancellation'] = null;
  if (row.cancelled_at instanceof Date) {
    const [cancelled] = await knex('individual_transfers')
      .where({ bulk_id: bulkId, status: 'FAILED', failure_code: CANCELLED_CODE })
      .count<Array<{ count: string }>>('* as count');
    cancellation = {
      cancelled_at: row.cancelled_at.toISOString(),
      cancelled_by: user(row.cancelled_by_id, row.cancelled_by_email),
      cancelled_by_operator: (row.cancelled_by_operator as string | null) ?? null,
      cancelled_transfers: Number(cancelled?.count ?? 0),
    };
  }
  return {
    created_by: user(row.created_by_id, row.created_by_email),
    approval: {
      required: row.approval_deadline !== null || row.approved_by_id !== null || row.rejected_by_id !== null,
      deadline: time(row.approval_deadline),
      approved_by: user(row.approved_by_id, row.approved_by_email),
      approved_at: time(row.approved_at),
      rejected_by: user(row.rejected_by_id, row.rejected_by_email),
      rejected_at: time(row.rejected_at),
      rejection_reason: (row.rejection_reason as string | null) ?? null,
    },
    cancellation,
    retry_count: Number(row.retry_count ?? 0),
  };
}
