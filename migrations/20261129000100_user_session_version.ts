import type { Knex } from 'knex';

/**
 * users.session_version: stamped into every access token (claim `ver`) and bumped when the password changes,
 * so access tokens issued before the change stop working at once instead of living out their 8 hours.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.integer('session_version').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('session_version');
  });
}
