/**
 * The reconciliation report of a bulk (GET …/report.csv, …/report.json): one entry per line, in file order.
 * Written as a stream, not through a JSON answer: these schemas describe the file the download holds.
 */
import { z } from 'zod';
import { TransferStatus } from './bulkTransfers';
import { Currency, MinorUnits, Timestamp } from './common';

const ReportRow = z
  .strictObject({
    line_number: z.int().min(1),
    transfer_id: z.uuid(),
    mojaloop_transfer_id: z.string().nullable(),
    payee_party_id_type: z.string(),
    payee_party_identifier: z.string(),
    payee_name: z.string().nullable(),
    payee_fsp_id: z.string().nullable(),
    amount: MinorUnits,
    fee_amount: MinorUnits.nullable(),
    currency: Currency,
    status: TransferStatus,
    failure_code: z.string().nullable(),
    failure_message: z.string().nullable(),
    completed_at: Timestamp.nullable(),
    expected_payee_name: z.string().nullable().meta({ description: 'The name the payee name check expected.' }),
    name_match_score: z.number().min(0).max(1).nullable(),
    hold_decision: z.enum(['released', 'rejected', 'expired']).nullable(),
  })
  .meta({
    id: 'ReportRow',
    description: 'One line of the reconciliation report; the CSV report has these columns, in this order.',
  });

export const ReconciliationReport = z
  .object({
    bulk_id: z.uuid(),
    generated_at: Timestamp,
    transfers: z.array(ReportRow).meta({ description: 'Every line of the bulk, in file order.' }),
  })
  .meta({ id: 'ReconciliationReport' });
