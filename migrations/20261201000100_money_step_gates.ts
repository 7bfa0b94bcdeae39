import type { Knex } from 'knex';

/**
 * What the step that moves money checks by itself (activities/payouts/transferActivities.ts):
 *
 * - bulk_transfers.approval_required: fixed when the bulk starts (from its organization's setting then), so a
 *   line of a bulk that needed a second user's approval is never sent before that approval, whoever starts it,
 *   and a later change of the organization's setting does not change what this bulk needed.
 * - individual_transfers.quote_figures: the quote's own figures (transfer amount, payee receive amount, fee, each
 *   with its currency, in minor units), kept so the transfer step compares the recorded quote with the line
 *   again, however the quote step ended.
 * - individual_transfers.transfer_expiration: until when a sent transfer may still commit at the switch (the
 *   adapter's expiry on the prepare plus a margin for clock skew). Before it, an unknown outcome stays unknown.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('bulk_transfers', (t) => {
    t.boolean('approval_required').notNullable().defaultTo(false);
  });
  await knex.raw(
    'update bulk_transfers set approval_required = true where approval_deadline is not null or approved_at is not null or rejected_at is not null',
  );

  await knex.schema.alterTable('individual_transfers', (t) => {
    t.jsonb('quote_figures');
    t.timestamp('transfer_expiration', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('individual_transfers', (t) => {
    for (const column of ['quote_figures', 'transfer_expiration']) t.dropColumn(column);
  });
  await knex.schema.alterTable('bulk_transfers', (t) => {
    t.dropColumn('approval_required');
  });
}
