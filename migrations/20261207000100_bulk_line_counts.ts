import type { Knex } from 'knex';

/**
 * How many lines of each bulk are in each status, kept by Postgres itself: a statement-level trigger on
 * individual_transfers applies each statement's changes (a 100,000-line COPY, a cancel failing every unsent line, one
 * line settled) to bulk_line_counts in the same transaction. A bulk's progress (GET /status, /details, the webhooks'
 * bulk events) then reads a row per status instead of counting every line of the bulk at each read, which cost a
 * status read tens of milliseconds on a 100,000-line bulk being paid.
 *
 * - Deltas are applied in (bulk_id, status) order: two transactions never take one bulk's count rows in opposite
 *   orders. Each statement that changes a line's status takes them after the line's own row and before the payer
 *   account's (a settlement, a cancel), the order every writer already follows.
 * - A delete (a bulk deleted with its lines) only lowers rows that are still there.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table bulk_line_counts (
      bulk_id uuid not null references bulk_transfers (bulk_id) on delete cascade,
      status varchar(16) not null,
      lines bigint not null,
      primary key (bulk_id, status)
    )`);
  await knex.raw(`
    create function bulk_line_counts_apply() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into bulk_line_counts as c (bulk_id, status, lines)
          select bulk_id, status, count(*) from new_lines group by bulk_id, status order by bulk_id, status
          on conflict (bulk_id, status) do update set lines = c.lines + excluded.lines;
      elsif tg_op = 'UPDATE' then
        insert into bulk_line_counts as c (bulk_id, status, lines)
          select bulk_id, status, sum(delta)
            from (select bulk_id, status, 1 as delta from new_lines
                  union all
                  select bulk_id, status, -1 from old_lines) as changes
           group by bulk_id, status
          having sum(delta) <> 0
           order by bulk_id, status
          on conflict (bulk_id, status) do update set lines = c.lines + excluded.lines;
      else
        update bulk_line_counts c
           set lines = c.lines - gone.lines
          from (select bulk_id, status, count(*) as lines from old_lines group by bulk_id, status) as gone
         where c.bulk_id = gone.bulk_id and c.status = gone.status;
      end if;
      return null;
    end $$`);
  await knex.raw(`create trigger bulk_line_counts_insert after insert on individual_transfers
    referencing new table as new_lines for each statement execute function bulk_line_counts_apply()`);
  await knex.raw(`create trigger bulk_line_counts_update after update on individual_transfers
    referencing old table as old_lines new table as new_lines for each statement execute function bulk_line_counts_apply()`);
  await knex.raw(`create trigger bulk_line_counts_delete after delete on individual_transfers
    referencing old table as old_lines for each statement execute function bulk_line_counts_apply()`);
  // The lines already there, counted once; the trigger (created above, in this transaction) keeps the rest.
  await knex.raw(`
    insert into bulk_line_counts (bulk_id, status, lines)
    select bulk_id, status, count(*) from individual_transfers group by bulk_id, status`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop trigger bulk_line_counts_delete on individual_transfers');
  await knex.raw('drop trigger bulk_line_counts_update on individual_transfers');
  await knex.raw('drop trigger bulk_line_counts_insert on individual_transfers');
  await knex.raw('drop function bulk_line_counts_apply()');
  await knex.raw('drop table bulk_line_counts');
}
