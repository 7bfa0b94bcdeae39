import type { Knex } from 'knex';

/**
 * No approval once a bulk's approval deadline has passed, whatever path writes it: a bulk leaves AWAITING_APPROVAL
 * for PROCESSING only by an approval (src/payouts/store/bulkStore.ts approveBulk, which refuses it first with
 * `approval_expired`), so that move is refused here when the deadline is at or before the transaction's time.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function bulk_transfers_refuse_late_approval() returns trigger language plpgsql as $$
    begin
      if old.approval_deadline is not null and old.approval_deadline <= now() then
        raise exception 'approval_expired: bulk % was approved after its approval deadline (%)', old.bulk_id, old.approval_deadline
          using errcode = 'check_violation', hint = 'A bulk past its approval deadline ends FAILED approval_expired.';
      end if;
      return new;
    end
    $$`);
  await knex.raw(`
    create trigger bulk_transfers_no_late_approval before update on bulk_transfers
    for each row when (old.state = 'AWAITING_APPROVAL' and new.state = 'PROCESSING')
    execute function bulk_transfers_refuse_late_approval()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists bulk_transfers_no_late_approval on bulk_transfers');
  await knex.raw('drop function if exists bulk_transfers_refuse_late_approval()');
}
