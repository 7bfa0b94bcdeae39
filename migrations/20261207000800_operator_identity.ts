import type { Knex } from 'knex';

/**
 * The identity Temporal gave the sender of an operator's cancel or retry (Web UI, CLI): kept beside the name the
 * operator typed, which anyone may type. Null for a user's action (the user is proven by their token).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('bulk_transfers', (t) => {
    t.string('cancelled_by_identity', 200);
  });
  await knex.schema.alterTable('transfer_attempts', (t) => {
    t.string('retried_by_identity', 200);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('transfer_attempts', (t) => {
    t.dropColumn('retried_by_identity');
  });
  await knex.schema.alterTable('bulk_transfers', (t) => {
    t.dropColumn('cancelled_by_identity');
  });
}
