import type { Knex } from 'knex';

/**
 * A bulk closes (COMPLETED or FAILED) only when none of its lines still waits: PENDING, PROCESSING or ON_HOLD. A held
 * line's money is reserved; a bulk closed over it would keep that money reserved for ever, refuse the cancel that
 * could free it, and tell the fund (report, webhooks) it had ended. The workflow and closeBulk check it first; this
 * constraint trigger makes Postgres refuse it on every path (a bug, a forged report, a hand-typed statement).
 *
 * Deferred to the commit, so a transaction that fails a bulk's lines and closes it may do so in either order; it reads
 * bulk_line_counts, which the lines' own trigger keeps current within the transaction.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function bulk_transfers_refuse_close_with_waiting_lines() returns trigger language plpgsql as $$
    declare
      waiting bigint;
    begin
      select coalesce(sum(lines), 0) into waiting
        from bulk_line_counts
       where bulk_id = new.bulk_id and status in ('PENDING', 'PROCESSING', 'ON_HOLD');
      if waiting > 0 then
        raise exception 'bulk % cannot be %: % line(s) still pending, processing or on hold', new.bulk_id, new.state, waiting
          using errcode = 'check_violation', constraint = 'bulk_closes_when_lines_final';
      end if;
      return null;
    end $$`);
  await knex.raw(`
    create constraint trigger bulk_closes_when_lines_final
      after update of state on bulk_transfers
      deferrable initially deferred
      for each row
      when (new.state in ('COMPLETED', 'FAILED') and old.state is distinct from new.state)
      execute function bulk_transfers_refuse_close_with_waiting_lines()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger if exists bulk_closes_when_lines_final on bulk_transfers');
  await knex.raw('drop function if exists bulk_transfers_refuse_close_with_waiting_lines()');
}
