import type { Knex } from 'knex';

/**
 * Maker-checker approval, cancelling and retrying failed lines.
 *
 * - organizations.requires_approval: a new bulk of such an organization waits in AWAITING_APPROVAL until a second
 *   user approves it (or rejects it, or the deadline passes); the rest of the funds never see the difference.
 * - bulk_transfers: who approved, rejected or cancelled it and when (shown in the details), the approval deadline
 *   fixed when the bulk started waiting, and the id of the last retry request (a retried activity finds its own).
 * - individual_transfers.attempt: a retried line is a new attempt with its own identity at Mojaloop
 *   (homeTransactionId) and in Temporal (child workflow id); transfer_attempts keeps each earlier failure.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('organizations', (t) => {
    t.boolean('requires_approval').notNullable().defaultTo(false);
  });

  await knex.schema.alterTable('bulk_transfers', (t) => {
    t.timestamp('approval_deadline', { useTz: true });
    t.integer('approved_by_id').references('users.id').onDelete('SET NULL');
    t.timestamp('approved_at', { useTz: true });
    t.integer('rejected_by_id').references('users.id').onDelete('SET NULL');
    t.timestamp('rejected_at', { useTz: true });
    t.string('rejection_reason', 500);
    t.integer('cancelled_by_id').references('users.id').onDelete('SET NULL');
    // Who cancelled from the Temporal Web UI / CLI (no user of ours): the operator name sent with the update.
    t.string('cancelled_by_operator', 100);
    t.timestamp('cancelled_at', { useTz: true });
    t.uuid('last_retry_request_id');
    t.integer('retry_count').notNullable().defaultTo(0);
  });
  await knex.raw('alter table bulk_transfers drop constraint bulk_transfers_state_check');
  await knex.raw(
    `alter table bulk_transfers add constraint bulk_transfers_state_check
     check (state in ('PENDING', 'AWAITING_APPROVAL', 'PROCESSING', 'COMPLETED', 'FAILED'))`,
  );

  await knex.schema.alterTable('individual_transfers', (t) => {
    t.integer('attempt').notNullable().defaultTo(1);
  });
  await knex.raw(
    'alter table individual_transfers add constraint individual_transfers_attempt_positive check (attempt >= 1)',
  );

  await knex.schema.createTable('transfer_attempts', (t) => {
    t.increments('id').primary();
    t.uuid('transfer_id').notNullable().references('individual_transfers.transfer_id').onDelete('CASCADE');
    t.integer('attempt').notNullable();
    t.string('mojaloop_transfer_id', 64);
    t.string('failure_code', 64);
    t.string('failure_message', 500);
    t.timestamp('failed_at', { useTz: true });
    t.uuid('retry_request_id').notNullable();
    t.integer('retried_by_id').references('users.id').onDelete('SET NULL');
    t.string('retried_by_operator', 100);
    t.timestamp('retried_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['transfer_id', 'attempt']);
    t.index(['retry_request_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('transfer_attempts');
  await knex.raw('alter table individual_transfers drop constraint individual_transfers_attempt_positive');
  await knex.schema.alterTable('individual_transfers', (t) => {
    t.dropColumn('attempt');
  });
  await knex.raw('alter table bulk_transfers drop constraint bulk_transfers_state_check');
  await knex.raw(
    `alter table bulk_transfers add constraint bulk_transfers_state_check
     check (state in ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED'))`,
  );
  await knex.schema.alterTable('bulk_transfers', (t) => {
    for (const column of [
      'approval_deadline',
      'approved_by_id',
      'approved_at',
      'rejected_by_id',
      'rejected_at',
      'rejection_reason',
      'cancelled_by_id',
      'cancelled_by_operator',
      'cancelled_at',
      'last_retry_request_id',
      'retry_count',
    ])
      t.dropColumn(column);
  });
  await knex.schema.alterTable('organizations', (t) => {
    t.dropColumn('requires_approval');
  });
}
