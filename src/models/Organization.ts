import { Model } from 'objection';

export class Organization extends Model {
  static override tableName = 'organizations';

  id!: number;
  code!: string;
  name!: string;
  is_active!: boolean;
  /** Maker-checker: each new bulk waits for a second user's approval (AWAITING_APPROVAL). */
  requires_approval!: boolean;
  /** How long its bulks wait for approval; null: the platform's BULK_APPROVAL_TIMEOUT_HOURS. */
  approval_timeout_hours!: number | null;
  created_at!: Date;
}
