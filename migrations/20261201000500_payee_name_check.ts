import type { Knex } from 'knex';

/**
 * The payee name check (src/payouts/rules/payeeNameMatch.ts): the name the fund expects for a line (its pension roll's
 * full_name, or the upload's `nom` column), how the wallet owner's name found at discovery scored against it, and
 * the hold a mismatch puts on the line (status ON_HOLD) until a GESTIONNAIRE releases or rejects it, or its
 * deadline passes. `released_payee_name` is the owner's name a release accepted: discovery after the release
 * pays only while the switch still names that owner.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('individual_transfers', (t) => {
    t.string('expected_payee_name', 200);
    t.double('name_match_score');
    t.string('hold_reason', 32);
    t.timestamp('held_at', { useTz: true });
    t.timestamp('hold_deadline', { useTz: true });
    t.string('hold_decision', 16);
    t.integer('hold_decided_by_id').references('users.id').onDelete('SET NULL');
    t.timestamp('hold_decided_at', { useTz: true });
    t.string('released_payee_name', 255);
  });
  await knex.raw('alter table individual_transfers drop constraint individual_transfers_status_check');
  await knex.raw(
    `alter table individual_transfers add constraint individual_transfers_status_check
     check (status in ('PENDING', 'PROCESSING', 'ON_HOLD', 'COMPLETED', 'FAILED'))`,
  );
  await knex.raw(
    `alter table individual_transfers add constraint individual_transfers_hold_decision_check
     check (hold_decision is null or hold_decision in ('released', 'rejected', 'expired'))`,
  );
  await knex.raw(
    `alter table individual_transfers add constraint individual_transfers_score_range
     check (name_match_score is null or name_match_score between 0 and 1)`,
  );
  // The bulk's held lines, read by its status and its deadline sweep.
  await knex.raw(
    `create index individual_transfers_on_hold on individual_transfers (bulk_id, hold_deadline) where status = 'ON_HOLD'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists individual_transfers_on_hold');
  await knex.raw('alter table individual_transfers drop constraint individual_transfers_score_range');
  await knex.raw('alter table individual_transfers drop constraint individual_transfers_hold_decision_check');
  await knex.raw('alter table individual_transfers drop constraint individual_transfers_status_check');
  await knex.raw(
    `alter table individual_transfers add constraint individual_transfers_status_check
     check (status in ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED'))`,
  );
  await knex.schema.alterTable('individual_transfers', (t) => {
    t.dropColumn('released_payee_name');
    t.dropColumn('hold_decided_at');
    t.dropColumn('hold_decided_by_id');
    t.dropColumn('hold_decision');
    t.dropColumn('hold_deadline');
    t.dropColumn('held_at');
    t.dropColumn('hold_reason');
    t.dropColumn('name_match_score');
    t.dropColumn('expected_payee_name');
  });
}
