import type { Knex } from 'knex';

/**
 * The audit log: one row per change a person made through the API (users, organizations, accounts, deposits,
 * decisions on bulks, pension schedules): who, when, what, on which subject, its values before and after, and the
 * request id that ties it to the log lines. Written by src/audit/auditLog.ts, in the same transaction as the change
 * wherever the change is ours to commit.
 *
 * - Append-only, enforced by Postgres itself, as the account journal is: a trigger refuses UPDATE, DELETE and
 *   TRUNCATE whoever asks. The foreign keys are RESTRICT for the same reason (SET NULL would be an update), and
 *   actor_email keeps who acted readable even if that user's email changes later.
 * - organization_id is the organization the change concerns (null for a platform-wide one), so a fund's changes
 *   can be read together; subject_id is text because subjects are keyed by integers, UUIDs or public codes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id').primary();
    t.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('actor_user_id').references('users.id').onDelete('RESTRICT');
    t.text('actor_email');
    t.integer('organization_id').references('organizations.id').onDelete('RESTRICT');
    t.text('kind').notNullable();
    t.text('subject_type').notNullable();
    t.text('subject_id').notNullable();
    t.jsonb('before');
    t.jsonb('after');
    t.text('request_id');
    // The filters of GET /api/admin/audit, each newest first.
    t.index(['occurred_at']);
    t.index(['actor_user_id', 'occurred_at']);
    t.index(['organization_id', 'occurred_at']);
    t.index(['kind', 'occurred_at']);
    t.index(['subject_type', 'subject_id']);
  });
  // `area.verb`, e.g. user.deactivated: what the filter by kind matches on.
  await knex.raw(`alter table audit_log add constraint audit_log_kind_format check (kind ~ '^[a-z_]+\\.[a-z_]+$')`);

  await knex.raw(`
    create function audit_log_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only: % refused', tg_op
        using errcode = 'restrict_violation', hint = 'The audit log records what happened; it is never rewritten.';
    end
    $$`);
  await knex.raw(`
    create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function audit_log_refuse_change()`);
  await knex.raw(`
    create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_refuse_change()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('audit_log');
  await knex.raw('drop function if exists audit_log_refuse_change()');
}
