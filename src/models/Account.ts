import { Model } from 'objection';
import { Organization } from './Organization';

export class Account extends Model {
  static override tableName = 'accounts';

  id!: number;
  account_id!: string;
  organization_id!: number;
  party_id_type!: string;
  party_identifier!: string;
  currency!: string;
  /** Minor units, as a decimal string (Postgres bigint). */
  balance!: string;
  /** Minor units held for bulks in flight, as a decimal string. */
  reserved!: string;
  created_at!: Date;
  updated_at!: Date;

  organization?: Organization;

  static override relationMappings = () => ({
    organization: {
      relation: Model.BelongsToOneRelation,
      modelClass: Organization,
      join: { from: 'accounts.organization_id', to: 'organizations.id' },
    },
  });
}
