import type { Knex } from 'knex';

/**
 * Signed webhooks (src/webhooks/): the endpoints an organization registers, the events recorded in the same
 * transaction as the change they announce (a transactional outbox), one delivery per event and endpoint (each
 * delivered by its own Temporal workflow), and every attempt of a delivery.
 *
 * - webhook_events.dedupe_key (type, subject, occurrence) is unique: a retried activity records its event once.
 * - webhook_events.body is the exact text sent: every attempt and every endpoint get the same bytes and id.
 * - The secret is kept readable (it signs); it is shown once at registration and never logged.
 * - A deleted endpoint is kept (deleted_at) so its deliveries stay readable in the audit trail.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_endpoints', (t) => {
    t.bigIncrements('id').primary();
    t.integer('organization_id').notNullable().references('organizations.id').onDelete('RESTRICT');
    t.text('url').notNullable();
    t.specificType('events', 'text[]').notNullable();
    t.text('secret').notNullable();
    t.boolean('enabled').notNullable().defaultTo(true);
    // Since when every attempt to it failed (null once one succeeds): three days of that disable it.
    t.timestamp('failing_since', { useTz: true });
    t.timestamp('disabled_at', { useTz: true });
    t.text('disabled_reason');
    t.integer('created_by_id').references('users.id').onDelete('SET NULL');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true });
  });
  // The one lookup a payout's transaction makes: this organization's live endpoints.
  await knex.raw(
    'create index webhook_endpoints_live on webhook_endpoints (organization_id) where enabled and deleted_at is null',
  );
  await knex.raw(
    'create index webhook_endpoints_listed on webhook_endpoints (organization_id, id) where deleted_at is null',
  );

  await knex.schema.createTable('webhook_events', (t) => {
    t.text('id').primary();
    t.integer('organization_id').notNullable().references('organizations.id').onDelete('RESTRICT');
    t.text('type').notNullable();
    t.text('dedupe_key').notNullable().unique();
    t.text('body').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.bigIncrements('id').primary();
    t.text('event_id').notNullable().references('webhook_events.id').onDelete('RESTRICT');
    t.bigInteger('endpoint_id').notNullable().references('webhook_endpoints.id').onDelete('RESTRICT');
    t.text('state').notNullable().defaultTo('PENDING');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // Set once its workflow was started; the backstop sweep starts those still null after a minute.
    t.timestamp('workflow_started_at', { useTz: true });
    t.timestamp('completed_at', { useTz: true });
    t.text('failure_reason');
    t.unique(['event_id', 'endpoint_id']);
    t.index(['endpoint_id', 'id']);
  });
  await knex.raw(
    `alter table webhook_deliveries add constraint webhook_deliveries_state
       check (state in ('PENDING', 'DELIVERED', 'FAILED', 'STOPPED'))`,
  );
  await knex.raw(
    `create index webhook_deliveries_unstarted on webhook_deliveries (created_at)
       where state = 'PENDING' and workflow_started_at is null`,
  );

  await knex.schema.createTable('webhook_delivery_attempts', (t) => {
    t.bigIncrements('id').primary();
    t.bigInteger('delivery_id').notNullable().references('webhook_deliveries.id').onDelete('CASCADE');
    t.timestamp('attempted_at', { useTz: true }).notNullable();
    t.integer('http_status');
    t.integer('duration_ms').notNullable();
    t.text('error');
    t.index(['delivery_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('webhook_delivery_attempts');
  await knex.schema.dropTableIfExists('webhook_deliveries');
  await knex.schema.dropTableIfExists('webhook_events');
  await knex.schema.dropTableIfExists('webhook_endpoints');
}
