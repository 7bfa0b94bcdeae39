import type { Knex } from 'knex';

/**
 * Fixed-window counters of rate limits other than login's (src/rateLimits/fixedWindow.ts), first the webhook test
 * route's: in Postgres rather than in memory so a limit holds across several API replicas. One row per
 * (scope, key): the window's start and the hits counted in it, restarted when the window has elapsed.
 * login_attempts keeps its own table: its rows are given back on success, these never are.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('rate_limit_windows', (t) => {
    t.string('scope', 32).notNullable();
    t.string('key', 128).notNullable();
    t.timestamp('window_started_at', { useTz: true }).notNullable();
    t.integer('hits').notNullable();
    t.primary(['scope', 'key']);
    // Forgetting elapsed windows reads by start.
    t.index(['window_started_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('rate_limit_windows');
}
