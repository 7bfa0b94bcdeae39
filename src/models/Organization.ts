import { Model } from 'objection';

export class Organization extends Model {
  static override tableName = 'organizations';

  id!: number;
  code!: string;
  name!: string;
  is_active!: boolean;
  /** Maker-checker: each new bulk waits for a second user's approval (AWAITING_APPROVAL). */
  requires_approval!: boolean;
  created_at!: Date;
}
