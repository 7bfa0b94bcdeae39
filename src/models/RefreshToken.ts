import { Model } from 'objection';

export class RefreshToken extends Model {
  static override tableName = 'refresh_tokens';

  id!: string;
  family_id!: string;
  user_id!: number;
  expires_at!: Date;
  used_at!: Date | null;
  revoked_at!: Date | null;
  created_at!: Date;
}
