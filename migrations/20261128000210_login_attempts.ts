import type { Knex } from 'knex';

/**
 * Failed-login counters for the login rate limiter (src/auth/loginRateLimiter.ts). Kept in Postgres rather
 * than in memory so the limit holds across several API replicas. One row per (scope, key): a fixed window
 * that restarts when it has elapsed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('login_attempts', (t) => {
    t.string('scope', 16).notNullable();
    t.string('key', 128).notNullable();
    t.timestamp('window_started_at', { useTz: true }).notNullable();
    t.integer('attempts').notNullable();
    t.primary(['scope', 'key']);
    t.index(['window_started_at']);
  });
  await knex.raw(
    `alter table login_attempts add constraint login_attempts_scope_check check (scope in ('ip', 'email'))`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('login_attempts');
}
