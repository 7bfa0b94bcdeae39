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

/** Counts the payouts into their gauges; each scrape calls it with its database before the registry is written. */
export type PayoutCounter = (knex: Knex) => Promise<void>;

export function registerPayoutGauges(registry: Registry): PayoutCounter {
  const bulks = new Gauge({
    name: 'pension_gateway_bulks',
    help: 'Bulk payouts by state, counted in the database at scrape time.',
    labelNames: ['state'],
    registers: [registry],
  });
  const transfers = new Gauge({
    name: 'pension_gateway_transfers',
    help: 'Individual transfers by status and failure code (empty when none), counted in the database at scrape time.',
    labelNames: ['status', 'failure_code'],
    registers: [registry],
  });
  return async (knex) => {
    await Promise.all([countBulks(bulks, knex), countTransfers(transfers, knex)]);
  };
}

async function countBulks(gauge: Gauge<'state'>, knex: Knex): Promise<void> {
  gauge.reset();
  try {
    const rows: { state: string; count: string }[] = await knex('bulk_transfers')
      .select('state')
      .count({ count: '*' })
      .groupBy('state');
    // Every state is reported, at 0 when there is none, so an alert on a state never sees a gap.
    for (const state of BULK_STATES) gauge.set({ state }, 0);
    for (const row of rows) gauge.set({ state: row.state }, Number(row.count));
  } catch (error) {
    // Leaving the series absent (rather than failing the scrape) keeps the HTTP and process metrics flowing.
    logger.warn({ err: error }, 'could not count bulks for metrics');
  }
}

async function countTransfers(gauge: Gauge<'status' | 'failure_code'>, knex: Knex): Promise<void> {
  gauge.reset();
  try {
    const rows: { status: string; failure_code: string | null; count: string }[] = await knex('individual_transfers')
      .select('status', 'failure_code')
      .count({ count: '*' })
      .groupBy('status', 'failure_code');
    for (const status of TRANSFER_STATUSES) gauge.set({ status, failure_code: NO_FAILURE_CODE }, 0);
    for (const row of rows) {
      gauge.inc({ status: row.status, failure_code: row.failure_code ?? NO_FAILURE_CODE }, Number(row.count));
    }
  } catch (error) {
    logger.warn({ err: error }, 'could not count transfers for metrics');
  }
}
