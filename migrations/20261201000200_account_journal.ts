import type { Knex } from 'knex';

/**
 * The account journal: one row per change to an account's money, written in the same transaction as the change
 * (src/accounts/store/journalStore.ts), so replaying an account's rows from zero gives its balance and reserved.
 *
 * - Append-only, enforced by Postgres itself: a trigger refuses UPDATE, DELETE and TRUNCATE whoever asks, so a
 *   bug or a hand-typed statement cannot rewrite history. The foreign keys are RESTRICT for the same reason: an
 *   ON DELETE SET NULL or CASCADE would be an update or delete of the journal.
 * - balance_after / reserved_after are the account's columns as the same statement left them (`returning`).
 * - idempotency_key: a deposit's caller-chosen key, unique per account, so a retried deposit is recorded once.
 * - Backfill: accounts that already hold money get an opening `fund` row (the balance) and, when something is
 *   held, an opening `reserve` row without a bulk, so the replay agrees from the first day.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('account_journal', (t) => {
    t.bigIncrements('id').primary();
    t.integer('account_id').notNullable().references('accounts.id').onDelete('RESTRICT');
    t.text('kind').notNullable();
    t.bigInteger('amount').notNullable();
    t.uuid('bulk_id').references('bulk_transfers.bulk_id').onDelete('RESTRICT');
    t.uuid('transfer_id').references('individual_transfers.transfer_id').onDelete('RESTRICT');
    t.integer('attempt');
    t.text('funding_reference');
    t.text('idempotency_key');
    t.bigInteger('balance_after').notNullable();
    t.bigInteger('reserved_after').notNullable();
    t.integer('created_by_id').references('users.id').onDelete('RESTRICT');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['account_id', 'id']);
    t.index(['account_id', 'created_at']);
  });
  await knex.raw(
    `alter table account_journal add constraint account_journal_kind_check
     check (kind in ('reserve', 'release', 'debit', 'credit', 'fund'))`,
  );
  await knex.raw('alter table account_journal add constraint account_journal_amount_positive check (amount > 0)');
  await knex.raw('alter table account_journal add constraint account_journal_attempt_positive check (attempt >= 1)');
  // The same rules as the accounts' own constraints, on every state the journal records.
  await knex.raw(
    `alter table account_journal add constraint account_journal_after_consistent
     check (reserved_after >= 0 and reserved_after <= balance_after)`,
  );
  await knex.raw(
    `create unique index account_journal_idempotency_key_unique on account_journal (account_id, idempotency_key)
     where idempotency_key is not null`,
  );

  await knex.raw(`
    create function account_journal_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'account_journal is append-only: % refused', tg_op
        using errcode = 'restrict_violation', hint = 'Correct an entry with a new entry, never by changing one.';
    end
    $$`);
  await knex.raw(`
    create trigger account_journal_append_only before update or delete on account_journal
    for each row execute function account_journal_refuse_change()`);
  await knex.raw(`
    create trigger account_journal_no_truncate before truncate on account_journal
    for each statement execute function account_journal_refuse_change()`);

  await backfillOpeningEntries(knex);
}

/**
 * Opening entries for the money accounts hold today. The accounts table is locked against writes meanwhile, so no
 * payout moves money between the snapshot and the rows. All fund rows first: per account, the fund row's id is
 * lower than its reserve row's, and the replay (in id order) never holds more than the balance.
 */
async function backfillOpeningEntries(knex: Knex): Promise<void> {
  await knex.raw('lock table accounts in share mode');
  await knex.raw(
    `insert into account_journal (account_id, kind, amount, balance_after, reserved_after, funding_reference)
     select id, 'fund', balance, balance, 0, 'Opening balance when the journal started'
       from accounts where balance > 0 order by id`,
  );
  await knex.raw(
    `insert into account_journal (account_id, kind, amount, balance_after, reserved_after, funding_reference)
     select id, 'reserve', reserved, balance, reserved, 'Held for payouts when the journal started'
       from accounts where reserved > 0 order by id`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('account_journal');
  await knex.raw('drop function if exists account_journal_refuse_change()');
}
