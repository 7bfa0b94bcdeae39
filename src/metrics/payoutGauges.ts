/**
 * Bulks by state and transfers by status and failure code, counted in Postgres when Prometheus scrapes.
 * Counting at scrape time (one grouped query each) keeps the numbers true however many API and worker
 * processes run, which in-process counters would not. Cost: each scrape scans individual_transfers once;
 * at a 15-30 s scrape interval that is fine for a few million rows.
 */
import type { Knex } from 'knex';
import { Gauge, type Registry } from 'prom-client';
import { logger } from '../logging/logger';
import { BULK_STATES } from '../models/BulkTransfer';
import { TRANSFER_STATUSES } from '../payouts/rules/transferStates';

/** Label value for a transfer without a failure code (all but failed ones). */
const NO_FAILURE_CODE = '';

export function registerPayoutGauges(registry: Registry, database: () => Knex): void {
  new Gauge({
    name: 'pension_gateway_bulks',
    help: 'Bulk payouts by state, counted in the database at scrape time.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const rows: { state: string; count: string }[] = await database()('bulk_transfers')
          .select('state')
          .count({ count: '*' })
          .groupBy('state');
        // Every state is reported, at 0 when there is none, so an alert on a state never sees a gap.
        for (const state of BULK_STATES) this.set({ state }, 0);
        for (const row of rows) this.set({ state: row.state }, Number(row.count));
      } catch (error) {
        // Leaving the series absent (rather than failing the scrape) keeps the HTTP and process metrics flowing.
        logger.warn({ err: error }, 'could not count bulks for metrics');
      }
    },
  });

  new Gauge({
    name: 'pension_gateway_transfers',
    help: 'Individual transfers by status and failure code (empty when none), counted in the database at scrape time.',
    labelNames: ['status', 'failure_code'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        const rows: { status: string; failure_code: string | null; count: string }[] = await database()(
          'individual_transfers',
        )
          .select('status', 'failure_code')
          .count({ count: '*' })
          .groupBy('status', 'failure_code');
        for (const status of TRANSFER_STATUSES) this.set({ status, failure_code: NO_FAILURE_CODE }, 0);
        for (const row of rows) {
          this.inc({ status: row.status, failure_code: row.failure_code ?? NO_FAILURE_CODE }, Number(row.count));
        }
      } catch (error) {
        logger.warn({ err: error }, 'could not count transfers for metrics');
      }
    },
  });
}
