/**
 * One line of a bulk's reconciliation report: what the fund needs to match each pension it sent with what
 * Mojaloop did. Pure: the database reader (transferPages.ts) and the CSV/JSON writers meet here.
 */

/**
 * Column order of the CSV and key order of each JSON object. Every report column is a stored column of the same
 * name (the reader selects exactly these): `satisfies` keeps that true.
 */
export const REPORT_COLUMNS = [
  'line_number',
  'transfer_id',
  'mojaloop_transfer_id',
  'payee_party_id_type',
  'payee_party_identifier',
  'payee_name',
  'payee_fsp_id',
  'amount',
  'fee_amount',
  'currency',
  'status',
  'failure_code',
  'failure_message',
  'completed_at',
  // The payee name check, last so the seed's columns keep their places.
  'expected_payee_name',
  'name_match_score',
  'hold_decision',
] as const satisfies readonly (keyof TransferRecord)[];

export type ReportColumn = (typeof REPORT_COLUMNS)[number];

export interface ReportRow {
  line_number: number;
  /** Our id of the transfer. */
  transfer_id: string;
  mojaloop_transfer_id: string | null;
  payee_party_id_type: string;
  payee_party_identifier: string;
  /** The name as the payee FSP reported it during discovery, not as the fund wrote it. */
  payee_name: string | null;
  payee_fsp_id: string | null;
  /** Minor units as an integer string (bigint stays exact). */
  amount: string;
  fee_amount: string | null;
  currency: string;
  status: string;
  failure_code: string | null;
  failure_message: string | null;
  /** ISO 8601, UTC. */
  completed_at: string | null;
  /** The name the payee name check expected (roll or `nom`); null: not checked. */
  expected_payee_name: string | null;
  /** How payee_name scored against it, 0 to 1. */
  name_match_score: number | null;
  /** For a line that was held: released, rejected or expired (null while undecided or never held). */
  hold_decision: string | null;
}

/** The individual_transfers columns a report reads (bigint columns arrive as strings, see src/db/knex.ts). */
export interface TransferRecord {
  line_number: number;
  transfer_id: string;
  mojaloop_transfer_id: string | null;
  payee_party_id_type: string;
  payee_party_identifier: string;
  payee_name: string | null;
  payee_fsp_id: string | null;
  amount: string;
  fee_amount: string | null;
  currency: string;
  status: string;
  failure_code: string | null;
  failure_message: string | null;
  completed_at: Date | null;
  expected_payee_name: string | null;
  name_match_score: number | null;
  hold_decision: string | null;
}

export function toReportRow(record: TransferRecord): ReportRow {
  return {
    line_number: record.line_number,
    transfer_id: record.transfer_id,
    mojaloop_transfer_id: record.mojaloop_transfer_id,
    payee_party_id_type: record.payee_party_id_type,
    payee_party_identifier: record.payee_party_identifier,
    payee_name: record.payee_name,
    payee_fsp_id: record.payee_fsp_id,
    amount: String(record.amount),
    fee_amount: record.fee_amount === null ? null : String(record.fee_amount),
    // char(3) pads; a currency never has spaces.
    currency: record.currency.trim(),
    status: record.status,
    failure_code: record.failure_code,
    failure_message: record.failure_message,
    completed_at: record.completed_at === null ? null : record.completed_at.toISOString(),
    expected_payee_name: record.expected_payee_name,
    name_match_score: record.name_match_score,
    hold_decision: record.hold_decision,
  };
}
