import type { Knex } from 'knex';

/**
 * organizations.approval_timeout_hours: how long a bulk of this organization waits for its second approval before
 * it expires. Null means the platform's BULK_APPROVAL_TIMEOUT_HOURS; staff set it per fund (PATCH
 * /api/admin/organizations/:id). The deadline is fixed once, when a bulk starts waiting (src/payouts/bulkControl.ts
 * beginBulk), so changing it never moves the deadline of a bulk already waiting.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('organizations', (t) => {
    t.integer('approval_timeout_hours');
  });
  // The same bounds as BULK_APPROVAL_TIMEOUT_HOURS (src/config): at least an hour, at most a leap year.
  await knex.raw(
    `alter table organizations add constraint organizations_approval_timeout_range
     check (approval_timeout_hours is null or approval_timeout_hours between 1 and ${24 * 366})`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('organizations', (t) => {
    t.dropColumn('approval_timeout_hours');
  });
}
