import type { Knex } from 'knex';

/**
 * bulk_transfers.retry_requested_by_id: the user who asked the bulk's latest retry-failed. In an organization that
 * requires approval, a retry waits for a second user like a new bulk, and neither the bulk's creator nor this user
 * may approve or reject it (src/payouts/store/bulkStore.ts). Null for a bulk never retried, or retried by an operator
 * (who is no user of ours).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('bulk_transfers', (t) => {
    t.integer('retry_requested_by_id').references('users.id').onDelete('SET NULL');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('bulk_transfers', (t) => {
    t.dropColumn('retry_requested_by_id');
  });
}
