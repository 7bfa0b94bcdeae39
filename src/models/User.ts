import { Model } from 'objection';
import { Organization } from './Organization';

export const USER_ROLES = ['GESTIONNAIRE', 'SUPERVISEUR'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export class User extends Model {
  static override tableName = 'users';

  id!: number;
  email!: string;
  first_name!: string;
  last_name!: string;
  role!: UserRole;
  is_staff!: boolean;
  organization_id!: number | null;
  phone_number!: string | null;
  password_hash!: string;
  must_change_password!: boolean;
  /** In every access token; bumped on password change to end the sessions signed in before it. */
  session_version!: number;
  is_active!: boolean;
  last_login!: Date | null;
  created_at!: Date;
  updated_at!: Date;

  organization?: Organization;

  static override relationMappings = () => ({
    organization: {
      relation: Model.BelongsToOneRelation,
      modelClass: Organization,
      join: { from: 'users.organization_id', to: 'organizations.id' },
    },
  });

  /** Never serialise the hash, whatever route returns a user. */
  override $formatJson(json: Record<string, unknown>): Record<string, unknown> {
    const formatted = super.$formatJson(json);
    delete formatted.password_hash;
    return formatted;
  }
}
