import type { Knex } from 'knex';

/**
 * The pension roll (who is owed a monthly pension, per organization) and the monthly runs that pay it.
 * A run is unique per organization and period: that row, locked while the run's bulk is built, is what makes
 * a second trigger for the same month find the first run instead of paying anyone twice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('beneficiaries', (t) => {
    t.increments('id').primary();
    t.integer('organization_id').notNullable().references('organizations.id').onDelete('RESTRICT');
    t.string('party_id_type', 32).notNullable();
    t.string('party_identifier', 128).notNullable();
    t.string('full_name', 200).notNullable();
    t.bigInteger('monthly_amount').notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.string('status', 16).notNullable().defaultTo('ACTIVE');
    t.string('status_reason', 500);
    t.date('last_proof_of_life');
    t.date('start_date');
    t.date('end_date');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['organization_id', 'party_id_type', 'party_identifier']);
    t.index(['organization_id', 'status']);
  });
  await knex.raw(
    `alter table beneficiaries add constraint beneficiaries_status_check
     check (status in ('ACTIVE', 'SUSPENDED', 'DECEASED', 'ENDED'))`,
  );
  await knex.raw('alter table beneficiaries add constraint beneficiaries_amount_positive check (monthly_amount > 0)');
  await knex.raw(
    'alter table beneficiaries add constraint beneficiaries_dates_ordered check (end_date is null or start_date is null or end_date >= start_date)',
  );

  await knex.schema.createTable('pension_runs', (t) => {
    t.increments('id').primary();
    t.integer('organization_id').notNullable().references('organizations.id').onDelete('RESTRICT');
    // YYYY-MM
    t.specificType('period', 'char(7)').notNullable();
    t.integer('payer_account_id').notNullable().references('accounts.id').onDelete('RESTRICT');
    t.uuid('bulk_id').references('bulk_transfers.bulk_id').onDelete('RESTRICT');
    t.string('state', 16).notNullable();
    t.string('failure_reason', 64);
    t.jsonb('failure_details');
    t.integer('eligible_count').notNullable().defaultTo(0);
    t.integer('held_out_count').notNullable().defaultTo(0);
    t.bigInteger('total_amount').notNullable().defaultTo(0);
    t.specificType('currency', 'char(3)');
    // [{beneficiary_id, party_id_type, party_identifier, full_name, reason}]
    t.jsonb('held_out').notNullable().defaultTo('[]');
    t.string('workflow_id', 255);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
    t.unique(['organization_id', 'period']);
  });
  await knex.raw(
    `alter table pension_runs add constraint pension_runs_state_check
     check (state in ('PROCESSING', 'COMPLETED', 'FAILED'))`,
  );
  await knex.raw(
    `alter table pension_runs add constraint pension_runs_period_check check (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('pension_runs');
  await knex.schema.dropTableIfExists('beneficiaries');
}
