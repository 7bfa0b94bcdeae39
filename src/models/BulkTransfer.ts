import { Model } from 'objection';
import { Account } from './Account';
import { Organization } from './Organization';

/** AWAITING_APPROVAL: the organization requires a second user's approval before anything is sent. */
export const BULK_STATES = ['PENDING', 'AWAITING_APPROVAL', 'PROCESSING', 'COMPLETED', 'FAILED'] as const;
export type BulkState = (typeof BULK_STATES)[number];

export class BulkTransfer extends Model {
  static override tableName = 'bulk_transfers';
  static override idColumn = 'bulk_id';

  bulk_id!: string;
  organization_id!: number;
  payer_account_id!: number;
  created_by_id!: number | null;
  /** Minor units, as a decimal string. */
  total_amount!: string;
  currency!: string;
  state!: BulkState;
  transfers_count!: number;
  source!: string;
  file_name!: string | null;
  file_sha256!: string | null;
  idempotency_key!: string | null;
  idempotency_response!: unknown;
  failure_reason!: string | null;
  created_at!: Date;
  updated_at!: Date;
  completed_at!: Date | null;
  approval_deadline!: Date | null;
  approved_by_id!: number | null;
  approved_at!: Date | null;
  rejected_by_id!: number | null;
  rejected_at!: Date | null;
  rejection_reason!: string | null;
  cancelled_by_id!: number | null;
  cancelled_by_operator!: string | null;
  cancelled_at!: Date | null;
  last_retry_request_id!: string | null;
  retry_count!: number;

  payer_account?: Account;
  organization?: Organization;

  static override relationMappings = () => ({
    payer_account: {
      relation: Model.BelongsToOneRelation,
      modelClass: Account,
      join: { from: 'bulk_transfers.payer_account_id', to: 'accounts.id' },
    },
    organization: {
      relation: Model.BelongsToOneRelation,
      modelClass: Organization,
      join: { from: 'bulk_transfers.organization_id', to: 'organizations.id' },
    },
  });
}
