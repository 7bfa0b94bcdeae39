import { Model } from 'objection';

export const TRANSFER_STATUSES = ['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED'] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

export class IndividualTransfer extends Model {
  static override tableName = 'individual_transfers';
  static override idColumn = 'transfer_id';

  transfer_id!: string;
  bulk_id!: string;
  line_number!: number;
  payee_party_id_type!: string;
  payee_party_identifier!: string;
  payee_account!: string | null;
  /** Minor units, as a decimal string. */
  amount!: string;
  currency!: string;
  status!: TransferStatus;
  /** 1, then + 1 each time retry-failed pays the line again (its Mojaloop and workflow identity follow it). */
  attempt!: number;
  mojaloop_transfer_id!: string | null;
  payee_name!: string | null;
  payee_fsp_id!: string | null;
  quote_id!: string | null;
  fee_amount!: string | null;
  quote_expiration!: Date | null;
  transfer_sent_at!: Date | null;
  fulfilment!: string | null;
  failure_code!: string | null;
  failure_message!: string | null;
  created_at!: Date;
  updated_at!: Date;
  completed_at!: Date | null;
}
