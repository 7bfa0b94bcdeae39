import type { Knex } from 'knex';

/**
 * The accounts side and the payout ledger. Money columns are bigint minor units; the database itself
 * refuses a reservation that is negative or larger than the balance, whatever the application does.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create extension if not exists pgcrypto');

  await knex.schema.createTable('organizations', (t) => {
    t.increments('id').primary();
    t.string('code', 32).notNullable().unique();
    t.string('name', 200).notNullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('users', (t) => {
    t.increments('id').primary();
    t.string('email', 254).notNullable();
    t.string('first_name', 150).notNullable().defaultTo('');
    t.string('last_name', 150).notNullable().defaultTo('');
    t.string('role', 20).notNullable().defaultTo('GESTIONNAIRE');
    t.boolean('is_staff').notNullable().defaultTo(false);
    t.integer('organization_id').references('organizations.id').onDelete('RESTRICT');
    t.string('phone_number', 32);
    t.string('password_hash', 255).notNullable();
    t.boolean('must_change_password').notNullable().defaultTo(false);
    t.boolean('is_active').notNullable().defaultTo(true);
    t.timestamp('last_login', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['organization_id']);
  });
  await knex.raw(`alter table users add constraint users_role_check check (role in ('GESTIONNAIRE', 'SUPERVISEUR'))`);
  // Logins are case-insensitive, so uniqueness must be too.
  await knex.raw('create unique index users_email_lower_unique on users (lower(email))');

  await knex.schema.createTable('refresh_tokens', (t) => {
    t.uuid('id').primary();
    t.uuid('family_id').notNullable();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['family_id']);
    t.index(['user_id']);
  });

  await knex.schema.createTable('accounts', (t) => {
    t.increments('id').primary();
    t.string('account_id', 64).notNullable().unique();
    t.integer('organization_id').notNullable().references('organizations.id').onDelete('RESTRICT');
    t.string('party_id_type', 32).notNullable();
    t.string('party_identifier', 128).notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.bigInteger('balance').notNullable().defaultTo(0);
    t.bigInteger('reserved').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['organization_id']);
  });
  await knex.raw('alter table accounts add constraint accounts_reserved_non_negative check (reserved >= 0)');
  await knex.raw('alter table accounts add constraint accounts_reserved_within_balance check (reserved <= balance)');

  await knex.schema.createTable('bulk_transfers', (t) => {
    t.uuid('bulk_id').primary();
    t.integer('organization_id').notNullable().references('organizations.id').onDelete('RESTRICT');
    t.integer('payer_account_id').notNullable().references('accounts.id').onDelete('RESTRICT');
    t.integer('created_by_id').references('users.id').onDelete('SET NULL');
    t.bigInteger('total_amount').notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.string('state', 24).notNullable().defaultTo('PENDING');
    t.integer('transfers_count').notNullable();
    t.string('source', 16).notNullable().defaultTo('UPLOAD');
    t.string('file_name', 255);
    t.string('file_sha256', 64);
    t.string('idempotency_key', 255);
    t.jsonb('idempotency_response');
    t.string('failure_reason', 500);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
    t.index(['organization_id', 'created_at']);
    t.index(['organization_id', 'file_sha256']);
  });
  await knex.raw(
    `alter table bulk_transfers add constraint bulk_transfers_state_check
     check (state in ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED'))`,
  );
  await knex.raw('alter table bulk_transfers add constraint bulk_transfers_total_positive check (total_amount > 0)');
  await knex.raw(
    `create unique index bulk_transfers_idempotency_key_unique on bulk_transfers (organization_id, idempotency_key)
     where idempotency_key is not null`,
  );

  await knex.schema.createTable('individual_transfers', (t) => {
    t.uuid('transfer_id').primary();
    t.uuid('bulk_id').notNullable().references('bulk_transfers.bulk_id').onDelete('CASCADE');
    t.integer('line_number').notNullable();
    t.string('payee_party_id_type', 32).notNullable();
    t.string('payee_party_identifier', 128).notNullable();
    t.string('payee_account', 128);
    t.bigInteger('amount').notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.string('status', 16).notNullable().defaultTo('PENDING');
    // What Mojaloop told us, step by step.
    t.string('mojaloop_transfer_id', 64);
    t.string('payee_name', 255);
    t.string('payee_fsp_id', 64);
    t.string('quote_id', 64);
    t.bigInteger('fee_amount');
    t.timestamp('quote_expiration', { useTz: true });
    // Set once, before the only call that moves money: after it, a retry asks, never re-sends.
    t.timestamp('transfer_sent_at', { useTz: true });
    t.string('fulfilment', 255);
    t.string('failure_code', 64);
    t.string('failure_message', 500);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('completed_at', { useTz: true });
    t.unique(['bulk_id', 'line_number']);
    t.index(['bulk_id', 'status']);
  });
  await knex.raw(
    `alter table individual_transfers add constraint individual_transfers_status_check
     check (status in ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED'))`,
  );
  await knex.raw(
    'alter table individual_transfers add constraint individual_transfers_amount_positive check (amount > 0)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('individual_transfers');
  await knex.schema.dropTableIfExists('bulk_transfers');
  await knex.schema.dropTableIfExists('accounts');
  await knex.schema.dropTableIfExists('refresh_tokens');
  await knex.schema.dropTableIfExists('users');
  await knex.schema.dropTableIfExists('organizations');
}
