import { Model } from 'objection';

export class Organization extends Model {
  static override tableName = 'organizations';

  id!: number;
  code!: string;
  name!: string;
  is_active!: boolean;
  created_at!: Date;
}
